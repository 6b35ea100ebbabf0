package tfplan

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermconfigs"
)

// These tests read real `terraform show -json` output: the real terraform
// plans (or applies) internal/testonly/azurermconfigs against the azurerm stand-in.

var (
	showMu    sync.Mutex
	showCache = map[string][]byte{}
)

// show returns `terraform show -json` of a plan ("plan") or of the state
// after apply ("state") of internal/testonly/azurermconfigs/NAME, made once per test run.
func show(t *testing.T, kind, name string) []byte {
	t.Helper()
	showMu.Lock()
	defer showMu.Unlock()
	key := kind + " " + name
	if data, ok := showCache[key]; ok {
		return data
	}
	var data []byte
	if kind == "state" {
		data = azurermconfigs.State(t, name)
	} else {
		data = azurermconfigs.Plan(t, name)
	}
	showCache[key] = data
	return data
}

// stream is the backend the tests give: events at most 6 minutes apart,
// a heartbeat every 20 seconds.
var stream = Options{Backend: map[string]any{"max_event_gap": "6m", "heartbeat_interval": "20s"}}

func check(t *testing.T, data []byte, opts Options) Report {
	t.Helper()
	p, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	return Check(p, opts)
}

// pathsByLabel indexes a report's paths and fails unless they are
// exactly the labels given.
func pathsByLabel(t *testing.T, rep Report, labels ...string) map[string]Path {
	t.Helper()
	out := map[string]Path{}
	var got []string
	for _, p := range rep.Paths {
		out[p.Label] = p
		got = append(got, p.Label)
	}
	if !slices.Equal(got, labels) {
		t.Fatalf("paths %q, want %q", got, labels)
	}
	return out
}

// key writes a finding as the tests name it: ADDRESS attribute RULE severity.
func key(f Finding) string {
	return fmt.Sprintf("%s %s %s %s", f.At.Address, f.At.Attribute, f.Rule, f.Severity)
}

func keys(p Path) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, key(f))
	}
	return out
}

func TestGoodPlanIsReadyWithTheUnknownPolicyReported(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "good"), stream)
	if rep.Kind != KindPlan || !rep.Ready() {
		t.Fatalf("kind %s, ready %v:\n%s", rep.Kind, rep.Ready(), dump(rep))
	}
	paths := pathsByLabel(t, rep, "product chat > api chat", "product chat > api chat > operation completions")
	api, op := paths["product chat > api chat"], paths["product chat > api chat > operation completions"]
	for _, p := range []Path{api, op} {
		if p.API != "azurerm_api_management_api.chat" || !p.Ready || len(p.Errors) > 0 {
			t.Errorf("%s: %+v", p.Label, p)
		}
		for _, f := range p.Findings {
			if f.Severity == rules.Error || f.Severity == rules.Warning {
				t.Errorf("%s: %s: %s", p.Label, key(f), f.Message)
			}
		}
		// Every link the plan only knows by reference was followed: the
		// global policy and the fragment (api_management_id), the gateway
		// (gateway_url), Front Door (the gateway's public name), the logger.
		for _, a := range []string{
			"azurerm_api_management_policy.global", "azurerm_api_management_policy_fragment.auth",
			"azurerm_application_gateway.main", "azurerm_cdn_frontdoor_profile.main", "azurerm_cdn_frontdoor_origin.appgw",
			"azurerm_api_management_logger.main", "azurerm_api_management_diagnostic.global", "azurerm_api_management_api_diagnostic.chat",
			"azurerm_api_management_product_policy.chat", "azurerm_lb_rule.https",
		} {
			if !slices.Contains(p.Resources, a) {
				t.Errorf("%s: %s is not on the path: %q", p.Label, a, p.Resources)
			}
		}
		for _, n := range p.Notes {
			if strings.Contains(n, "taken to be") {
				t.Errorf("%s: a link was assumed: %s", p.Label, n)
			}
		}
		if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "chat-slow's, of chat (600 s), chat-slow (300 s)") }) {
			t.Errorf("%s: the note does not name the tightest backend setting: %q", p.Label, p.Notes)
		}
	}
	// The operation policy's document names the logger's ID: unknown until
	// apply, reported as such, not as a failure.
	want := Place{Address: "azurerm_api_management_api_operation_policy.completions", Attribute: "xml_content"}
	if !slices.Equal(op.Unknown, []Place{want}) || op.Complete || !api.Complete || len(api.Unknown) > 0 {
		t.Errorf("unknown: api %v (complete %v), operation %v (complete %v)", api.Unknown, api.Complete, op.Unknown, op.Complete)
	}
	if !slices.Contains(keys(op), "azurerm_api_management_api_operation_policy.completions xml_content SSE400 info") {
		t.Errorf("no unknown-value finding on the operation policy: %q", keys(op))
	}
	// The operation without a policy of its own runs the API's: on the
	// API's path, not a path of its own.
	if !slices.Contains(api.Resources, "azurerm_api_management_api_operation.models") || slices.Contains(op.Resources, "azurerm_api_management_api_operation.models") {
		t.Errorf("models: api path %q, operation path %q", api.Resources, op.Resources)
	}
	wantIgnored := []string{"azurerm_application_insights.main", "azurerm_lb.main", "azurerm_public_ip.appgw", "azurerm_resource_group.main", "azurerm_subnet.appgw", "azurerm_virtual_network.main"}
	if !slices.Equal(rep.NotOnPath, wantIgnored) {
		t.Errorf("not on a path: %q, want %q", rep.NotOnPath, wantIgnored)
	}
	// The load balancer rule and the content filter stand on the path:
	// the rule's 30 minutes and Asynchronous_filter break nothing.
	for _, r := range []string{"azurerm_lb_rule.https", "azurerm_cognitive_account_rai_policy.streaming"} {
		if !slices.Contains(api.Resources, r) {
			t.Errorf("%s is not on the API's path: %q", r, api.Resources)
		}
	}
	if !slices.Contains(api.Notes, "which hop azurerm_lb_rule.https fronts is not in the plan: its idle timeout is checked on every path") {
		t.Errorf("notes %q", api.Notes)
	}
}

func TestBrokenPlanFindingsOnTheirAttributes(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "broken"), stream)
	paths := pathsByLabel(t, rep, "product chat > api chat", "product chat > api chat > operation completions")
	api := paths["product chat > api chat"]
	want := []string{
		"azurerm_cdn_frontdoor_profile.main response_timeout_seconds SSE404 error",
		"azurerm_application_gateway.main global.response_buffering_enabled SSE301 error",
		`azurerm_application_gateway.main backend_http_settings["chat-legacy"].request_timeout SSE302 error`,
		"azurerm_application_gateway.main global.request_buffering_enabled SSE303 warning",
		"azurerm_api_management_policy.global xml_content SSE101 error",
		"azurerm_api_management_policy_fragment.auth value SSE120 error",
		"azurerm_api_management.main sku_name SSE201 error",
		"azurerm_api_management_api_diagnostic.chat frontend_response.body_bytes SSE202 error",
		"azurerm_api_management_api_diagnostic.chat backend_response SSE203 warning",
		"azurerm_api_management_diagnostic.global frontend_request.body_bytes SSE204 error",
		"azurerm_cognitive_account_rai_policy.streaming mode SSE406 warning",
		" response_headers SSE402 info",
	}
	got := keys(api)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing %q", w)
		}
	}
	for _, f := range api.Findings {
		if f.Severity == rules.Error && !slices.Contains(want, key(f)) {
			t.Errorf("unexpected error %s: %s", key(f), f.Message)
		}
	}
	if api.Ready || !api.Complete {
		t.Errorf("ready %v, complete %v", api.Ready, api.Complete)
	}
	for _, f := range api.Findings {
		switch key(f) {
		case "azurerm_api_management_policy.global xml_content SSE101 error":
			// Inside xml_content, as lint places it in a file.
			if f.Line != 8 || f.Column != 9 || f.Element != "forward-request" {
				t.Errorf("SSE101 at %d:%d %s", f.Line, f.Column, f.Element)
			}
		case "azurerm_api_management_policy_fragment.auth value SSE120 error":
			// In the fragment's value; the message names the policy that
			// includes it by its address.
			if f.Line != 2 || f.Column != 5 || f.Fragment != "chat-auth" || !strings.HasPrefix(f.Message, "azurerm_api_management_api_policy.chat (api scope): ") {
				t.Errorf("SSE120 at %d:%d in %q: %s", f.Line, f.Column, f.Fragment, f.Message)
			}
		case "azurerm_api_management_diagnostic.global frontend_request.body_bytes SSE204 error":
			// The attribute and the byte count that log bodies.
			if !strings.Contains(f.Message, "frontend_request.body_bytes = 1024; backend_request.body_bytes = 1024") {
				t.Errorf("SSE204: %s", f.Message)
			}
		}
		// The policies are checked composed, as APIM runs them: the API's
		// and the product's <backend><base /></backend> run the global
		// forward-request, which is the one finding.
		if f.Rule == rules.BackendInheritsBuffering {
			t.Errorf("a <base /> is blamed for the global forward-request: %s: %s", key(f), f.Message)
		}
		if strings.Contains(f.Message, "apim.policies") {
			t.Errorf("a message names chain paths, not resources: %s", f.Message)
		}
	}
	// On the operation's path the unknown document is reported as well.
	op := paths["product chat > api chat > operation completions"]
	if op.Ready || op.Complete || len(op.Unknown) != 1 {
		t.Errorf("operation path: ready %v complete %v unknown %v", op.Ready, op.Complete, op.Unknown)
	}
}

// Without a heartbeat, the broken plan's load balancer rule (4 minutes,
// no TCP reset) cuts the 6-minute silence, and drops the flow silently.
func TestBrokenPlanLoadBalancerRule(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "broken"), Options{Backend: map[string]any{"max_event_gap": "6m"}})
	api := pathsByLabel(t, rep, "product chat > api chat", "product chat > api chat > operation completions")["product chat > api chat"]
	i := slices.IndexFunc(api.Findings, func(f Finding) bool { return f.Hop == rules.HopLoadBalancer })
	if i < 0 {
		t.Fatalf("no finding on the load balancer rule: %q", keys(api))
	}
	if f := api.Findings[i]; f.Rule != rules.IdleCut || f.Severity != rules.Error || !strings.Contains(f.Message, "set tcp_reset_enabled = true") {
		t.Errorf("finding %s: %s", key(f), f.Message)
	}
}

// The same configuration after apply: every value known, the same paths.
func TestStateOfTheGoodConfiguration(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "state", "good"), stream)
	if rep.Kind != KindState || !rep.Ready() {
		t.Fatalf("kind %s ready %v:\n%s", rep.Kind, rep.Ready(), dump(rep))
	}
	for _, p := range pathsByLabel(t, rep, "product chat > api chat", "product chat > api chat > operation completions") {
		if len(p.Unknown) > 0 || !p.Complete {
			t.Errorf("%s: unknown %v", p.Label, p.Unknown)
		}
		if !slices.Contains(p.Resources, "azurerm_cdn_frontdoor_origin.appgw") || !slices.Contains(p.Resources, "azurerm_api_management_policy.global") {
			t.Errorf("%s: resources %q", p.Label, p.Resources)
		}
	}
	if len(rep.NotOnPath) != 6 {
		t.Errorf("not on a path: %q", rep.NotOnPath)
	}
}

// Names unknown until apply, APIs made by a module per key: every link is
// a reference, followed through the module's variables.
func TestModulesLinkedByReference(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "modules"), stream)
	paths := pathsByLabel(t, rep, "api chat > operation stream", "api embeddings > operation stream")
	chat, emb := paths["api chat > operation stream"], paths["api embeddings > operation stream"]
	if chat.API != `module.api["chat"].azurerm_api_management_api.this` || !chat.Ready {
		t.Errorf("chat: %s ready %v: %q", chat.API, chat.Ready, keys(chat))
	}
	for _, p := range []Path{chat, emb} {
		if !slices.Contains(p.Resources, "azurerm_api_management_policy.global") || !slices.Contains(p.Resources, "azurerm_api_management.main") {
			t.Errorf("%s: global policy or service not linked: %q", p.Label, p.Resources)
		}
	}
	// The operation's <backend><base /></backend> runs the API's
	// forward-request, which buffers: the finding is there, not on the base.
	want := `module.api["embeddings"].azurerm_api_management_api_policy.this xml_content SSE101 error`
	if !slices.Contains(keys(emb), want) {
		t.Errorf("embeddings: missing %q in %q", want, keys(emb))
	}
	for _, f := range emb.Findings {
		if f.Rule == rules.BackendInheritsBuffering {
			t.Errorf("embeddings: %s: %s", key(f), f.Message)
		}
	}
	if !slices.Equal(rep.NotOnPath, []string{"azurerm_resource_group.main"}) {
		t.Errorf("not on a path: %q", rep.NotOnPath)
	}
}

// The stand-in's own realistic chain: the Front Door profile has no
// origin, so it is taken to front the one gateway, and says so.
func TestStandinChain(t *testing.T) {
	t.Parallel()
	rep := check(t, azurermconfigs.Plan(t, "chain"), stream)
	paths := pathsByLabel(t, rep, "product chat > api chat > operation chat-completions")
	p := paths["product chat > api chat > operation chat-completions"]
	for _, w := range []string{
		"azurerm_api_management_api_diagnostic.chat frontend_request.body_bytes SSE202 error",
		"azurerm_api_management_api_diagnostic.chat frontend_response.body_bytes SSE202 error",
	} {
		if !slices.Contains(keys(p), w) {
			t.Errorf("missing %q in %q", w, keys(p))
		}
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool {
		return strings.Contains(n, "azurerm_cdn_frontdoor_profile.main is taken to be in front of this path")
	}) {
		t.Errorf("notes %q", p.Notes)
	}
	// Its "health" backend setting (azurerm's default 30 s) serves no rule:
	// the 180 s one routed to API Management is the one checked.
	if slices.ContainsFunc(p.Findings, func(f Finding) bool { return f.Rule == rules.AppGWRequestTimeout }) {
		t.Errorf("the unrouted backend setting was judged: %q", keys(p))
	}
}

func dump(rep Report) string {
	var b strings.Builder
	for _, p := range rep.Paths {
		fmt.Fprintf(&b, "== %s (%s) ready=%v errors=%v unknown=%v\n", p.Label, p.API, p.Ready, p.Errors, p.Unknown)
		for _, f := range p.Findings {
			fmt.Fprintf(&b, "  %s: %s\n", key(f), f.Message)
		}
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
	}
	return b.String()
}
