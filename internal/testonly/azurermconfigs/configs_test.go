package azurermconfigs

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A layered configuration holds only what differs from its base: override
// files, and files that replace the base's of the same name. A copy of a
// base file that changes nothing fails here.
func TestLayeredConfigsHoldOnlyDifferences(t *testing.T) {
	for name, base := range bases {
		dir := Dir(name)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			if strings.HasSuffix(rel, "_override.tf") {
				return nil
			}
			own, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			theirs, err := os.ReadFile(filepath.Join(Dir(base), rel))
			switch {
			case err != nil:
				t.Errorf("%s/%s replaces nothing of %s's: %v", name, rel, base, err)
			case string(own) == string(theirs):
				t.Errorf("%s/%s is a copy of %s's", name, rel, base)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
