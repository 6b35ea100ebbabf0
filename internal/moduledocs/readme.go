package moduledocs

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The markers terraform-docs writes between, kept so either tool can
// maintain a README.
const (
	Begin = "<!-- BEGIN_TF_DOCS -->"
	End   = "<!-- END_TF_DOCS -->"
)

// Replace returns readme (the contents of the file name) with the text
// between its markers replaced by rendered.
func Replace(name string, readme []byte, rendered string) ([]byte, error) {
	b := bytes.Index(readme, []byte(Begin))
	if b < 0 {
		return nil, fmt.Errorf("%s: no %s marker (put %s and %s where the tables go)", name, Begin, Begin, End)
	}
	if bytes.Count(readme, []byte(Begin)) > 1 {
		return nil, fmt.Errorf("%s: more than one %s marker", name, Begin)
	}
	b += len(Begin)
	e := bytes.Index(readme[b:], []byte(End))
	if e < 0 {
		return nil, fmt.Errorf("%s: no %s marker after %s", name, End, Begin)
	}
	e += b
	var out bytes.Buffer
	out.Write(readme[:b])
	out.WriteString("\n")
	out.WriteString(rendered)
	if !strings.HasSuffix(rendered, "\n") {
		out.WriteString("\n")
	}
	out.Write(readme[e:])
	return out.Bytes(), nil
}

// Update rewrites the file readme with rendered between its markers; it
// leaves the file untouched when that changes nothing.
func Update(readme, rendered string) (changed bool, err error) {
	old, err := os.ReadFile(readme)
	if err != nil {
		return false, err
	}
	updated, err := Replace(readme, old, rendered)
	if err != nil || bytes.Equal(old, updated) {
		return false, err
	}
	return true, os.WriteFile(readme, updated, 0o644)
}

// Target is a module directory and the README its tables go in.
type Target struct{ Dir, Readme string }

// Targets lists the module directories under root: root's own
// subdirectories with *.tf files (root too, if it has some), whose
// README.md must exist and carry the markers, and any deeper directory
// with *.tf files whose README.md carries them (an example, say).
// Directories named tests (terraform test files and their helper
// modules), .terraform and other hidden ones are left out.
func Targets(root string) ([]Target, error) {
	var targets []Target
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != root && (d.Name() == "tests" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		tf, err := filepath.Glob(filepath.Join(path, "*.tf"))
		if err != nil || len(tf) == 0 {
			return err
		}
		readme := filepath.Join(path, "README.md")
		content, rerr := os.ReadFile(readme)
		module := path == root || filepath.Dir(path) == filepath.Clean(root)
		if module && rerr != nil {
			return fmt.Errorf("module %s: %w (a module's README.md carries its tables between %s and %s)", path, rerr, Begin, End)
		}
		if module || bytes.Contains(content, []byte(Begin)) {
			targets = append(targets, Target{Dir: path, Readme: readme})
		}
		return nil
	})
	sort.Slice(targets, func(i, j int) bool { return targets[i].Dir < targets[j].Dir })
	return targets, err
}
