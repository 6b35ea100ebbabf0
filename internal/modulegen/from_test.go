package modulegen_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/azurermstandin"
	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
)

func contains(lines []string, part string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, part) })
}

func TestFromAPIOps(t *testing.T) {
	t.Parallel()
	s, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "chat")
	if err != nil {
		t.Fatal(err)
	}
	if s.Path != "openai" || s.BackendURL != "https://aoai-chat.openai.azure.com/openai" {
		t.Errorf("path %q, backend %q: want apiInformation.json's", s.Path, s.BackendURL)
	}
	if l := s.Loggers["applicationinsights"]; !strings.HasSuffix(l.ID, "/loggers/appi-chat") {
		t.Errorf("loggers %v: want the diagnostic's loggerId", s.Loggers)
	}
	if s.Policy == nil || !strings.Contains(string(s.Policy.XML), `buffer-response="false"`) ||
		!strings.Contains(string(s.Policy.XML), "<!-- the legacy setting: buffers every answer -->") {
		t.Fatalf("policy: want the tree's, fixed, its comment kept:\n%s", s.Policy.XML)
	}
	if _, ok := s.Policy.Fragments["quota"]; !ok {
		t.Errorf("fragments %v: want quota, which the policy includes", s.Policy.Fragments)
	}
	if !contains(s.Fixed, "SSE101") || !contains(s.Fixed, "diagnostics log no bodies") {
		t.Errorf("fixed %q: want SSE101 and the diagnostic's body logging", s.Fixed)
	}
	out := proveGenerated(t, s)
	if !strings.Contains(out, `run "settings_stream"... pass`) {
		t.Errorf("terraform test:\n%s", out)
	}
}

func TestFromAPIOpsUnknownAPI(t *testing.T) {
	t.Parallel()
	_, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "billing")
	if !errors.Is(err, modulegen.ErrUnknownAPI) || !strings.Contains(err.Error(), "it has chat, orders") {
		t.Fatalf("err = %v, want an unknown API listing chat and orders", err)
	}
	if _, err := modulegen.FromAPIOps(t.TempDir(), "chat"); err == nil || !strings.Contains(err.Error(), "not an APIOps tree") {
		t.Fatalf("err = %v, want not an APIOps tree", err)
	}
}

func TestFromPlan(t *testing.T) {
	t.Parallel()
	plan := azurermstandin.Plan(t, filepath.Join("testdata", "plan"))
	s, err := modulegen.FromPlan(plan, "azurerm_api_management_api.chat")
	if err != nil {
		t.Fatal(err)
	}
	if s.APIName != "chat" || s.Path != "openai" || s.APIM.SKU != "Premium_1" || s.APIM.Name != "apim-chat" {
		t.Errorf("spec %+v: want the plan's API and instance", s)
	}
	if op := s.Operations["completions"]; op.Method != "POST" || op.URLTemplate != "/deployments/gpt-4o/chat/completions" {
		t.Errorf("operations %v: want the plan's", s.Operations)
	}
	if !s.Has(modulegen.HopAppGateway) {
		t.Errorf("hops %v: the plan's App Gateway is in front of the API", s.Hops)
	}
	if s.Policy == nil || !strings.Contains(string(s.Policy.XML), `buffer-response="false"`) {
		t.Fatalf("policy: want the plan's, fixed")
	}
	for _, want := range []string{"SSE101", "diagnostics log no bodies", "global block"} {
		if !contains(s.Fixed, want) {
			t.Errorf("fixed %q: want %s", s.Fixed, want)
		}
	}
	if !s.TimingAssumed {
		t.Error("a plan holds no backend timing: TimingAssumed must be set")
	}
	s.MaxEventGap = "5m" // as --max-event-gap would
	files, err := modulegen.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	if readme := string(files["README.md"]); !strings.Contains(readme, "the module assumes a longest silence of 5m, a heartbeat every 20s") {
		t.Errorf("README does not say which timing it assumes:\n%s", readme)
	}
	proveGenerated(t, s)
}

func TestFromPlanBadAddress(t *testing.T) {
	t.Parallel()
	plan := azurermstandin.Plan(t, filepath.Join("testdata", "plan"))
	cases := map[string]string{
		"azurerm_api_management_api.billing": "it has azurerm_api_management_api.chat",
		"azurerm_api_management.chat":        "is an azurerm_api_management: --api takes an azurerm_api_management_api's address",
	}
	for addr, want := range cases {
		if _, err := modulegen.FromPlan(plan, addr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", addr, err, want)
		}
	}
	if _, err := modulegen.FromPlan([]byte("{"), "x"); err == nil {
		t.Error("a plan that is not JSON: no error")
	}
}

// A finding without a safe fix is kept as written and listed before the
// apply, with where it is.
func TestFromAPIOpsListsWhatItCannotFix(t *testing.T) {
	t.Parallel()
	s, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if !contains(s.BeforeYouApply, "has no safe fix") || !contains(s.BeforeYouApply, "apis/orders/policy.xml") {
		t.Fatalf("before you apply %q: want the set-body finding, placed", s.BeforeYouApply)
	}
	if !strings.Contains(string(s.Policy.XML), "<set-body>@(context.Response.Body.As<string>().ToUpper())</set-body>") {
		t.Fatalf("the policy changed where no fix is safe:\n%s", s.Policy.XML)
	}
	files, err := modulegen.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	if readme := string(files["README.md"]); !strings.Contains(readme, "## Before you apply") || !strings.Contains(readme, "has no safe fix") {
		t.Fatalf("README does not list it:\n%s", readme)
	}
}
