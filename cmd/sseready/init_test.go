package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
)

// sseready init's tests are fast: they check what the CLI makes of its
// flags and what it writes. internal/modulegen runs terraform test on
// generated modules.

// readOut reads a file init wrote.
func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hasDefault reports whether variables.tf gives variable name a default
// holding value (a quoted string, as hclwrite writes it).
func hasDefault(t *testing.T, variables, name, value string) bool {
	t.Helper()
	block := regexp.MustCompile(`(?s)variable "` + regexp.QuoteMeta(name) + `" \{.*?\n\}`).FindString(variables)
	if block == "" {
		t.Fatalf("variables.tf has no variable %q:\n%s", name, variables)
	}
	var def []string
	for _, line := range strings.Split(block, "\n") {
		switch {
		case def == nil && regexp.MustCompile(`^  default\s*=`).MatchString(line):
			def = []string{line}
			if !strings.HasSuffix(line, "{") && !strings.HasSuffix(line, "[") {
				return strings.Contains(line, `"`+value+`"`)
			}
		case def != nil:
			def = append(def, line)
			if line == "  }" || line == "  ]" {
				return strings.Contains(strings.Join(def, "\n"), `"`+value+`"`)
			}
		}
	}
	return false
}

func TestInitBadFlags(t *testing.T) {
	base := t.TempDir()
	full := filepath.Join(base, "full")
	if err := os.MkdirAll(full, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "main.tf"), []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string // after --out DIR, unless noOut
		want []string
	}{
		{"bad --apim-sku", []string{"--apim-sku", "Gold_1"}, []string{`--apim-sku: sku_name "Gold_1" is not an API Management SKU`}},
		{"Consumption SKU", []string{"--apim-sku", "Consumption_0"}, []string{"--apim-sku: Consumption_0 does not keep long-running connections (rule SSE201)"}},
		{"bad --hops value", []string{"--hops", "app_gateway,waf"}, []string{`--hops: "waf" is not a hop`}},
		{"empty --hops", []string{"--hops", ","}, []string{`--hops ",": give the gateways the stream crosses`}},
		{"bad --operation syntax", []string{"--operation", "stream=/events"}, []string{`--operation "stream=/events": write ID=METHOD:/url/template`}},
		{"bad --operation method", []string{"--operation", "stream=FETCH:/events"}, []string{`--operation: stream: "FETCH" is not an HTTP method`}},
		{"operation given twice", []string{"--operation", "a=GET:/a", "--operation", "a=GET:/b"}, []string{`--operation "a=GET:/b": the operation a is given twice`}},
		{"bad --logger syntax", []string{"--logger", "appinsights"}, []string{`--logger "appinsights": write NAME=ID`}},
		{"bad --logger identifier", []string{"--logger", "appi=/loggers/appi@splunk"}, []string{`--logger "appi=/loggers/appi@splunk": after @ comes azuremonitor`}},
		{"bad --max-event-gap", []string{"--max-event-gap", "10"}, []string{`--max-event-gap: "10" is not a duration`}},
		{"bad --path", []string{"--path", "/chat"}, []string{`--path: "/chat" is not a URL suffix`}},
		{"every bad flag at once", []string{"--apim-sku", "Consumption_0", "--logger", "x", "--operation", "y"},
			[]string{"--apim-sku: Consumption_0", `--logger "x"`, `--operation "y"`}},
		{"missing --out", nil, []string{"--out is required"}},
		{"--api without a source", []string{"--api", "chat"}, []string{"--api names the API to read from --from-apiops TREE or --from-plan PLAN.json"}},
		{"--from-apiops without --api", []string{"--from-apiops", base}, []string{"--from-apiops needs --api NAME"}},
		{"--from-plan without --api", []string{"--from-plan", "plan.json"}, []string{"--from-plan needs --api ADDRESS"}},
		{"both sources", []string{"--from-apiops", base, "--from-plan", "plan.json", "--api", "chat"}, []string{"--from-apiops and --from-plan both give the API: give one of them"}},
		{"unreadable plan", []string{"--from-plan", filepath.Join(base, "none.json"), "--api", "azurerm_api_management_api.chat"}, []string{"--from-plan: open ", "none.json: no such file"}},
		{"an argument", []string{"chat"}, []string{`unexpected argument "chat"`}},
		{"unknown flag", []string{"--sku", "Premium_1"}, []string{"flag provided but not defined: -sku"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "module")
			args := []string{"init"}
			if tt.name != "missing --out" {
				args = append(args, "--out", out)
			}
			code, stdout, stderr := runCLI(t, "", append(args, tt.args...)...)
			if code != exitInput {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInput, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written (%v)", out, err)
			}
		})
	}

	t.Run("non-empty directory without --force", func(t *testing.T) {
		code, _, stderr := runCLI(t, "", "init", "--out", full)
		if code != exitInput || !strings.Contains(stderr, "sseready init: "+full+": the directory is not empty: sseready init writes a new module; give another --out, or --force") {
			t.Errorf("exit %d:\n%s", code, stderr)
		}
		if got := readOut(t, full, "main.tf"); got != "# mine\n" {
			t.Errorf("main.tf was overwritten:\n%s", got)
		}
	})
}

func TestInitHelp(t *testing.T) {
	code, _, stderr := runCLI(t, "", "init", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, w := range []string{
		"Usage: sseready init --out DIR [flags]",
		"cd DIR && terraform init && terraform test",
		`-apim-sku SKU`, `(default "StandardV2_1")`,
		"apim is always included (default \"apim\")",
		"the API's URL SUFFIX, without a leading slash (default: the API name)",
		"replace the default chat-completions=POST:/deployments/{deployment-id}/chat/completions",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help does not say %q:\n%s", w, stderr)
		}
	}
	if _, usage, _ := runCLI(t, "", "help"); !strings.Contains(usage, "sseready init --out DIR [flags]") {
		t.Errorf("sseready help does not list init:\n%s", usage)
	}
}

func TestInitWritesTheModule(t *testing.T) {
	out := filepath.Join(t.TempDir(), "streams module")
	code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--api-name", "streams", "--apim-sku", "PremiumV2_1",
		"--hops", "app_gateway", "--logger", "appinsights=/subscriptions/s/loggers/appi", "--logger", "monitor=/subscriptions/s/loggers/mon@azuremonitor",
		"--operation", "events=get:/events", "--max-event-gap", "2m", "--heartbeat", "none")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, name := range []string{"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md", "tests/stream.tftest.hcl", "modules/apim-sse-api/main.tf", "modules/appgw-sse/main.tf"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	vars := readOut(t, out, "variables.tf")
	for _, d := range []struct{ variable, value string }{
		{"api_name", "streams"}, {"path", "streams"}, {"api_management_sku_name", "PremiumV2_1"}, {"api_management", "apim-chat"},
		{"max_event_gap", "2m"}, {"loggers", "/subscriptions/s/loggers/appi"}, {"loggers", "azuremonitor"}, {"operations", "/events"}, {"operations", "GET"},
	} {
		if !hasDefault(t, vars, d.variable, d.value) {
			t.Errorf("variable %s does not default to %q:\n%s", d.variable, d.value, vars)
		}
	}
	if hasDefault(t, vars, "operations", "/deployments/{deployment-id}/chat/completions") || strings.Contains(vars, "chat-completions") {
		t.Errorf("--operation did not replace the default operation:\n%s", vars)
	}
	if !regexp.MustCompile(`(?s)variable "heartbeat_interval" \{[^}]*default\s*=\s*null`).MatchString(vars) {
		t.Errorf("--heartbeat none is not a null heartbeat:\n%s", vars)
	}
	for _, w := range []string{
		"wrote the module for the API streams into " + out + ":\n",
		"\n  main.tf ", "\n  variables.tf ", "\n  tests/stream.tftest.hcl ",
		"\n  modules/apim-sse-api/          sseready's module, vendored (",
		"\n  modules/appgw-sse/ ",
		"\nnext: cd '" + out + "' && terraform init && terraform test\n",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout does not say %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout, "modules/apim-sse-api/main.tf") {
		t.Errorf("stdout lists the vendored files one by one:\n%s", stdout)
	}
}

// The defaults of the flags are modulegen.Default's, path following the
// API name.
func TestInitDefaults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "chat")
	code, stdout, stderr := runCLI(t, "", "init", "--out", out)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	def := modulegen.Default()
	vars := readOut(t, out, "variables.tf")
	for _, d := range []struct{ variable, value string }{
		{"api_name", def.APIName}, {"path", def.APIName}, {"service_url", def.BackendURL},
		{"api_management", def.APIM.Name}, {"api_management", def.APIM.ResourceGroup}, {"api_management_sku_name", def.APIM.SKU},
		{"max_event_gap", def.MaxEventGap}, {"heartbeat_interval", def.Heartbeat}, {"max_time_to_headers", def.MaxTimeToHeaders},
		{"operations", "/deployments/{deployment-id}/chat/completions"},
	} {
		if !hasDefault(t, vars, d.variable, d.value) {
			t.Errorf("variable %s does not default to %q:\n%s", d.variable, d.value, vars)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "modules", "appgw-sse")); !os.IsNotExist(err) {
		t.Errorf("modules/appgw-sse written without --hops app_gateway (%v)", err)
	}
	if !strings.Contains(stdout, "\nnext: cd "+out+" && terraform init && terraform test\n") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// A path the module cannot make stream is written, with the problem as a
// warning.
func TestInitWarnsOfWhatThePathCannotSurvive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m")
	code, _, stderr := runCLI(t, "", "init", "--out", out, "--max-event-gap", "10m", "--heartbeat", "none")
	if code != exitOK || !strings.Contains(stderr, "sseready init: warning: error SSE401 (load_balancer): the stream can stay silent for 10m0s") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(readOut(t, out, "README.md"), "SSE401") {
		t.Errorf("README.md does not list SSE401 before the apply")
	}
}

func TestInitForceKeepsYourChanges(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m")
	if code, _, stderr := runCLI(t, "", "init", "--out", out); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	mine := readOut(t, out, "main.tf") + "\n# my change\n"
	if err := os.WriteFile(filepath.Join(out, "main.tf"), []byte(mine), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "", "init", "--out", out, "--apim-sku", "Premium_1"); code != exitInput || !strings.Contains(stderr, "--force") {
		t.Fatalf("without --force: exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--apim-sku", "Premium_1", "--force")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "\nkept your change to main.tf; delete it and run again to regenerate it\n") {
		t.Errorf("stdout does not report main.tf kept:\n%s", stdout)
	}
	if strings.Contains(stdout, "\n  main.tf") {
		t.Errorf("stdout lists main.tf as written:\n%s", stdout)
	}
	if got := readOut(t, out, "main.tf"); got != mine {
		t.Errorf("main.tf was replaced:\n%s", got)
	}
	if vars := readOut(t, out, "variables.tf"); !hasDefault(t, vars, "api_management_sku_name", "Premium_1") {
		t.Errorf("variables.tf, unchanged by the user, was not regenerated:\n%s", vars)
	}
}

// Dropping a hop removes the module an earlier run vendored for it.
func TestInitForceRemovesADroppedHopsModule(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m")
	if code, _, stderr := runCLI(t, "", "init", "--out", out, "--hops", "app_gateway,apim"); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--hops", "apim", "--force")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "removed modules/appgw-sse/main.tf: ") {
		t.Errorf("stdout does not report the gateway module removed:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "modules", "appgw-sse")); !os.IsNotExist(err) {
		t.Errorf("modules/appgw-sse is still there: %v", err)
	}
}

// stubSources gives init sources of its own for one test.
func stubSources(t *testing.T, apiops func(dir, api string) (modulegen.Spec, error), plan func(data []byte, address string) (modulegen.Spec, error)) {
	t.Helper()
	oldOps, oldPlan := specFromAPIOps, specFromPlan
	t.Cleanup(func() { specFromAPIOps, specFromPlan = oldOps, oldPlan })
	if apiops != nil {
		specFromAPIOps = apiops
	}
	if plan != nil {
		specFromPlan = plan
	}
}

// ordersSpec is an API a source gives.
func ordersSpec(source string) modulegen.Spec {
	s := modulegen.Default()
	s.APIName, s.Path, s.BackendURL = "orders", "shop/orders", "https://orders.example.com"
	s.APIM = modulegen.Instance{Name: "apim-shop", ResourceGroup: "rg-shop", SKU: "Premium_1"}
	s.MaxEventGap, s.Heartbeat, s.MaxTimeToHeaders = "2m", "", "45s"
	s.Operations = map[string]modulegen.Operation{"updates": {DisplayName: "Order updates", Method: "GET", URLTemplate: "/updates"}}
	s.Source = source
	return s
}

func TestInitExplicitFlagsOverrideTheSource(t *testing.T) {
	tree := t.TempDir()
	plan := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(plan, []byte(`{"format_version":"1.2"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var gotTree, gotAPI, gotPlan, gotAddress string
	stubSources(t,
		func(dir, api string) (modulegen.Spec, error) {
			gotTree, gotAPI = dir, api
			return ordersSpec("the APIOps tree " + dir + ", API " + api), nil
		},
		func(data []byte, address string) (modulegen.Spec, error) {
			gotPlan, gotAddress = string(data), address
			return ordersSpec("the plan, " + address), nil
		})

	t.Run("from-apiops", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "m")
		code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", "orders",
			"--apim-sku", "StandardV2_1", "--max-event-gap", "5m", "--hops", "app_gateway,apim", "--heartbeat", "20s")
		if code != exitOK || stderr != "" {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if gotTree != tree || gotAPI != "orders" {
			t.Errorf("FromAPIOps(%q, %q), want (%q, orders)", gotTree, gotAPI, tree)
		}
		vars := readOut(t, out, "variables.tf")
		for _, d := range []struct{ variable, value string }{
			// given on the command line
			{"api_management_sku_name", "StandardV2_1"}, {"max_event_gap", "5m"}, {"heartbeat_interval", "20s"},
			// the source's, though the flags' defaults differ
			{"api_management", "apim-shop"}, {"api_management", "rg-shop"}, {"api_name", "orders"}, {"path", "shop/orders"},
			{"service_url", "https://orders.example.com"}, {"max_time_to_headers", "45s"}, {"operations", "/updates"},
		} {
			if !hasDefault(t, vars, d.variable, d.value) {
				t.Errorf("variable %s does not default to %q:\n%s", d.variable, d.value, vars)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "modules", "appgw-sse", "main.tf")); err != nil {
			t.Errorf("--hops app_gateway,apim did not vendor appgw-sse: %v", err)
		}
		want := "the APIOps tree " + tree + ", API orders, with --apim-sku, --heartbeat, --hops and --max-event-gap given on the command line"
		if readme := readOut(t, out, "README.md"); !strings.Contains(strings.Join(strings.Fields(readme), " "), want) {
			t.Errorf("README.md does not say it came from %q:\n%s", want, readme)
		}
	})

	t.Run("from-plan", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "m")
		code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--from-plan", plan, "--api", "azurerm_api_management_api.orders",
			"--api-name", "orders-v2", "--operation", "stream=POST:/stream")
		if code != exitOK {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if gotPlan != `{"format_version":"1.2"}` || gotAddress != "azurerm_api_management_api.orders" {
			t.Errorf("FromPlan(%q, %q)", gotPlan, gotAddress)
		}
		vars := readOut(t, out, "variables.tf")
		for _, d := range []struct{ variable, value string }{
			{"api_name", "orders-v2"}, {"path", "shop/orders"}, {"api_management_sku_name", "Premium_1"}, {"max_event_gap", "2m"}, {"operations", "/stream"},
		} {
			if !hasDefault(t, vars, d.variable, d.value) {
				t.Errorf("variable %s does not default to %q:\n%s", d.variable, d.value, vars)
			}
		}
		if hasDefault(t, vars, "operations", "/updates") {
			t.Errorf("--operation did not replace the source's operations:\n%s", vars)
		}
	})

	t.Run("an API the source does not have", func(t *testing.T) {
		stubSources(t, func(dir, api string) (modulegen.Spec, error) {
			return modulegen.Spec{}, fmt.Errorf("%w %q in the tree: it has orders", modulegen.ErrUnknownAPI, api)
		}, nil)
		out := filepath.Join(t.TempDir(), "m")
		code, _, stderr := runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", "billing")
		if code != exitInput || !strings.Contains(stderr, `sseready init: --api: no such API "billing" in the tree: it has orders`) {
			t.Errorf("exit %d:\n%s", code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s was written (%v)", out, err)
		}
	})
}

// A real APIOps tree, read by modulegen.FromAPIOps (no terraform: the
// generated module's test runs in internal/modulegen).
func TestInitFromAPIOpsTree(t *testing.T) {
	tree := t.TempDir()
	for name, content := range map[string]string{
		"apis/chat/apiInformation.json": `{"properties": {"displayName": "Chat", "path": "openai", "serviceUrl": "https://aoai.example.com/openai"}}`,
		"apis/chat/policy.xml":          `<policies><inbound><base /></inbound><backend><forward-request timeout="120" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
	} {
		p := filepath.Join(tree, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "m")
	code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", "chat", "--apim-sku", "Premium_1")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "\n  policies/api.xml               the API policy, with the safe fixes\n") {
		t.Errorf("stdout does not list the policy:\n%s", stdout)
	}
	if policy := readOut(t, out, "policies/api.xml"); !strings.Contains(policy, `buffer-response="false"`) {
		t.Errorf("policies/api.xml is not fixed:\n%s", policy)
	}
	vars := readOut(t, out, "variables.tf")
	for _, d := range []struct{ variable, value string }{
		{"path", "openai"}, {"service_url", "https://aoai.example.com/openai"}, {"api_management_sku_name", "Premium_1"},
	} {
		if !hasDefault(t, vars, d.variable, d.value) {
			t.Errorf("variable %s does not default to %q:\n%s", d.variable, d.value, vars)
		}
	}

	code, _, stderr = runCLI(t, "", "init", "--out", filepath.Join(t.TempDir(), "m"), "--from-apiops", tree, "--api", "billing")
	if code != exitInput || !strings.Contains(stderr, `sseready init: --api: no such API "billing" in the APIOps tree`) || !strings.Contains(stderr, "it has chat") {
		t.Errorf("unknown API: exit %d:\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "", "init", "--out", filepath.Join(t.TempDir(), "m"), "--from-apiops", t.TempDir(), "--api", "chat")
	if code != exitInput || !strings.Contains(stderr, "sseready init: --from-apiops: ") || !strings.Contains(stderr, "not an APIOps tree") {
		t.Errorf("not a tree: exit %d:\n%s", code, stderr)
	}
}

// initTree writes an APIOps tree of the given files into a new
// directory.
func initTree(t *testing.T, files map[string]string) string {
	t.Helper()
	tree := t.TempDir()
	for name, content := range files {
		p := filepath.Join(tree, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return tree
}

const (
	initPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	chatSpec   = `openapi: 3.0.1
info:
  title: Chat
  version: v1
paths:
  '/deployments/{deployment-id}/chat/completions':
    post:
      operationId: chat-completions
      responses:
        '200':
          description: the completion or its stream
          content:
            text/event-stream: {}
  /responses:
    post:
      operationId: responses
      responses:
        '200':
          description: the response or its events
          content:
            text/event-stream: {}
`
)

// What the tree does not hold is assumed: init says so, once per value,
// with the variable that holds it and the flag that gives it; a flag
// given takes its line away.
func TestInitSaysWhatItAssumed(t *testing.T) {
	tree := initTree(t, map[string]string{
		"apis/chat/apiInformation.json": `{"properties": {"apiRevision": "1", "displayName": "Chat", "path": "openai", "protocols": ["https"], "serviceUrl": "https://aoai.example.com/openai",
			"subscriptionKeyParameterNames": {"header": "api-key", "query": "api-key"}, "subscriptionRequired": true, "type": "http"}}`,
		"apis/chat/specification.yaml": chatSpec,
		"apis/chat/policy.xml":         initPolicy,
	})
	sku := `assumed sku_name = "StandardV2_1" (the tree does not hold the instance's SKU): set var.api_management_sku_name, or give --apim-sku` + "\n"
	gap := `assumed max_event_gap = "10m" (the tree does not hold the backend's timing): set var.max_event_gap, or give --max-event-gap` + "\n"
	heartbeat := `assumed heartbeat_interval = "20s" (the tree does not hold the backend's timing): set var.heartbeat_interval, or give --heartbeat` + "\n"

	out := filepath.Join(t.TempDir(), "m")
	code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", "chat")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, line := range []string{sku, gap, heartbeat} {
		if !strings.Contains(stdout, line) {
			t.Errorf("stdout does not say %q:\n%s", line, stdout)
		}
		if readme := readOut(t, out, "README.md"); !strings.Contains(readme, "- "+strings.TrimPrefix(line, "assumed ")) {
			t.Errorf("README.md does not say %q:\n%s", line, readme)
		}
	}
	if strings.Contains(stdout, "assumed operations") || strings.Contains(stdout, "assumed protocols") {
		t.Errorf("stdout assumes what the tree holds:\n%s", stdout)
	}
	vars := readOut(t, out, "variables.tf")
	for _, d := range []struct{ variable, value string }{
		{"api_management_sku_name", "StandardV2_1"}, {"max_event_gap", "10m"}, {"heartbeat_interval", "20s"},
		{"operations", "/deployments/{deployment-id}/chat/completions"}, {"operations", "/responses"},
		{"subscription_key_parameter_names", "api-key"}, {"display_name", "Chat"},
	} {
		if !hasDefault(t, vars, d.variable, d.value) {
			t.Errorf("variable %s does not default to %q:\n%s", d.variable, d.value, vars)
		}
	}

	out = filepath.Join(t.TempDir(), "m")
	code, stdout, stderr = runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", "chat", "--apim-sku", "Premium_1", "--max-event-gap", "2m")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "assumed sku_name") || strings.Contains(stdout, "assumed max_event_gap") || !strings.Contains(stdout, heartbeat) {
		t.Errorf("--apim-sku and --max-event-gap given: want their lines gone, the heartbeat's kept:\n%s", stdout)
	}
}

// --api 'chat;rev=2' writes revision 2 of chat: its name and path stay the
// API's.
func TestInitRevision(t *testing.T) {
	tree := initTree(t, map[string]string{
		"apis/chat/apiInformation.json":       `{"properties": {"apiRevision": "1", "displayName": "Chat", "path": "openai", "protocols": ["https"], "isCurrent": true}}`,
		"apis/chat/specification.yaml":        chatSpec,
		"apis/chat;rev=2/apiInformation.json": `{"properties": {"apiRevision": "2", "displayName": "Chat", "path": "openai", "protocols": ["https"], "isCurrent": false}}`,
		"apis/chat;rev=2/specification.yaml":  chatSpec,
		"apis/chat;rev=2/policy.xml":          initPolicy,
		"apis/chat/policy.xml":                initPolicy,
	})
	for api, rev := range map[string]string{"chat": "1", "chat;rev=2": "2"} {
		out := filepath.Join(t.TempDir(), "m")
		code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", api)
		if code != exitOK || stderr != "" {
			t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", api, code, stdout, stderr)
		}
		vars := readOut(t, out, "variables.tf")
		for _, d := range []struct{ variable, value string }{{"revision", rev}, {"api_name", "chat"}, {"path", "openai"}} {
			if !hasDefault(t, vars, d.variable, d.value) {
				t.Errorf("%s: variable %s does not default to %q:\n%s", api, d.variable, d.value, vars)
			}
		}
		if main := readOut(t, out, "main.tf"); !strings.Contains(main, "revision                         = var.revision") {
			t.Errorf("%s: main.tf does not give the module the revision:\n%s", api, main)
		}
	}
}

// Errors no safe fix settles are printed with their count, and what they
// do to the module's test.
func TestInitPrintsWhatNoFixSettles(t *testing.T) {
	tree := initTree(t, map[string]string{
		"apis/orders/policy.xml": `<policies>
    <inbound>
        <base />
    </inbound>
    <backend>
        <forward-request />
    </backend>
    <outbound>
        <base />
        <set-body>@(context.Response.Body.As<string>().ToUpper())</set-body>
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>`,
	})
	out := filepath.Join(t.TempDir(), "m")
	code, stdout, stderr := runCLI(t, "", "init", "--out", out, "--from-apiops", tree, "--api", "orders")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	want := "sseready init: warning: 2 errors in the API policy have no safe fix: the module's terraform test fails on them (its first run, settings, stops at the API policy's precondition, check_apim_policy, as terraform plan and apply do) until you change policies/api.xml:\n"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	for _, rule := range []string{"SSE111", "SSE112"} {
		if !regexp.MustCompile(`(?m)^sseready init: warning:   \S*apis/orders/policy\.xml \(policies/api\.xml after the fixes\), line 10, column \d+: error ` + rule + ` has no safe fix: `).MatchString(stderr) {
			t.Errorf("stderr does not list %s, placed:\n%s", rule, stderr)
		}
	}
	if n := strings.Count(stderr, "has no safe fix: "); n != 2 {
		t.Errorf("stderr lists %d errors, want 2:\n%s", n, stderr)
	}
	if policy := readOut(t, out, "policies/api.xml"); !strings.Contains(policy, `buffer-response="false"`) {
		t.Errorf("the safe fix was not applied:\n%s", policy)
	}
}

// A value from the source that cannot be generated is blamed on its place
// in the source, not on a flag the user did not give.
func TestInitBlamesTheSource(t *testing.T) {
	plan := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(plan, []byte(`{"format_version":"1.2"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	stubSources(t, nil, func([]byte, string) (modulegen.Spec, error) {
		s := ordersSpec("the plan's azurerm_api_management_api.orders")
		s.APIM.SKU = "Consumption_0"
		s.Origins = map[string]modulegen.Origin{"apim-sku": {At: "azurerm_api_management.main.sku_name", In: "the plan"}}
		return s, nil
	})
	out := filepath.Join(t.TempDir(), "m")
	code, _, stderr := runCLI(t, "", "init", "--out", out, "--from-plan", plan, "--api", "azurerm_api_management_api.orders")
	want := "sseready init: azurerm_api_management.main.sku_name = Consumption_0 (from the plan) does not keep long-running connections (rule SSE201)"
	if code != exitInput || !strings.Contains(stderr, want) || strings.Contains(stderr, "--apim-sku:") {
		t.Errorf("exit %d, want %q, not --apim-sku:\n%s", code, want, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v)", out, err)
	}
	code, _, stderr = runCLI(t, "", "init", "--out", out, "--from-plan", plan, "--api", "azurerm_api_management_api.orders", "--apim-sku", "Premium_1")
	if code != exitOK {
		t.Errorf("--apim-sku Premium_1 over the plan's Consumption_0: exit %d:\n%s", code, stderr)
	}
}
