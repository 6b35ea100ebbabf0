package modulegen_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
	"github.com/sseready/terraform-provider-sseready/internal/tfplan"
)

var mirror = azurermstandin.NewSharedMirror(azurermstandin.StandinProvider, azurermstandin.SSEReadyProvider("0.1.0"))

func TestMain(m *testing.M) {
	code := m.Run()
	mirror.Remove()
	os.Exit(code)
}

var passed = regexp.MustCompile(`Success! (\d+) passed, 0 failed\.`)

// writeGenerated generates the module for s and writes it into a new
// directory, which it returns.
func writeGenerated(t *testing.T, s modulegen.Spec) string {
	t.Helper()
	files, err := modulegen.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "module")
	if _, err := modulegen.Write(dir, files, s.Source, false); err != nil {
		t.Fatal(err)
	}
	return dir
}

// proveGenerated writes the module for s and runs on it what a user runs:
// terraform fmt -check, init (from the mirror), validate and test, with
// the real terraform against the azurerm stand-in. It returns the
// terraform test output.
func proveGenerated(t *testing.T, s modulegen.Spec) string {
	t.Helper()
	return proveDir(t, writeGenerated(t, s))
}

// proveDir runs terraform fmt -check, validate and test on a generated
// module, as proveGenerated does.
func proveDir(t *testing.T, dir string) string {
	t.Helper()
	if bin, err := exec.LookPath("terraform"); err == nil {
		cmd := exec.Command(bin, "fmt", "-check", "-recursive", "-diff", dir)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(t.TempDir(), "none.tfrc"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("terraform fmt -check: %v\n%s", err, out)
		}
	}
	tf := azurermstandin.Start(t, dir, azurermstandin.WithMirror(mirror.Path(t)))
	out, err := tf.Run("validate", "-json", "-no-color")
	var v azurermstandin.ValidateResult
	if jerr := json.Unmarshal(out, &v); jerr != nil {
		t.Fatalf("validate: %v %v", err, jerr)
	}
	if !v.Valid || v.WarningCount > 0 {
		t.Fatalf("terraform validate:\n%s", v.String())
	}
	test, err := tf.Run("test", "-no-color")
	if err != nil {
		t.Fatalf("terraform test: %v\n%s", err, test)
	}
	m := passed.FindSubmatch(test)
	if m == nil {
		t.Fatalf("terraform test did not pass:\n%s", test)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < 4 {
		t.Fatalf("terraform test ran %d runs, want 4:\n%s", n, test)
	}
	return string(test)
}

// plannedAPI plans a generated module with the real terraform against the
// azurerm stand-in and returns the azurerm resources its apim-sse-api
// module writes, by address inside module.api
// ("azurerm_api_management_api.this"), with their planned values.
func plannedAPI(t *testing.T, dir string) map[string]*tfplan.Resource {
	t.Helper()
	// A module leaves the provider's configuration to its caller: the
	// plan is the caller's.
	p, err := tfplan.Read(azurermstandin.Plan(t, dir, azurermstandin.WithMirror(mirror.Path(t)),
		azurermstandin.WithFile("caller_provider.tf", "provider \"azurerm\" {\n  features {}\n}\n")))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tfplan.Resource{}
	for _, r := range p.Resources {
		if rest, ok := strings.CutPrefix(r.Address, "module.api."); ok {
			out[rest] = r
		}
	}
	return out
}

func TestGeneratedFromFlags(t *testing.T) {
	t.Parallel()
	cases := map[string]func(*modulegen.Spec){
		"defaults": func(*modulegen.Spec) {},
		"app gateway, front door and a logger": func(s *modulegen.Spec) {
			s.Hops = append(s.Hops, modulegen.HopAppGateway, modulegen.HopFrontDoor)
			s.Loggers = map[string]modulegen.Logger{"appinsights": {ID: "/subscriptions/0/loggers/appi", Identifier: "applicationinsights"}}
			s.MaxEventGap, s.Heartbeat = "2h", "30s"
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := modulegen.Default()
			change(&s)
			proveGenerated(t, s)
		})
	}
}
