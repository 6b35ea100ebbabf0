// Package moduletest finds the Terraform configurations under a modules
// tree (examples/modules) and says what its tests run on each: terraform
// validate on all, plan on root configurations, terraform test where a
// module has tests/*.tftest.hcl. The tests run the real terraform against
// the azurerm stand-in (internal/azurermstandin) and sseready in-process.
package moduletest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Dir is one configuration directory of the tree.
type Dir struct {
	// Path is the directory; Rel is it relative to the tree's root, with
	// slashes.
	Path, Rel string
	// Plan is true for a root configuration, one that configures azurerm
	// (a provider "azurerm" block): a module called by others has none,
	// and azurerm cannot plan without its features block.
	Plan bool
	// Tests is true when Path/tests holds *.tftest.hcl files.
	Tests bool
	// Required lists the variables without a default.
	Required []string
}

// Dirs lists the directories under root (root included) that hold *.tf
// files, sorted, with what to run on each. Directories named tests are
// left out: they hold a module's terraform test files and the helper
// modules those call, which are no configuration of their own. Neither
// are .terraform nor hidden directories. A file that does not parse is
// an error naming file:line:col.
func Dirs(root string) ([]Dir, error) {
	var dirs []Dir
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root && (d.Name() == "tests" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		dir, ok, err := inspect(root, path)
		if ok {
			dirs = append(dirs, dir)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].Rel < dirs[j].Rel })
	return dirs, nil
}

func inspect(root, path string) (Dir, bool, error) {
	files, err := filepath.Glob(filepath.Join(path, "*.tf"))
	if err != nil || len(files) == 0 {
		return Dir{}, false, err
	}
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return Dir{}, false, err
	}
	dir := Dir{Path: path, Rel: filepath.ToSlash(rel)}
	tests, err := filepath.Glob(filepath.Join(path, "tests", "*.tftest.hcl"))
	if err != nil {
		return Dir{}, false, err
	}
	dir.Tests = len(tests) > 0
	p := hclparse.NewParser()
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return Dir{}, false, err
		}
		f, diags := p.ParseHCL(src, name)
		if diags.HasErrors() {
			return Dir{}, false, diagError(diags)
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, b := range body.Blocks {
			switch {
			case b.Type == "provider" && len(b.Labels) == 1 && b.Labels[0] == "azurerm":
				dir.Plan = true
			case b.Type == "variable" && len(b.Labels) == 1 && b.Body.Attributes["default"] == nil:
				dir.Required = append(dir.Required, b.Labels[0])
			}
		}
	}
	sort.Strings(dir.Required)
	return dir, true, nil
}

// diagError names the first error's file:line:col, as editors read it.
func diagError(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if d.Subject == nil {
			return fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
		s := d.Subject.Start
		return fmt.Errorf("%s:%d:%d: %s: %s", d.Subject.Filename, s.Line, s.Column, d.Summary, d.Detail)
	}
	return diags
}
