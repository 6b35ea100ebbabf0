package azurermconfigs

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// files are the files terraform plans the named configuration from, by
// slash-separated path: each layer's, a higher layer's replacing a lower's.
func files(t *testing.T, name string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	for _, layer := range layers(name) {
		dir := Dir(layer)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			paths[filepath.ToSlash(rel)] = path
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// A layered configuration holds only what differs from its bases:
// override files, files that replace a base's of the same name, and files
// of its own. A copy of a base's file that changes nothing fails here, and
// so does a file no .tf file names (a replacement misspelt sits unused).
func TestLayeredConfigsHoldOnlyDifferences(t *testing.T) {
	for name, base := range bases {
		below := files(t, base)
		all := files(t, name)
		var tf strings.Builder
		for rel, path := range all {
			if strings.HasSuffix(rel, ".tf") {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				tf.Write(b)
			}
		}
		for rel := range all {
			if !strings.HasPrefix(all[rel], Dir(name)+string(filepath.Separator)) || strings.HasSuffix(rel, "_override.tf") {
				continue
			}
			own, err := os.ReadFile(all[rel])
			if err != nil {
				t.Fatal(err)
			}
			if path, ok := below[rel]; ok {
				theirs, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if string(own) == string(theirs) {
					t.Errorf("%s/%s is a copy of %s", name, rel, path)
				}
				continue
			}
			if !strings.HasSuffix(rel, ".tf") && !strings.Contains(tf.String(), rel) {
				t.Errorf("%s/%s replaces no base's file and no .tf file of %s names it", name, rel, strings.Join(layers(name), " < "))
			}
		}
	}
}

// Each layered configuration renders: terraform validates it laid over
// its bases, which it would not if an override file had no block of the
// bases to merge into or a file of its own declared a block again.
func TestLayeredConfigsRender(t *testing.T) {
	var names []string
	for name := range bases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if r := Validate(t, name); !r.Valid || r.WarningCount > 0 {
				t.Errorf("%s laid over %s does not validate cleanly:\n%s", name, strings.Join(layers(name)[:len(layers(name))-1], ", "), r)
			}
		})
	}
}

// File names the file terraform plans from: the highest layer's.
func TestFileIsTheHighestLayers(t *testing.T) {
	for name := range bases {
		for rel, path := range files(t, name) {
			if got := File(name, rel); got != path {
				t.Errorf("File(%q, %q) = %s, want %s", name, rel, got, path)
			}
		}
	}
}
