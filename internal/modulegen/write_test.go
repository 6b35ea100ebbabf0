package modulegen_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
)

func TestWriteRefusesANonEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := modulegen.Write(dir, modulegen.Files{"main.tf": []byte("# generated\n")}, "test", false)
	if !errors.Is(err, modulegen.ErrNotEmpty) {
		t.Fatalf("err = %v, want ErrNotEmpty", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "main.tf")); string(b) != "# mine\n" {
		t.Fatalf("main.tf was overwritten: %q", b)
	}
}

// A second run with force replaces what the first wrote and the user left
// alone, and keeps what the user changed, or wrote before sseready init.
func TestWriteForceKeepsTheUsersChanges(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "module")
	first := modulegen.Files{"main.tf": []byte("# v1 main\n"), "variables.tf": []byte("# v1 variables\n"), "tests/a.tftest.hcl": []byte("# v1 test\n")}
	if res, err := modulegen.Write(dir, first, "test", false); err != nil || len(res.Written) != 3 {
		t.Fatalf("first write: %+v, %v", res, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "variables.tf"), []byte("# my variables\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.tf"), []byte("# mine before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	second := modulegen.Files{"main.tf": []byte("# v2 main\n"), "variables.tf": []byte("# v2 variables\n"),
		"tests/a.tftest.hcl": []byte("# v2 test\n"), "extra.tf": []byte("# v2 extra\n")}
	res, err := modulegen.Write(dir, second, "test", true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Kept, []string{"extra.tf", "variables.tf"}) || !slices.Equal(res.Written, []string{"main.tf", "tests/a.tftest.hcl"}) {
		t.Fatalf("kept %v, written %v", res.Kept, res.Written)
	}
	for name, want := range map[string]string{"main.tf": "# v2 main\n", "variables.tf": "# my variables\n", "extra.tf": "# mine before\n", "tests/a.tftest.hcl": "# v2 test\n"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != want {
			t.Errorf("%s = %q, want %q", name, b, want)
		}
	}
	// The user's variables.tf stays theirs on a third run too.
	res, err = modulegen.Write(dir, second, "test", true)
	if err != nil || !slices.Contains(res.Kept, "variables.tf") {
		t.Fatalf("third write: %+v, %v", res, err)
	}
}

func TestSpecErrorsNameTheFlag(t *testing.T) {
	cases := []struct {
		change func(*modulegen.Spec)
		want   string
	}{
		{func(s *modulegen.Spec) { s.APIName = "chat api" }, "api-name: \"chat api\" is not an API name"},
		{func(s *modulegen.Spec) { s.Path = "/chat" }, "path: \"/chat\" is not a URL suffix"},
		{func(s *modulegen.Spec) { s.BackendURL = "ftp://x" }, "backend-url"},
		{func(s *modulegen.Spec) { s.APIM.SKU = "Consumption_0" }, "apim-sku: Consumption_0 does not keep long-running connections"},
		{func(s *modulegen.Spec) { s.APIM.SKU = "standardv2_1" }, "apim-sku: sku_name \"standardv2_1\" is not an API Management SKU"},
		{func(s *modulegen.Spec) { s.Hops = []string{"apim", "cdn"} }, "hops: \"cdn\" is not a hop"},
		{func(s *modulegen.Spec) { s.Hops = []string{"app_gateway"} }, "hops must include apim"},
		{func(s *modulegen.Spec) { s.MaxEventGap = "ten minutes" }, "max-event-gap: \"ten minutes\" is not a duration"},
		{func(s *modulegen.Spec) { s.Heartbeat = "20m" }, "heartbeat: 20m0s is longer than max_event_gap"},
		{func(s *modulegen.Spec) { s.Loggers = map[string]modulegen.Logger{"ai": {}} }, "logger: ai has no logger ID"},
		{func(s *modulegen.Spec) {
			s.Operations = map[string]modulegen.Operation{"x": {Method: "post", URLTemplate: "/x"}}
		}, "operation: x: \"post\" is not an HTTP method"},
		{func(s *modulegen.Spec) { s.Operations = nil }, "the API needs an operation"},
	}
	for _, tc := range cases {
		s := modulegen.Default()
		tc.change(&s)
		_, err := modulegen.Generate(s)
		var ie *modulegen.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want an input error with %q", err, tc.want)
		}
	}
}

// User values go in as HCL values: quotes and template sequences in a
// name cannot turn into code.
func TestUserValuesStayValues(t *testing.T) {
	s := modulegen.Default()
	s.BackendURL = `https://x.example/${file("/etc/passwd")}"`
	files, err := modulegen.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	if v := string(files["variables.tf"]); !strings.Contains(v, `default     = "https://x.example/$${file(\"/etc/passwd\")}\""`) {
		t.Fatalf("service_url's default is not an escaped string:\n%s", v)
	}
}

// A file the earlier run wrote and this one does not generate goes, unless
// the user changed it.
func TestWriteForceRemovesWhatIsNoLongerGenerated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "module")
	first := modulegen.Files{"main.tf": []byte("# v1\n"), "modules/appgw-sse/main.tf": []byte("# gw\n"), "modules/appgw-sse/outputs.tf": []byte("# gw out\n")}
	if _, err := modulegen.Write(dir, first, "test", false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "modules/appgw-sse/outputs.tf"), []byte("# my outputs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := modulegen.Write(dir, modulegen.Files{"main.tf": []byte("# v2\n")}, "test", true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Removed, []string{"modules/appgw-sse/main.tf"}) || !slices.Equal(res.Kept, []string{"modules/appgw-sse/outputs.tf"}) {
		t.Fatalf("removed %v, kept %v", res.Removed, res.Kept)
	}
	if _, err := os.Stat(filepath.Join(dir, "modules/appgw-sse/main.tf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("modules/appgw-sse/main.tf is still there: %v", err)
	}
	// The user's file stays protected on the next run too.
	res, err = modulegen.Write(dir, modulegen.Files{"main.tf": []byte("# v2\n")}, "test", true)
	if err != nil || !slices.Equal(res.Kept, []string{"modules/appgw-sse/outputs.tf"}) {
		t.Fatalf("third run: %+v, %v", res, err)
	}
}
