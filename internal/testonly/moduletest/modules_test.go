package moduletest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/moduletest"
)

// modulesRoot is examples/modules, from this package's directory.
var modulesRoot = filepath.Join("..", "..", "..", "examples", "modules")

// TestModules runs terraform validate on every configuration under
// examples/modules, plan on the root ones and terraform test on the
// modules with tests, against azurerm's schema (the stand-in) and
// sseready, both served in-process.
func TestModules(t *testing.T) {
	if _, err := os.Stat(modulesRoot); errors.Is(err, fs.ErrNotExist) {
		t.Skip("examples/modules does not exist yet: no module to test")
	}
	checkTree(t, modulesRoot)
}

// TestHarness runs the same checks on a fixture tree (a module with
// terraform tests and a root example calling it by "../.."), so the
// harness is proved even before examples/modules has modules.
func TestHarness(t *testing.T) {
	dirs := checkTree(t, filepath.Join("testdata", "modules"))
	want := []moduletest.Dir{
		{Rel: "sse-policy", Tests: true, Required: []string{"api_management_name", "api_name", "resource_group_name"}},
		{Rel: "sse-policy/examples/basic", Plan: true},
	}
	if len(dirs) != len(want) {
		t.Fatalf("found %d directories, want %d: %+v", len(dirs), len(want), dirs)
	}
	for i, d := range dirs {
		d.Path = ""
		if fmt.Sprint(d) != fmt.Sprint(want[i]) {
			t.Errorf("directory %d is %+v, want %+v", i, d, want[i])
		}
	}
}

func checkTree(t *testing.T, root string) []moduletest.Dir {
	t.Helper()
	dirs, err := moduletest.Dirs(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no directory under %s has *.tf files", root)
	}
	for _, d := range dirs {
		t.Run(d.Rel, func(t *testing.T) {
			t.Parallel()
			checkDir(t, root, d)
		})
	}
	return dirs
}

// checkDir runs on one directory what Dir says; each failure names the
// directory as the repository has it.
func checkDir(t *testing.T, root string, d moduletest.Dir) {
	t.Logf("%s: validate, plan %v, terraform test %v", d.Rel, d.Plan, d.Tests)
	tf := start(t, root, d.Path)
	shown := filepath.Join("internal", "moduletest", d.Path) // relative to the repository
	if err := validate(tf, shown); err != nil {
		t.Fatal(err)
	}
	if d.Plan {
		if err := plan(tf); err != nil {
			t.Errorf("%s: %v", shown, err)
		}
	}
	if d.Tests {
		n, err := runTests(tf)
		if err != nil {
			t.Errorf("%s: %v", shown, err)
		}
		t.Logf("%s: terraform test: %d runs passed", shown, n)
	}
}

// start copies root and runs terraform init in dir's copy, which
// installs the azurerm stand-in and sseready from a filesystem mirror as
// a user's init installs them from the registry: version constraints
// select, a lock file is written, and each provider runs as a plugin
// process.
func start(t *testing.T, root, dir string) *azurermstandin.Terraform {
	t.Helper()
	return azurermstandin.Start(t, dir, azurermstandin.WithRoot(root), azurermstandin.WithMirror(providerMirror(t)))
}

// mirror holds the stand-in and sseready for terraform init, built once
// for the test process.
var mirror = azurermstandin.NewSharedMirror(azurermstandin.StandinProvider, azurermstandin.SSEReadyProvider("0.1.0"))

func providerMirror(t *testing.T) string { return mirror.Path(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	mirror.Remove()
	os.Exit(code)
}

// validate is nil when terraform validate finds no error nor warning;
// else its diagnostics, with file names from shown (dir in the repository).
func validate(tf *azurermstandin.Terraform, shown string) error {
	out, err := tf.Run("validate", "-json", "-no-color")
	var r azurermstandin.ValidateResult
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		return fmt.Errorf("%s: terraform validate: %v (%v)", shown, err, jerr)
	}
	if r.Valid && r.WarningCount == 0 {
		return nil
	}
	for _, d := range r.Diagnostics {
		if d.Range != nil {
			d.Range.Filename = filepath.Join(shown, d.Range.Filename)
		}
	}
	return fmt.Errorf("terraform validate in %s: %d errors, %d warnings:\n%s", shown, r.ErrorCount, r.WarningCount, &r)
}

func plan(tf *azurermstandin.Terraform) error {
	_, err := tf.Run("plan", "-input=false", "-no-color")
	return err
}

// success is terraform test's last line when every run passed.
var success = regexp.MustCompile(`(?m)^Success! (\d+) passed, 0 failed\.`)

// runTests runs terraform test and returns how many runs passed; an error
// if any failed or none ran.
func runTests(tf *azurermstandin.Terraform) (int, error) {
	out, err := tf.Run("test", "-no-color")
	if err != nil {
		return 0, err
	}
	m := success.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("terraform test does not say Success! N passed, 0 failed:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n == 0 {
		return 0, fmt.Errorf("terraform test ran no run block:\n%s", out)
	}
	return n, nil
}

// writeModule writes files into a new directory, a module of its own.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestValidateFails shows the harness fails a module with a wrong
// azurerm attribute name or type, naming file:line:col and the attribute.
func TestValidateFails(t *testing.T) {
	t.Parallel()
	dir := writeModule(t, map[string]string{"main.tf": `resource "azurerm_api_management_api" "chat" {
  name                = "chat"
  resource_group_name = "rg-chat"
  api_management_name = "apim-chat"
  revisionx           = "1"
  subscription_required = { yes = true }
}
`})
	err := validate(start(t, dir, dir), "mod")
	if err == nil {
		t.Fatal("a wrong attribute name and type passed validate")
	}
	for _, want := range []string{
		`mod/main.tf:5:3: error: Unsupported argument: An argument named "revisionx" is not expected here. Did you mean "revision"?`,
		`mod/main.tf:6:27: error: Incorrect attribute value type`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validate does not say %q; it says:\n%v", want, err)
		}
	}
}

// TestTerraformTestFails shows a failed assertion, and a test file with
// no run, fail the harness.
func TestTerraformTestFails(t *testing.T) {
	t.Parallel()
	const module = `data "sseready_apim_policy" "this" {}

terraform {
  required_providers {
    sseready = { source = "sseready/sseready" }
  }
}
`
	for name, test := range map[string]string{
		"assertion": `run "buffers" {
  command = plan
  assert {
    condition     = strcontains(data.sseready_apim_policy.this.xml, "buffer-response=\"true\"")
    error_message = "no buffering"
  }
}
`,
		"no run": "variables {\n  unused = 1\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := writeModule(t, map[string]string{"main.tf": module, "tests/a.tftest.hcl": test})
			n, err := runTests(start(t, dir, dir))
			if err == nil {
				t.Fatalf("terraform test passed (%d runs)", n)
			}
			t.Log(err)
		})
	}
}
