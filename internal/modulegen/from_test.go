package modulegen_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermconfigs"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

func contains(lines []string, part string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, part) })
}

// assumed reports whether the spec assumes setting.
func assumed(s modulegen.Spec, setting string) bool {
	return slices.ContainsFunc(s.Assumed, func(a modulegen.Assumption) bool { return a.Setting == setting })
}

// variableDefaults reads the defaults of variables.tf, as terraform
// would.
func variableDefaults(t *testing.T, src []byte) map[string]cty.Value {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "variables.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		t.Fatalf("variables.tf's body is a %T", f.Body)
	}
	out := map[string]cty.Value{}
	for _, b := range body.Blocks {
		if b.Type != "variable" {
			continue
		}
		if a := b.Body.Attributes["default"]; a != nil {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			out[b.Labels[0]] = v
		}
	}
	return out
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
	// What the tree holds is taken, what it does not is assumed.
	for _, setting := range []string{"sku_name", "api_management", "max_event_gap", "heartbeat_interval", "max_time_to_headers", "hops"} {
		if !assumed(s, setting) {
			t.Errorf("%s is not assumed: %+v", setting, s.Assumed)
		}
	}
	for _, setting := range []string{"operations", "display_name", "protocols", "subscription_required", "revision", "path", "service_url", "version_set_id"} {
		if assumed(s, setting) {
			t.Errorf("%s is assumed, though the tree holds it: %+v", setting, s.Assumed)
		}
	}

	dir := writeGenerated(t, s)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	vars, err := os.ReadFile(filepath.Join(dir, "variables.tf"))
	if err != nil {
		t.Fatal(err)
	}
	defaults := variableDefaults(t, vars)
	for _, line := range []string{
		`sku_name = "StandardV2_1" (the tree does not hold the instance's SKU): set var.api_management_sku_name, or give --apim-sku`,
		`max_event_gap = "10m" (the tree does not hold the backend's timing): set var.max_event_gap, or give --max-event-gap`,
		`hops = apim (the tree does not show what is in front of API Management): give --hops (they decide which files are written: no variable holds them)`,
	} {
		if !slices.Contains(s.Assumptions(), line) {
			t.Errorf("assumptions do not say %q:\n%s", line, strings.Join(s.Assumptions(), "\n"))
		}
		if !strings.Contains(string(readme), "- "+line+"\n") {
			t.Errorf("README does not say %q:\n%s", line, readme)
		}
	}
	// Each assumption is a variable's default, and its description says so.
	if d := defaults["api_management_sku_name"]; d.IsNull() || d.AsString() != "StandardV2_1" {
		t.Errorf("api_management_sku_name defaults to %#v", d)
	}
	if !regexp.MustCompile(`(?s)variable "api_management_sku_name" \{\s*description = "[^"]*Assumed by sseready init \(the tree does not hold the instance's SKU\)`).Match(vars) {
		t.Errorf("api_management_sku_name's description does not say it was assumed:\n%s", vars)
	}

	// The module writes the tree's values into azurerm's resources.
	planned := plannedAPI(t, dir)
	api := planned["azurerm_api_management_api.this"]
	if api == nil {
		t.Fatalf("module.api writes no azurerm_api_management_api: %v", planned)
	}
	want := map[string]any{
		"name": "chat", "path": "openai", "revision": "1", "display_name": "Chat", "protocols": []any{"https"},
		"subscription_required": true, "service_url": "https://aoai-chat.openai.azure.com/openai", "version": "v1",
		"version_set_id":                   "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.ApiManagement/service/apim-prod/apiVersionSets/chat",
		"subscription_key_parameter_names": []any{map[string]any{"header": "api-key", "query": "api-key"}},
	}
	for k, v := range want {
		if !reflect.DeepEqual(api.Values[k], v) {
			t.Errorf("azurerm_api_management_api.%s = %#v, want %#v (apiInformation.json's)", k, api.Values[k], v)
		}
	}
	for id, tmpl := range map[string]string{"chat-completions": "/deployments/{deployment-id}/chat/completions", "completions": "/deployments/{deployment-id}/completions"} {
		op := planned[`azurerm_api_management_api_operation.this["`+id+`"]`]
		if op == nil || op.Values["method"] != "POST" || op.Values["url_template"] != tmpl || op.Values["api_name"] != "chat" {
			t.Errorf("operation %s: want POST %s on chat, as specification.yaml declares it; got %v", id, tmpl, op)
		}
	}
	out := proveDir(t, dir)
	if !strings.Contains(out, `run "settings_stream"... pass`) {
		t.Errorf("terraform test:\n%s", out)
	}
}

// --api 'chat;rev=2' writes revision 2 of chat: the API keeps its name
// and path, and its operations, policy and diagnostics go on chat;rev=2.
func TestFromAPIOpsRevision(t *testing.T) {
	t.Parallel()
	s, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "chat;rev=2")
	if err != nil {
		t.Fatal(err)
	}
	if s.APIName != "chat" || s.Path != "openai" || s.Revision != "2" {
		t.Fatalf("name %q, path %q, revision %q: want chat, openai, 2", s.APIName, s.Path, s.Revision)
	}
	if !contains(s.BeforeYouApply, "says it is not the current revision") {
		t.Errorf("before you apply %q: want the revision not current", s.BeforeYouApply)
	}
	if !assumed(s, "version_set_id") || !contains(s.Assumptions(), `version_set_id = "/apiVersionSets/chat" (`) {
		t.Errorf("the relative version set ID is not said to be assumed: %q", s.Assumptions())
	}
	dir := writeGenerated(t, s)
	planned := plannedAPI(t, dir)
	api := planned["azurerm_api_management_api.this"]
	if api == nil {
		t.Fatalf("module.api writes no azurerm_api_management_api: %v", planned)
	}
	for k, v := range map[string]any{
		"name": "chat", "path": "openai", "revision": "2", "display_name": "Chat (next)", "protocols": []any{"http", "https"},
		"subscription_required": false, "service_url": "https://aoai-chat-next.openai.azure.com/openai",
	} {
		if !reflect.DeepEqual(api.Values[k], v) {
			t.Errorf("azurerm_api_management_api.%s = %#v, want %#v", k, api.Values[k], v)
		}
	}
	for _, addr := range []string{`azurerm_api_management_api_operation.this["responses"]`, `azurerm_api_management_api_operation.this["chat-completions"]`, "azurerm_api_management_api_policy.this"} {
		if r := planned[addr]; r == nil || r.Values["api_name"] != "chat;rev=2" {
			t.Errorf("%s: want it on chat;rev=2, got %v", addr, r)
		}
	}
	proveDir(t, dir)
}

func TestFromAPIOpsUnknownAPI(t *testing.T) {
	t.Parallel()
	_, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "billing")
	if !errors.Is(err, modulegen.ErrUnknownAPI) || !strings.Contains(err.Error(), "it has chat, chat;rev=2, orders") {
		t.Fatalf("err = %v, want an unknown API listing chat, its revision 2 and orders", err)
	}
	if _, err := modulegen.FromAPIOps(t.TempDir(), "chat"); err == nil || !strings.Contains(err.Error(), "not an APIOps tree") {
		t.Fatalf("err = %v, want not an APIOps tree", err)
	}
}

func TestFromPlan(t *testing.T) {
	t.Parallel()
	plan := azurermconfigs.Plan(t, "legacy-api")
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
	// A plan holds the instance's SKU and the operations, never the
	// backend's timing.
	for _, setting := range []string{"max_event_gap", "heartbeat_interval", "max_time_to_headers"} {
		if !assumed(s, setting) {
			t.Errorf("%s is not assumed: %+v", setting, s.Assumed)
		}
	}
	for _, setting := range []string{"sku_name", "operations", "api_management", "revision", "protocols", "display_name", "api_version"} {
		if assumed(s, setting) {
			t.Errorf("%s is assumed, though the plan holds it: %+v", setting, s.Assumed)
		}
	}
	s = modulegen.Merge(&s, modulegen.Flags{MaxEventGap: ptr("5m")})
	if assumed(s, "max_event_gap") || !assumed(s, "heartbeat_interval") {
		t.Errorf("--max-event-gap given: want max_event_gap no longer assumed, and the heartbeat still: %q", s.Assumptions())
	}
	dir := writeGenerated(t, s)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "- heartbeat_interval = \"20s\" (the plan does not hold the backend's timing): set var.heartbeat_interval, or give --heartbeat\n") ||
		strings.Contains(string(readme), "- max_event_gap =") {
		t.Errorf("README does not say which timing it assumes:\n%s", readme)
	}

	// The module writes the plan's values into azurerm's resources.
	planned := plannedAPI(t, dir)
	api := planned["azurerm_api_management_api.this"]
	if api == nil {
		t.Fatalf("module.api writes no azurerm_api_management_api: %v", planned)
	}
	for k, v := range map[string]any{
		"name": "chat", "path": "openai", "revision": "3", "display_name": "Chat completions", "protocols": []any{"https"},
		"subscription_required": false, "service_url": "https://aoai-chat.openai.azure.com/openai", "version": "2024-10-21",
		"version_set_id":                   "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-chat/providers/Microsoft.ApiManagement/service/apim-chat/apiVersionSets/chat",
		"subscription_key_parameter_names": []any{map[string]any{"header": "api-key", "query": "api-key"}},
	} {
		if !reflect.DeepEqual(api.Values[k], v) {
			t.Errorf("azurerm_api_management_api.%s = %#v, want %#v (the plan's)", k, api.Values[k], v)
		}
	}
	for id, tmpl := range map[string]string{"completions": "/deployments/gpt-4o/chat/completions", "responses": "/responses"} {
		op := planned[`azurerm_api_management_api_operation.this["`+id+`"]`]
		if op == nil || op.Values["method"] != "POST" || op.Values["url_template"] != tmpl || op.Values["api_name"] != "chat;rev=3" {
			t.Errorf("operation %s: want POST %s on chat;rev=3, as the plan declares it; got %v", id, tmpl, op)
		}
	}
	proveDir(t, dir)
}

// A Consumption SKU the plan holds is blamed on the plan's resource, not
// on --apim-sku; given on the command line, the flag is blamed.
func TestFromPlanConsumptionIsThePlans(t *testing.T) {
	t.Parallel()
	plan := azurermconfigs.Plan(t, "consumption-api")
	s, err := modulegen.FromPlan(plan, "azurerm_api_management_api.chat")
	if err != nil {
		t.Fatal(err)
	}
	_, err = modulegen.Generate(modulegen.Merge(&s, modulegen.Flags{}))
	var ie *modulegen.InputError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 {
		t.Fatalf("err = %v, want one problem", err)
	}
	want := "azurerm_api_management.main.sku_name = Consumption_0 (from the plan) does not keep long-running connections (rule SSE201)"
	if p := ie.Problems[0]; p.Flag != "apim-sku" || !strings.HasPrefix(p.Text, want) || strings.Contains(p.Text, "--apim-sku:") {
		t.Errorf("problem %+v, want it to begin %q", p, want)
	}
	if _, err := modulegen.Generate(modulegen.Merge(&s, modulegen.Flags{SKU: ptr("Premium_1")})); err != nil {
		t.Errorf("--apim-sku Premium_1 over the plan's Consumption_0: %v", err)
	}
	_, err = modulegen.Generate(modulegen.Merge(&s, modulegen.Flags{SKU: ptr("Consumption_0")}))
	if err == nil || !strings.HasPrefix(err.Error(), "--apim-sku: Consumption_0 does not keep") {
		t.Errorf("--apim-sku Consumption_0: err = %v, want it blamed on the flag", err)
	}
}

func ptr(s string) *string { return &s }

func TestFromPlanBadAddress(t *testing.T) {
	t.Parallel()
	plan := azurermconfigs.Plan(t, "legacy-api")
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

// A finding without a safe fix is kept as written, listed before the
// apply with where it is and counted; the generated module's own test
// fails on it, as the README and sseready init say.
func TestFromAPIOpsListsWhatItCannotFix(t *testing.T) {
	t.Parallel()
	s, err := modulegen.FromAPIOps(filepath.Join("testdata", "apiops"), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Unfixable) != 2 || !contains(s.Unfixable, "SSE111 has no safe fix") || !contains(s.Unfixable, "SSE112 has no safe fix") || !contains(s.Unfixable, "apis/orders/policy.xml") {
		t.Fatalf("unfixable %q: want the set-body findings SSE111 and SSE112, placed", s.Unfixable)
	}
	if !strings.Contains(string(s.Policy.XML), "<set-body>@(context.Response.Body.As<string>().ToUpper())</set-body>") {
		t.Fatalf("the policy changed where no fix is safe:\n%s", s.Policy.XML)
	}
	summary := "2 errors in the API policy have no safe fix: the module's terraform test fails on them"
	if !strings.HasPrefix(s.UnfixableSummary(), summary) {
		t.Errorf("summary %q, want it to begin %q", s.UnfixableSummary(), summary)
	}
	// orders has no apiInformation.json: what it would say is assumed.
	for _, setting := range []string{"path", "service_url", "display_name", "protocols", "subscription_required", "revision", "operations"} {
		if !assumed(s, setting) {
			t.Errorf("%s is not assumed: %q", setting, s.Assumptions())
		}
	}
	for _, want := range []string{
		`path = "orders" (the API has no apiInformation.json; the API's name is taken): set var.path, or give --path`,
		`operations = { chat-completions = POST /deployments/{deployment-id}/chat/completions } (the tree holds no specification for the API): set var.operations, or give --operation`,
	} {
		if !slices.Contains(s.Assumptions(), want) {
			t.Errorf("assumptions %q: want %q", s.Assumptions(), want)
		}
	}
	if contains(s.Assumptions(), " = ? (") {
		t.Errorf("an assumption has no value: %q", s.Assumptions())
	}
	dir := writeGenerated(t, s)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "## Before you apply") || !strings.Contains(string(readme), "- "+summary) || !strings.Contains(string(readme), "SSE111 has no safe fix") {
		t.Fatalf("README does not list them:\n%s", readme)
	}

	// What the summary says: terraform test fails, at the settings run,
	// on the policy's precondition; a plan stops on it too.
	tf := azurermstandin.Start(t, dir, azurermstandin.WithMirror(mirror.Path(t)),
		azurermstandin.WithFile("caller_provider.tf", "provider \"azurerm\" {\n  features {}\n}\n"))
	out, err := tf.Run("test", "-no-color")
	if err == nil {
		t.Fatalf("terraform test passed on a policy with errors:\n%s", out)
	}
	all := string(out) + err.Error()
	for _, want := range []string{`run "settings"... fail`, "Resource precondition failed", "The policy of API orders cannot stream", "SSE111", "SSE112"} {
		if !strings.Contains(all, want) {
			t.Errorf("terraform test does not say %q:\n%s", want, all)
		}
	}
	if out, err := tf.Run("plan", "-input=false", "-no-color"); err == nil || !strings.Contains(err.Error(), "Resource precondition failed") {
		t.Errorf("terraform plan: err = %v, want the policy's precondition to stop it:\n%s", err, out)
	}
}

// A value the tree gives that the module cannot take is blamed on its
// file and place in the tree, not on a flag the user did not give.
func TestFromAPIOpsBlamesTheTree(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(tree, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("apis/chat_v2/apiInformation.json", `{"properties": {"displayName": "Chat", "path": "chat", "protocols": ["https"], "apiRevision": "1", "serviceUrl": "ftp://aoai.example.com"}}`)
	write("apis/chat_v2/specification.yaml", "openapi: 3.0.1\ninfo:\n  title: Chat\n  version: v1\npaths:\n  /chat:\n    post:\n      operationId: Chat.Completions\n      responses:\n        '200':\n          description: ok\n")
	s, err := modulegen.FromAPIOps(tree, "chat_v2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = modulegen.Generate(modulegen.Merge(&s, modulegen.Flags{}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := filepath.ToSlash(err.Error())
	for _, want := range []string{
		`/apis/chat_v2 (from the APIOps tree): "chat_v2" is not an API name`,
		`/apis/chat_v2/apiInformation.json (from the APIOps tree): "ftp://aoai.example.com" is not an http(s) URL`,
		`/apis/chat_v2/specification.yaml:7:5 (from the APIOps tree): "Chat.Completions" is not an operation_id`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	for _, flag := range []string{"--api-name", "--backend-url", "--operation"} {
		if strings.Contains(msg, flag+":") {
			t.Errorf("error blames %s, which was not given:\n%s", flag, msg)
		}
	}
	// A version without its version set is not written, and said so.
	write("apis/chat/apiInformation.json", `{"properties": {"displayName": "Chat", "path": "chat", "protocols": ["https"], "apiRevision": "1", "apiVersion": "v1", "subscriptionRequired": true}}`)
	v, err := modulegen.FromAPIOps(tree, "chat")
	if err != nil {
		t.Fatal(err)
	}
	if want := `api_version = null (` + filepath.ToSlash(tree) + `/apis/chat/apiInformation.json says version "v1" but names no version set (apiVersionSetId), which azurerm needs with it: the module writes no version): set var.api_version`; !slices.Contains(v.Assumptions(), want) {
		t.Errorf("assumptions %q: want %q", v.Assumptions(), want)
	}
	if _, err := modulegen.Generate(v); err != nil {
		t.Error(err)
	}

	// Given on the command line, the flag replaces the tree's value and is
	// what a problem names.
	_, err = modulegen.Generate(modulegen.Merge(&s, modulegen.Flags{APIName: ptr("chat_3"), BackendURL: ptr("https://aoai.example.com"),
		Operations: map[string]modulegen.Operation{"chat": {DisplayName: "chat", Method: "POST", URLTemplate: "/chat"}}}))
	if err == nil || err.Error() != `--api-name: "chat_3" is not an API name: 1 to 80 letters, digits and hyphens, starting with a letter or digit` {
		t.Errorf("err = %v, want only --api-name blamed", err)
	}
}
