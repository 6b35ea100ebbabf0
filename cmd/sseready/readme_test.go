package main

import (
	"os"
	"path"
	"strings"
	"testing"
)

// The README's layout names every package and what it owns: a package
// added without a word there fails here. internal/testonly holds the
// test-only packages; each of them is named.
func TestReadmeNamesEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"internal", "internal/testonly"} {
		entries, err := os.ReadDir("../../" + dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := path.Join(dir, e.Name())
			if !e.IsDir() || name == "internal/testonly" {
				continue
			}
			if !strings.Contains(string(readme), "`"+name+"`") {
				t.Errorf("README.md's layout does not name %s", name)
			}
		}
	}
}
