package moduledocs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/moduledocs"
)

// TestRender compares with testdata/module/expected.md, written by hand:
// types and defaults collapsed to one line (comments and trailing commas
// dropped, heredocs quoted), descriptions' newlines as <br>, pipes
// escaped, sorted names, required_providers in both forms.
func TestRender(t *testing.T) {
	got, err := moduledocs.Render(filepath.Join("testdata", "module"))
	if err != nil {
		t.Fatal(err)
	}
	want := readFile(t, filepath.Join("testdata", "module", "expected.md"))
	if got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderEmpty(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.tf"), "locals {\n  a = 1\n}\n")
	got, err := moduledocs.Render(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := "## Inputs\n\nNo inputs.\n\n## Outputs\n\nNo outputs.\n"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

// TestRenderErrors: bad input is an error naming file:line:col.
func TestRenderErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.tf"), "variable \"x\" {\n  description = var.y\n}\n")
	for path, want := range map[string]string{
		filepath.Join("testdata", "bad"): filepath.Join("testdata", "bad", "main.tf") + ":3:13: Invalid expression: Expected the start of an expression",
		dir:                              filepath.Join(dir, "main.tf") + ":2:17: description is not a literal string",
		t.TempDir():                      "no *.tf files",
	} {
		_, err := moduledocs.Render(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Render(%s) = %v, want an error with %q", path, err, want)
		}
	}
}

func TestReplace(t *testing.T) {
	readme := "# chat\n\nUsage.\n\n<!-- BEGIN_TF_DOCS -->\nold\n<!-- END_TF_DOCS -->\n\nMore.\n"
	got, err := moduledocs.Replace("README.md", []byte(readme), "## Inputs\n\nNo inputs.\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# chat\n\nUsage.\n\n<!-- BEGIN_TF_DOCS -->\n## Inputs\n\nNo inputs.\n<!-- END_TF_DOCS -->\n\nMore.\n"
	if string(got) != want {
		t.Errorf("Replace = %q, want %q", got, want)
	}
	for readme, want := range map[string]string{
		"# chat\n": "x/README.md: no <!-- BEGIN_TF_DOCS --> marker",
		"<!-- BEGIN_TF_DOCS -->\n<!-- END_TF_DOCS -->\n<!-- BEGIN_TF_DOCS -->\n": "x/README.md: more than one",
		"<!-- END_TF_DOCS -->\n<!-- BEGIN_TF_DOCS -->\n":                         "x/README.md: no <!-- END_TF_DOCS --> marker after",
	} {
		if _, err := moduledocs.Replace("x/README.md", []byte(readme), ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Replace(%q) = %v, want an error with %q", readme, err, want)
		}
	}
}

// TestUpdateAndTargets: a module's README is required; an example's is
// rewritten only when it has the markers; tests/ is no module.
func TestUpdateAndTargets(t *testing.T) {
	root := t.TempDir()
	const tf = "variable \"x\" {\n  type = string\n}\n"
	for _, dir := range []string{"chat", "chat/examples/basic", "chat/examples/plain", "chat/tests/setup"} {
		writeFile(t, filepath.Join(root, dir, "main.tf"), tf)
	}
	writeFile(t, filepath.Join(root, "chat", "README.md"), "# chat\n"+moduledocs.Begin+"\n"+moduledocs.End+"\n")
	writeFile(t, filepath.Join(root, "chat", "examples", "basic", "README.md"), moduledocs.Begin+moduledocs.End+"\n")
	writeFile(t, filepath.Join(root, "chat", "examples", "plain", "README.md"), "no markers\n")
	writeFile(t, filepath.Join(root, "chat", "tests", "setup", "README.md"), moduledocs.Begin+moduledocs.End+"\n")

	targets, err := moduledocs.Targets(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, tg := range targets {
		rel, _ := filepath.Rel(root, tg.Dir)
		dirs = append(dirs, filepath.ToSlash(rel))
		rendered, err := moduledocs.Render(tg.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if changed, err := moduledocs.Update(tg.Readme, rendered); err != nil || !changed {
			t.Errorf("Update(%s) = %v, %v; want a change", tg.Readme, changed, err)
		}
		if changed, err := moduledocs.Update(tg.Readme, rendered); err != nil || changed {
			t.Errorf("Update(%s) again = %v, %v; want no change", tg.Readme, changed, err)
		}
	}
	if got := strings.Join(dirs, " "); got != "chat chat/examples/basic" {
		t.Errorf("Targets = %s, want chat chat/examples/basic", got)
	}
	if got := readFile(t, filepath.Join(root, "chat", "README.md")); !strings.Contains(got, "| `x` | n/a | `string` | n/a | yes |\n\n## Outputs\n\nNo outputs.\n"+moduledocs.End) {
		t.Errorf("README.md after Update:\n%s", got)
	}

	writeFile(t, filepath.Join(root, "other", "main.tf"), tf)
	if _, err := moduledocs.Targets(root); err == nil || !strings.Contains(err.Error(), filepath.Join(root, "other", "README.md")) {
		t.Errorf("a module without README.md: %v", err)
	}
}

// TestReadmesAreCurrent: each README under examples/modules holds what
// Render writes for its module.
func TestReadmesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "examples", "modules")
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		t.Skip("examples/modules does not exist yet: no module README to check")
	}
	targets, err := moduledocs.Targets(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) == 0 {
		t.Fatalf("no module under %s", root)
	}
	for _, tg := range targets {
		rendered, err := moduledocs.Render(tg.Dir)
		if err != nil {
			t.Error(err)
			continue
		}
		old := readFile(t, tg.Readme)
		updated, err := moduledocs.Replace(tg.Readme, []byte(old), rendered)
		if err != nil {
			t.Error(err)
		} else if string(updated) != old {
			t.Errorf("%s is stale: run make generate (it should read, between the markers:\n%s)", tg.Readme, rendered)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
