package main

import (
	"os"
	"strings"
	"testing"
)

// The README's layout names every package and what it owns: a package
// added without a word there fails here.
func TestReadmeNamesEveryPackage(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("../../internal")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.Contains(string(readme), "`internal/"+e.Name()+"`") {
			t.Errorf("README.md's layout does not name internal/%s", e.Name())
		}
	}
}
