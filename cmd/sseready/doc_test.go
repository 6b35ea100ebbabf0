package main

import (
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The package doc names every command the usage lists, with its
// synopsis line, and the usage lists every command run dispatches: a
// command added without a word in both fails here.
func TestPackageDocNamesEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	var commands []string
	for _, m := range regexp.MustCompile(`(?m)^  sseready ([a-z-]+)`).FindAllStringSubmatch(usage, -1) {
		commands = append(commands, m[1])
	}
	if len(commands) < 10 {
		t.Fatalf("the usage lists %d commands: %v", len(commands), commands)
	}
	for _, c := range commands {
		if !strings.Contains(doc, "\tsseready "+c+" ") && !strings.Contains(doc, "\tsseready "+c+"\n") {
			t.Errorf("the package doc has no synopsis of sseready %s", c)
		}
		// Each command the usage lists is one run knows.
		if code, _, stderr := runCLI(t, "", c, "--help"); code != exitOK || strings.Contains(stderr, "unknown command") {
			t.Errorf("sseready %s --help: exit %d\n%s", c, code, stderr)
		}
	}
	// Each command run dispatches is in the usage.
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`case "([a-z][a-z-]*)"`).FindAllStringSubmatch(string(src), -1) {
		if m[1] != "help" && !slices.Contains(commands, m[1]) {
			t.Errorf("run dispatches %q, which the usage does not list", m[1])
		}
	}
	if !strings.Contains(doc, "\tsseready load merge ") {
		t.Error("the package doc has no synopsis of sseready load merge")
	}
}
