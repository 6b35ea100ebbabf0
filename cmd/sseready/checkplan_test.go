package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermconfigs"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// check-plan reads real `terraform show -json` output: the real terraform
// plans the configurations of internal/testonly/azurermconfigs against
// the azurerm stand-in.

var (
	planShowMu    sync.Mutex
	planShowCache = map[string][]byte{}
)

// planShow is `terraform show -json` of a plan ("plan") or of the state
// after apply ("state") of a configuration, made once per test run; opts
// (files replaced) make a variant, cached under variant.
func planShow(t *testing.T, kind, config, variant string, opts ...azurermstandin.Option) []byte {
	t.Helper()
	planShowMu.Lock()
	defer planShowMu.Unlock()
	key := kind + " " + config + " " + variant
	if data, ok := planShowCache[key]; ok {
		return data
	}
	var data []byte
	if kind == "state" {
		data = azurermconfigs.State(t, config, opts...)
	} else {
		data = azurermconfigs.Plan(t, config, opts...)
	}
	planShowCache[key] = data
	return data
}

// planFile writes show -json output into the test's directory.
func planFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// planStream is the backend's timing the tests give.
var planStream = []string{"--max-event-gap", "6m", "--heartbeat", "20s"}

func TestCheckPlanText(t *testing.T) {
	good := planFile(t, "good.json", planShow(t, "plan", "good", ""))
	broken := planFile(t, "broken.json", planShow(t, "plan", "broken", ""))
	state := planFile(t, "state.json", planShow(t, "state", "good", ""))
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout []string // lines, each exactly (up to the "…" it ends in)
		stderr []string // substrings
	}{
		{"good plan", append([]string{"check-plan", good}, planStream...), "", 0,
			[]string{
				// The chat API's route and Azure OpenAI backend say it streams.
				"== product chat > api chat (azurerm_api_management_api.chat): ready; streams: operation POST /chat/completions: URL template /chat/completions is a streaming LLM or agent route (…/chat/completions) (+…",
				"== product chat > api chat > operation completions (azurerm_api_management_api.chat): ready, 1 value not known until apply; streams: …",
				"azurerm_api_management_api_operation_policy.completions.xml_content: info SSE400: azurerm_api_management_api_operation_policy.completions.xml_content is not known until apply: the checks that need it run then",
				"note: which hop azurerm_lb_rule.https fronts is not in the plan: its idle timeout is checked on every path",
			},
			[]string{good + ": 2 paths checked, 2 ready", good + ": 6 resources not on a stream's path: azurerm_application_insights.main, azurerm_lb.main, "}},
		{"good plan from standard input", append([]string{"check-plan", "-"}, planStream...), string(planShow(t, "plan", "good", "")), 0,
			nil, []string{"<stdin>: 2 paths checked, 2 ready"}},
		{"good state", append([]string{"check-plan", state}, planStream...), "", 0,
			[]string{"== product chat > api chat > operation completions (azurerm_api_management_api.chat): ready; streams: …"}, []string{"2 paths checked, 2 ready"}},
		// Without the backend's timing, the checks that need it say what is
		// missing, and how to give it.
		{"no backend timing", []string{"check-plan", good}, "", 0,
			[]string{"backend.max_event_gap (not given: use --max-event-gap or --profile): warning SSE401: the backend's max_event_gap is not given, so no hop's idle clock can be checked: give the longest silence without an event, the silence before the first one included"},
			nil},
		{"broken plan", append([]string{"check-plan", broken}, planStream...), "", 1,
			[]string{
				"== product chat > api chat (azurerm_api_management_api.chat): not ready: 8 errors, 3 warnings; streams: …",
				`azurerm_api_management_policy.global.xml_content:8:9: error SSE101: forward-request has no buffer-response, so it buffers the response in 8 KB units (the default is true): add buffer-response="false"`,
				`azurerm_api_management_policy_fragment.auth.value:2:5: error SSE120: azurerm_api_management_api_policy.chat (api scope): cache-lookup caches whole responses, so a client may get a stored stream instead of live events: remove it from SSE APIs (in fragment "chat-auth", included at line 4, column 9)`,
				`azurerm_application_gateway.main.backend_http_settings["chat-legacy"].request_timeout: error SSE302: backend_http_settings.request_timeout is 20s and the stream can stay silent for 20s, so the connection is closed mid-stream: set it to 30 or more (sseready_stream_profile.appgw_request_timeout), or send heartbeats more often`,
				"azurerm_api_management_api_diagnostic.chat.frontend_response.body_bytes: error SSE202: the API's diagnostic (applicationinsights) logs 8192 bytes of each body in frontend_response, which buffers the stream: set body_bytes = 0",
				`azurerm_cognitive_account_rai_policy.streaming.mode: warning SSE406: the content filter's mode is Default, which holds completion content to evaluate it, so the stream arrives in chunks, not token by token: set mode = "Asynchronous_filter" on the RAI policy if that is not acceptable`,
			},
			[]string{"2 paths checked, 0 ready"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, want := range tt.stdout {
				if !hasLine(out, want) {
					t.Errorf("stdout lacks the line\n%s\n---\n%s", want, out)
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
		})
	}
}

// hasLine reports whether out has the line want, or, when want ends in
// "…", a line that starts with what comes before it.
func hasLine(out, want string) bool {
	prefix, isPrefix := strings.CutSuffix(want, "…")
	return slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool {
		return l == want || (isPrefix && strings.HasPrefix(l, prefix))
	})
}

// Exit 2: a policy that does not parse (named by address, attribute and
// place), a file that is not show -json output, bad flags.
func TestCheckPlanInputErrors(t *testing.T) {
	badXML := planFile(t, "badxml.json", planShow(t, "plan", "good", "badxml",
		azurermstandin.WithFile("policies/global.xml", "<policies>\n    <inbound>\n</policies>\n")))
	good := planFile(t, "good.json", planShow(t, "plan", "good", ""))
	dir := writeFiles(t, map[string]string{
		"notjson.json":  "{\n  \"planned_values\": ,\n}",
		"notplan.json":  `{"apim": {"sku_name": "StandardV2_1"}}`,
		"profile.json":  `{"max_event_gap": "6m", "heartbeat_interval": "20s", "hops": ["apim"]}`,
		"badprof.json":  `{"max_event_gap": "six minutes"}`,
		"typoprof.json": `{"max_event_gaps": "6m"}`,
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"policy that does not parse", []string{"check-plan", badXML}, 2, "azurerm_api_management_policy.global.xml_content:3:1: error: end tag </policies> found while <inbound> is still open"},
		{"not JSON", []string{"check-plan", p("notjson.json")}, 2, p("notjson.json") + ": error: line 2, column 21: invalid character ','"},
		{"not show -json", []string{"check-plan", p("notplan.json")}, 2, "neither planned_values nor resource_changes"},
		{"missing file", []string{"check-plan", p("nothere.json")}, 2, "nothere.json: error: open"},
		{"no file", []string{"check-plan"}, 2, "give one FILE (or - for standard input), not 0"},
		{"two files", []string{"check-plan", good, good}, 2, "not 2"},
		{"bad format", []string{"check-plan", "--format", "xml", good}, 2, `--format must be text, json, sarif or markdown, not "xml"`},
		{"bad duration", []string{"check-plan", "--max-event-gap", "six", good}, 2, "not a duration"},
		{"zero duration", []string{"check-plan", "--heartbeat", "0s", good}, 2, "--heartbeat: zero is no length of time"},
		{"bad profile value", []string{"check-plan", "--profile", p("badprof.json"), good}, 2, `badprof.json: error: max_event_gap: "six minutes" is not a duration`},
		{"misspelt profile key", []string{"check-plan", "--profile", p("typoprof.json"), good}, 2, "max_event_gaps: is not a setting sseready knows here"},
		{"missing profile", []string{"check-plan", "--profile", p("none.json"), good}, 2, "--profile: open"},
		{"profile and plan on standard input", []string{"check-plan", "--profile", "-", "-"}, 2, "standard input (-) can be read once"},
		{"help", []string{"check-plan", "--help"}, 0, "Usage: sseready check-plan [flags] FILE|-"},
		// The profile gives what the flags give.
		{"profile", []string{"check-plan", "--profile", p("profile.json"), good}, 0, "2 paths checked, 2 ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
		})
	}
	// A finding on a backend setting names where it came from: the
	// profile's file, or the flag that overrides it.
	slow := filepath.Join(dir, "slow.json")
	if err := os.WriteFile(slow, []byte(`{"max_event_gap": "6m", "heartbeat_interval": "20s", "max_time_to_headers": "200s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile", slow}, "backend.max_time_to_headers (" + slow + "): warning SSE405: "},
		{[]string{"--profile", slow, "--max-time-to-headers", "3m20s"}, "backend.max_time_to_headers (--max-time-to-headers): warning SSE405: "},
		{[]string{"--max-event-gap", "6m"}, "backend.heartbeat_interval (not given: use --heartbeat or --profile): error SSE401: "},
	} {
		code, out, errOut := runCLI(t, "", append([]string{"check-plan", good}, tt.args...)...)
		if code != 1 || !strings.Contains(out, "\n"+tt.want) {
			t.Errorf("%q: exit %d, output lacks %q:\n%s%s", tt.args, code, tt.want, out, errOut)
		}
	}
}

// What --format json says of the broken plan's findings (the whole output
// is golden: testdata/golden/check-plan-broken.json): each is placed on
// the resource attribute that holds its setting, with the place in the
// policy document and the chain's setting.
func TestCheckPlanJSON(t *testing.T) {
	broken := planFile(t, "broken.json", planShow(t, "plan", "broken", ""))
	code, out, errOut := runCLI(t, "", append([]string{"check-plan", "--format", "json", broken}, planStream...)...)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var paths []planPathJSON
	if err := json.Unmarshal([]byte(out), &paths); err != nil || len(paths) != 2 {
		t.Fatalf("%v: %d paths\n%s", err, len(paths), out)
	}
	api, op := paths[0], paths[1]
	if api.API != "azurerm_api_management_api.chat" || api.Path != "product chat > api chat" || api.Ready || !api.Complete || len(api.Unknown) != 0 {
		t.Errorf("%+v", api)
	}
	if op.Path != "product chat > api chat > operation completions" || op.Complete ||
		!slices.Equal(op.Unknown, []planPlaceJSON{{Address: "azurerm_api_management_api_operation_policy.completions", Attribute: "xml_content"}}) {
		t.Errorf("%+v", op)
	}
	find := func(rule, address string) report.Finding {
		for _, f := range api.Findings {
			if f.Rule == rule && f.Address == address {
				return f
			}
		}
		t.Fatalf("no %s on %s in %+v", rule, address, api.Findings)
		return report.Finding{}
	}
	if f := find("SSE101", "azurerm_api_management_policy.global"); f.Attribute != "xml_content" || f.Line != 8 || f.Column != 9 ||
		f.Element != "forward-request" || f.Hop != "apim" || f.Severity != "error" || f.Setting != "apim.policies[0].xml" {
		t.Errorf("%+v", f)
	}
	if f := find("SSE120", "azurerm_api_management_policy_fragment.auth"); f.Attribute != "value" || f.Fragment != "chat-auth" || f.Line != 2 {
		t.Errorf("%+v", f)
	}
	if f := find("SSE301", "azurerm_application_gateway.main"); f.Attribute != "global.response_buffering_enabled" || f.Hop != "app_gateway" || f.Line != 0 || f.Element != "" {
		t.Errorf("%+v", f)
	}
	if f := find("SSE402", ""); f.Attribute != "response_headers" || f.Source != "not given: response_headers in --profile" || f.Setting != "backend.response_headers" {
		t.Errorf("%+v", f)
	}
	if f := find("SSE406", "azurerm_cognitive_account_rai_policy.streaming"); f.Attribute != "mode" || f.Hop != "azure_openai" || f.Severity != "warning" {
		t.Errorf("%+v", f)
	}
	for _, r := range []string{"azurerm_lb_rule.https", "azurerm_api_management_policy_fragment.auth"} {
		if !slices.Contains(api.Resources, r) {
			t.Errorf("resources %q lack %s", api.Resources, r)
		}
	}
}

func TestCheckPlanSARIF(t *testing.T) {
	broken := planFile(t, "broken.json", planShow(t, "plan", "broken", ""))
	code, out, errOut := runCLI(t, "", append([]string{"check-plan", "--format", "sarif", broken}, planStream...)...)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	doc := checkSARIF(t, out)
	if at(doc, "runs", 0, "invocations", 0, "executionSuccessful") != true {
		t.Error("the run is not successful")
	}
	results := list(at(doc, "runs", 0, "results"))
	// A finding on both paths is one result, with both paths related.
	seen := map[string]bool{}
	var sse101 any
	for _, r := range results {
		name := str(at(r, "locations", 0, "logicalLocations", 0, "fullyQualifiedName"))
		k := str(at(r, "ruleId")) + " " + name + " " + str(at(r, "message", "text"))
		if seen[k] {
			t.Errorf("result twice: %s", k)
		}
		seen[k] = true
		if str(at(r, "locations", 0, "physicalLocation", "artifactLocation", "uri")) == "" {
			t.Errorf("%s: no artifact", k)
		}
		if str(at(r, "ruleId")) == "SSE101" {
			sse101 = r
		}
	}
	if sse101 == nil {
		t.Fatalf("no SSE101 result:\n%s", out)
	}
	if got := str(at(sse101, "locations", 0, "logicalLocations", 0, "fullyQualifiedName")); got != "azurerm_api_management_policy.global.xml_content" {
		t.Errorf("SSE101 at %q", got)
	}
	if msg := str(at(sse101, "message", "text")); !strings.HasPrefix(msg, "xml_content:8:9: forward-request has no buffer-response") {
		t.Errorf("SSE101 message %q", msg)
	}
	var related []string
	for _, rl := range list(at(sse101, "relatedLocations")) {
		related = append(related, str(at(rl, "message", "text")))
	}
	if want := []string{"on the path product chat > api chat", "on the path product chat > api chat > operation completions"}; !slices.Equal(related, want) {
		t.Errorf("related %q, want %q", related, want)
	}
	if str(at(sse101, "level")) != "error" || str(at(sse101, "properties", "element")) != "forward-request" {
		t.Errorf("%v", sse101)
	}

	// An input that cannot be read: a notification, the run unsuccessful.
	dir := writeFiles(t, map[string]string{"bad.json": "[]"})
	code, out, _ = runCLI(t, "", "check-plan", "--format", "sarif", filepath.Join(dir, "bad.json"))
	doc = checkSARIF(t, out)
	if code != 2 || at(doc, "runs", 0, "invocations", 0, "executionSuccessful") != false ||
		!strings.Contains(str(at(doc, "runs", 0, "invocations", 0, "toolExecutionNotifications", 0, "message", "text")), "not the output of `terraform show -json`") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	// A policy that does not parse: a notification at its address.
	badXML := planFile(t, "badxml.json", planShow(t, "plan", "good", "badxml",
		azurermstandin.WithFile("policies/global.xml", "<policies>\n    <inbound>\n</policies>\n")))
	code, out, _ = runCLI(t, "", "check-plan", "--format", "sarif", badXML)
	doc = checkSARIF(t, out)
	n := at(doc, "runs", 0, "invocations", 0, "toolExecutionNotifications", 0)
	if code != 2 || str(at(n, "locations", 0, "logicalLocations", 0, "fullyQualifiedName")) != "azurerm_api_management_policy.global.xml_content" {
		t.Errorf("exit %d: %v", code, n)
	}
}

// An LLM API next to an echo API and a REST API (internal/testonly/azurermconfigs/apis):
// which APIs stream is decided per API, the findings of each path follow,
// the header says why, and the exit status counts errors only.
func TestCheckPlanStreaming(t *testing.T) {
	apis := planFile(t, "apis.json", planShow(t, "plan", "apis", ""))
	// The same plan with the chat API marked as not streaming: nothing else
	// has an error, so nothing fails.
	quiet := planFile(t, "quiet.json", planShow(t, "plan", "apis", "no-stream",
		azurermstandin.WithFile("policies/chat.xml", "<!-- sseready:no-stream -->\n<policies>\n    <inbound>\n        <base />\n        <set-backend-service backend-id=\"aoai\" />\n    </inbound>\n    <backend>\n        <base />\n    </backend>\n    <outbound>\n        <base />\n    </outbound>\n    <on-error>\n        <base />\n    </on-error>\n</policies>\n")))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // lines, each exactly (up to the "…" it ends in)
		stderr string
	}{
		{"auto", []string{apis}, 1, []string{
			"== api chat (azurerm_api_management_api.chat): not ready: 2 errors, 1 warning; streams: operation POST /deployments/{deployment-id}/chat/completions: URL template /deployments/{deployment-id}/chat/completions is a streaming LLM or agent route (…/chat/completions) (+2 more)",
			"== api echo-api (azurerm_api_management_api.echo): ready, 2 warnings; may stream: nothing on its path says whether it streams: name it with --stream-api, or put <!-- sseready:streams --> or <!-- sseready:no-stream --> at the top of its policy",
			`azurerm_api_management_policy.global.xml_content:8:9: warning SSE101: if this API streams: forward-request has no buffer-response, so it buffers the response in 8 KB units (the default is true): add buffer-response="false"`,
			"== api orders (azurerm_api_management_api.orders): ready; does not stream: azurerm_api_management_api_operation.orders_create, azurerm_api_management_api_operation.orders_list declares the responses of its 2 operations as application/json, application/problem+json only",
			"azurerm_cdn_frontdoor_profile.main.response_timeout_seconds: info SSE404: …",
		}, "3 paths checked, 2 ready"},
		{"the chat API marked as not streaming", []string{quiet}, 0, []string{
			"== api chat (azurerm_api_management_api.chat): ready; does not stream: <!-- sseready:no-stream --> at azurerm_api_management_api_policy.chat.xml_content:1:1",
		}, "3 paths checked, 3 ready"},
		{"--stream-api", []string{"--stream-api", "echo-api", apis}, 1, []string{
			"== api echo-api (azurerm_api_management_api.echo): not ready: 2 errors; streams: named by --stream-api echo-api",
			"== api orders (azurerm_api_management_api.orders): ready; does not stream: …",
		}, "3 paths checked, 1 ready"},
		{"--streaming all", []string{"--streaming", "all", apis}, 1, []string{
			"== api orders (azurerm_api_management_api.orders): not ready: 2 errors; streams: --streaming all treats every API as streaming",
		}, "3 paths checked, 0 ready"},
		{"a wrong --streaming", []string{"--streaming", "sometimes", apis}, 2, nil, `--streaming: unknown streaming mode "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append(append([]string{"check-plan"}, tt.args...), planStream...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, want := range tt.stdout {
				if !hasLine(out, want) {
					t.Errorf("stdout lacks the line\n%s\n---\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errOut)
			}
		})
	}
}

func TestCheckPlanStreamingJSONAndSARIF(t *testing.T) {
	apis := planFile(t, "apis.json", planShow(t, "plan", "apis", ""))
	code, out, errOut := runCLI(t, "", append([]string{"check-plan", "--format", "json", apis}, planStream...)...)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var paths []planPathJSON
	if err := json.Unmarshal([]byte(out), &paths); err != nil || len(paths) != 3 {
		t.Fatalf("%v: %d paths\n%s", err, len(paths), out)
	}
	for i, want := range []struct{ path, streaming, evidence, severity string }{
		{"api chat", "yes", "its backend is the account azurerm_cognitive_account.openai", "error"},
		{"api echo-api", "unknown", "nothing on its path says whether it streams", "warning"},
		{"api orders", "no", "declares the responses of its 2 operations as application/json, application/problem+json only", "info"},
	} {
		p := paths[i]
		if p.Path != want.path || p.Streaming != want.streaming || !slices.ContainsFunc(p.StreamingEvidence, func(e string) bool { return strings.Contains(e, want.evidence) }) {
			t.Errorf("%s: streaming %q %q, want %q with %q", p.Path, p.Streaming, p.StreamingEvidence, want.streaming, want.evidence)
		}
		for _, f := range p.Findings {
			if f.Rule == "SSE101" && string(f.Severity) != want.severity {
				t.Errorf("%s: SSE101 %s, want %s", p.Path, f.Severity, want.severity)
			}
		}
	}

	// SARIF: the global policy's finding is one result per verdict, each
	// with the verdict and its reasons in its properties.
	code, out, errOut = runCLI(t, "", append([]string{"check-plan", "--format", "sarif", apis}, planStream...)...)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	doc := checkSARIF(t, out)
	got := map[string]string{}
	for _, r := range list(at(doc, "runs", 0, "results")) {
		if str(at(r, "ruleId")) != "SSE101" {
			continue
		}
		verdict := str(at(r, "properties", "streaming"))
		var evidence []string
		for _, e := range list(at(r, "properties", "streaming_evidence")) {
			evidence = append(evidence, str(e))
		}
		if len(evidence) == 0 {
			t.Errorf("%s: no streaming_evidence", verdict)
		}
		got[verdict] = str(at(r, "level"))
	}
	if want := map[string]string{"yes": "error", "unknown": "warning", "no": "note"}; !maps.Equal(got, want) {
		t.Errorf("SSE101 results by verdict %v, want %v", got, want)
	}
}
