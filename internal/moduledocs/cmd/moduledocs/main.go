// Command moduledocs rewrites the Requirements, Inputs and Outputs tables
// in the README.md of every module under the directories given
// (examples/modules by default): make generate runs it.
//
//	go run ./internal/moduledocs/cmd/moduledocs examples/modules
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/moduledocs"
)

func main() {
	roots := os.Args[1:]
	if len(roots) == 0 {
		roots = []string{"examples/modules"}
	}
	failed := false
	for _, root := range roots {
		if err := run(root); err != nil {
			fmt.Fprintln(os.Stderr, "moduledocs:", err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func run(root string) error {
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		// The modules may come later; make generate should not fail then.
		fmt.Fprintf(os.Stderr, "moduledocs: %s does not exist: no module to document\n", root)
		return nil
	}
	targets, err := moduledocs.Targets(root)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range targets {
		rendered, err := moduledocs.Render(t.Dir)
		if err == nil {
			var changed bool
			if changed, err = moduledocs.Update(t.Readme, rendered); changed {
				fmt.Println("moduledocs: updated", t.Readme)
			}
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
