package chaincheck

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
)

const streamingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`

func ptr[T any](v T) *T { return &v }

func offBlocks() map[string]*apimdiag.Block {
	m := map[string]*apimdiag.Block{}
	for _, b := range apimdiag.Blocks {
		m[b] = &apimdiag.Block{}
	}
	return m
}

// goodChain is every hop, set as sseready recommends for a stream with
// 20-second heartbeats.
func goodChain() Chain {
	return Chain{
		FrontDoor:               &FrontDoor{ResponseTimeoutSeconds: ptr(int64(60))},
		AppGateway:              &AppGateway{SKUName: "WAF_v2", Global: &AppGatewayGlobal{RequestBufferingEnabled: true}, RequestTimeout: ptr(int64(60)), WAFRequestBodyCheck: true},
		AppGatewayForContainers: &AppGatewayForContainers{RouteTimeout: ptr(time.Duration(0))},
		APIM: &APIM{
			SKUName:     "StandardV2_1",
			Policies:    []Policy{{Scope: apimcheck.API, XML: streamingPolicy}, {Scope: apimcheck.Operation, XML: `<policies><backend><base /></backend></policies>`}},
			Diagnostics: []apimdiag.Diagnostic{{Identifier: "applicationinsights", Blocks: offBlocks()}},
		},
		Backend: Backend{
			MaxEventGap: 10 * time.Minute, HeartbeatInterval: 20 * time.Second,
			ResponseHeaders: map[string]string{"content-type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"},
		},
	}
}

func summary(r Result) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s", f.Hop, f.Rule, f.Severity, f.Element))
	}
	return strings.Join(out, "\n")
}

func TestGoodChain(t *testing.T) {
	r, errs := Check(goodChain())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !r.Ready || !r.Complete || len(r.Findings) != 0 {
		t.Fatalf("ready %v complete %v findings:\n%s", r.Ready, r.Complete, summary(r))
	}
}

func TestBrokenChain(t *testing.T) {
	c := goodChain()
	c.FrontDoor.ResponseTimeoutSeconds = ptr(int64(30))
	c.AppGateway.Global = nil
	c.AppGateway.RequestTimeout = nil // azurerm's default, 30 s
	c.AppGatewayForContainers.RouteTimeout = ptr(15 * time.Second)
	c.APIM.SKUName = "Consumption_0"
	c.APIM.Policies = []Policy{{Scope: apimcheck.API, XML: `<policies><backend><forward-request timeout="60" /></backend><outbound><cache-store duration="10" /></outbound></policies>`}}
	c.APIM.Diagnostics = []apimdiag.Diagnostic{
		{Global: true, Identifier: "azuremonitor", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: 1024}}},
		{Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_request": {}, "frontend_response": {BodyBytes: 512}, "backend_request": {}}},
	}
	c.Backend = Backend{MaxEventGap: 10 * time.Minute, ResponseHeaders: map[string]string{"Content-Type": "application/json"}}
	r, errs := Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := strings.Join([]string{
		"front_door SSE404 error front_door.response_timeout_seconds",
		"app_gateway SSE301 error app_gateway.global",
		"app_gateway SSE302 error app_gateway.request_timeout",
		"app_gateway_for_containers SSE401 error backend.heartbeat_interval",
		"app_gateway_for_containers SSE403 error app_gateway_for_containers.route_timeout",
		"apim SSE101 error forward-request",
		"apim SSE120 error cache-store",
		"apim SSE201 error apim.sku_name",
		"apim SSE202 error apim.diagnostics[1].frontend_response.body_bytes",
		"apim SSE203 warning apim.diagnostics[1].backend_response",
		"apim SSE204 error apim.diagnostics[0].frontend_response.body_bytes",
		"load_balancer SSE401 error backend.heartbeat_interval",
		"backend SSE402 error backend.response_headers.Content-Type",
		"backend SSE402 warning backend.response_headers.Cache-Control",
		"backend SSE402 info backend.response_headers.Connection",
		"backend SSE402 info backend.response_headers.X-Accel-Buffering",
	}, "\n")
	if got := summary(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	if r.Ready {
		t.Error("a broken chain is not ready")
	}
	msgs := map[string]string{}
	for _, f := range r.Findings {
		msgs[f.Rule] += f.Message + "\n"
	}
	for rule, phrase := range map[string]string{
		"SSE302": "backend_http_settings.request_timeout (not set: azurerm's default) is 30s and the stream can stay silent for 10m0s",
		"SSE101": "apim.policies[0] (api scope): forward-request has no buffer-response",
		"SSE204": "may log bodies (frontend_response.body_bytes = 1024; frontend_request, backend_request, backend_response are left out, so APIM keeps what it logs there), and no API-scope azuremonitor diagnostic overrides it",
		"SSE403": "the route timeout is 15s, so every stream is cut after 15s",
		"SSE201": "sku_name Consumption_0 is the Consumption tier",
	} {
		if !strings.Contains(msgs[rule], phrase) {
			t.Errorf("%s: %q does not say %q", rule, msgs[rule], phrase)
		}
	}
}

// An operation-scope policy that inherits <base /> is settled by a
// streaming API-scope policy in the same chain, and only then.
func TestOperationScopeSettledByAPIScope(t *testing.T) {
	c := goodChain()
	c.APIM.Policies = c.APIM.Policies[1:] // the operation policy alone
	r, _ := Check(c)
	// Above the highest scope given stands APIM's global default, which
	// buffers: the same composition sseready prove runs (FACTS.md).
	if got := summary(r); got != "apim SSE102 error base" || !strings.Contains(r.Findings[0].Message, "APIM's global default <forward-request/>") ||
		!strings.Contains(r.Findings[0].Message, "no policy above operation scope is given") {
		t.Fatalf("findings\n%s\n%v", got, r.Findings)
	}
}

func TestTimeoutsWithinTheHeadroom(t *testing.T) {
	c := goodChain()
	c.Backend.HeartbeatInterval = 50 * time.Second // 60 s timeouts: within a quarter
	r, _ := Check(c)
	want := "front_door SSE404 warning front_door.response_timeout_seconds\napp_gateway SSE302 warning app_gateway.request_timeout"
	if got := summary(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	if !r.Ready {
		t.Error("warnings alone are ready")
	}
}

func TestUnknownValues(t *testing.T) {
	c := goodChain()
	c.APIM.Policies[0].XML = ""
	c.AppGateway.RequestTimeout = nil
	c.Unknown = []string{"apim.policies[0].xml", "app_gateway.request_timeout"}
	r, errs := Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := "app_gateway SSE400 info app_gateway.request_timeout\napim SSE102 warning base\napim SSE400 info apim.policies[0].xml"
	if got := summary(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
	if r.Complete || !r.Ready {
		t.Errorf("complete %v ready %v: unknowns make an incomplete, not a failed, verdict", r.Complete, r.Ready)
	}

	// A path given twice is one unknown setting.
	c.Unknown = append(c.Unknown, "apim.policies[0].xml")
	if r, _ = Check(c); summary(r) != want || !slices.Equal(r.Unknown, []string{"apim.policies[0].xml", "app_gateway.request_timeout"}) {
		t.Fatalf("unknown %q, findings\n%s", r.Unknown, summary(r))
	}

	// A whole hop unknown holds back its checks and the idle clocks, which
	// depend on the path.
	c = goodChain()
	c.AppGateway.Global = nil
	c.Backend.HeartbeatInterval = 0
	c.Unknown = []string{"app_gateway", "backend.heartbeat_interval"}
	r, errs = Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := summary(r); got != "app_gateway SSE400 info app_gateway\nbackend SSE400 info backend.heartbeat_interval" {
		t.Fatalf("findings\n%s", got)
	}
}

// A value unknown inside a hop (one policy's XML until apply) does not
// hide the path's clocks: a heartbeat too slow for App Gateway's timeout
// is still an error.
func TestUnknownPolicyKeepsTheClocks(t *testing.T) {
	c := goodChain()
	c.APIM.Policies[0].XML = ""
	c.Unknown = []string{"apim.policies[0].xml"}
	c.Backend.HeartbeatInterval = 0 // a 10-minute silence, no heartbeat
	r, errs := Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := summary(r)
	for _, want := range []string{"app_gateway SSE302 error", "load_balancer SSE401 error", "apim SSE400 info apim.policies[0].xml"} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if r.Ready || r.Complete {
		t.Errorf("ready %v complete %v: the clocks alone fail the path", r.Ready, r.Complete)
	}
}

// What decoding cannot see: the documents, and how the timings fit.
// Each value's own range is checked by Decode (decode_test.go).
func TestChainInputErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Chain)
		want string
	}{
		{"policy", func(c *Chain) { c.APIM.Policies[0].XML = "<policies>\n<backend>" }, "apim.policies[0].xml, line 2, column 1: <backend> is not closed"},
		{"heartbeat", func(c *Chain) { c.Backend.HeartbeatInterval = time.Hour }, "backend.heartbeat_interval: 1h0m0s is longer than max_event_gap (10m0s)"},
		{"two policies at one scope", func(c *Chain) { c.APIM.Policies[1].Scope = apimcheck.API }, "apim.policies[1].scope: apim.policies[0] is at api scope too: a request path runs one policy per scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodChain()
			tt.edit(&c)
			_, errs := Check(c)
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.want) {
				t.Fatalf("errors %v, want %q", errs, tt.want)
			}
		})
	}
}

// An unknown value below a setting holds back that setting's check: the
// diagnostic's identifier decides whether it overrides the global one.
func TestUnknownChildHoldsBackItsParent(t *testing.T) {
	c := goodChain()
	c.APIM.Diagnostics = []apimdiag.Diagnostic{
		{Global: true, Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: 1024}}},
		{Identifier: "", Blocks: offBlocks()},
	}
	c.Backend.ResponseHeaders = map[string]string{"Content-Type": "", "Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}
	c.Unknown = []string{"apim.diagnostics[1].identifier", "backend.response_headers.Content-Type"}
	r, errs := Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, f := range r.Findings {
		if f.Severity == "error" {
			t.Errorf("a guess became an error: %v", f)
		}
	}
	if !r.Ready || r.Complete {
		t.Errorf("ready %v complete %v", r.Ready, r.Complete)
	}
}

// Without a Front Door timeout set, the largest it can be (240 s) is too
// short for a ten-minute silence.
func TestFrontDoorUnsetStillJudged(t *testing.T) {
	c := goodChain()
	c.FrontDoor.ResponseTimeoutSeconds = nil
	c.Backend.HeartbeatInterval = 0
	c.Backend.TCPKeepalive = true // settles the load balancer; Front Door counts bytes
	c.AppGateway.RequestTimeout = ptr(int64(86400))
	c.AppGatewayForContainers = nil
	r, _ := Check(c)
	want := "front_door SSE401 error backend.heartbeat_interval\nfront_door SSE404 warning front_door.response_timeout_seconds\nload_balancer SSE401 info backend.tcp_keepalive"
	if got := summary(r); got != want {
		t.Fatalf("findings\n%s\nwant\n%s", got, want)
	}
}

func TestForwardRequestTimeoutAgainstHeaders(t *testing.T) {
	c := goodChain()
	c.Backend.MaxTimeToHeaders = 60 * time.Second
	c.APIM.Policies = []Policy{{Scope: apimcheck.API, XML: `<policies><backend><forward-request timeout="5" buffer-response="false" /></backend></policies>`}}
	r, _ := Check(c)
	var got []string
	for _, f := range r.Findings {
		if f.Rule == "SSE405" {
			got = append(got, string(f.Severity)+" "+f.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "error apim.policies[0] (api scope): forward-request waits 5s for the response headers, and the backend takes up to 1m0s to send them: set timeout to at least 80") {
		t.Fatalf("SSE405 findings %q", got)
	}
}

// The path's policies are checked composed, as APIM runs them (and as
// lint DIR checks an APIOps tree): a <backend> is judged where it runs,
// and one that the scope below never reaches is not judged at all. A
// single scope policy is checked at its scope, its <base /> settled by
// APIM's global default.
func TestScopeChainSettlesBase(t *testing.T) {
	streaming := `<policies><backend><forward-request timeout="60" buffer-response="false" /></backend></policies>`
	buffering := `<policies><backend><forward-request timeout="60" /></backend></policies>`
	inherits := `<policies><backend><base /></backend></policies>`
	fragment := `<fragment><set-header name="a" exists-action="override"><value>b</value></set-header></fragment>`
	at := func(scope apimcheck.Scope, xml string) Policy { return Policy{Scope: scope, XML: xml} }
	tests := []struct {
		name     string
		policies []Policy
		want     string // the backend findings (SSE101, SSE102, SSE103): "RULE@policy severity"
	}{
		{"global streams: api inherits it", []Policy{at(apimcheck.Global, streaming), at(apimcheck.API, inherits)}, ""},
		{"product inherits global's streaming", []Policy{at(apimcheck.Global, streaming), at(apimcheck.Product, inherits), at(apimcheck.API, inherits), at(apimcheck.Operation, inherits)}, ""},
		{"product buffers: the api's path runs its forward-request", []Policy{at(apimcheck.Product, buffering), at(apimcheck.API, inherits)}, "SSE101@0 error"},
		{"product buffers: the operation's path runs its forward-request", []Policy{at(apimcheck.Product, buffering), at(apimcheck.Operation, inherits)}, "SSE101@0 error"},
		{"api alone inherits: error", []Policy{at(apimcheck.API, inherits)}, "SSE102@0 error"},
		{"operation alone: the global default buffers", []Policy{at(apimcheck.Operation, inherits)}, "SSE102@0 error"},
		{"product and api inherit the global default: the product's base", []Policy{at(apimcheck.Product, inherits), at(apimcheck.API, inherits)}, "SSE102@0 error"},
		{"a fragment stands at no scope: the global default buffers", []Policy{at(apimcheck.API, fragment), at(apimcheck.Operation, inherits)}, "SSE102@1 error"},
		{"workspace, api and operation inherit a streaming global", []Policy{at(apimcheck.Global, streaming), at(apimcheck.Workspace, inherits), at(apimcheck.API, inherits), at(apimcheck.Operation, inherits)}, ""},
		// The product's <backend><base/></backend> never runs: the API's own
		// <backend> forwards without <base />, so neither the product's base
		// nor the buffering global forward-request is on the path.
		{"an api forwarding without base: the product's base does not run", []Policy{at(apimcheck.Global, buffering), at(apimcheck.Product, inherits), at(apimcheck.API, streaming)}, ""},
		{"an api forwarding without base over the global default", []Policy{at(apimcheck.Product, inherits), at(apimcheck.API, streaming)}, ""},
		// What the fragment forwards with is not given: unsettled, a warning.
		{"a product forwarding through a fragment not given", []Policy{at(apimcheck.Product, `<policies><backend><include-fragment fragment-id="fwd" /></backend></policies>`), at(apimcheck.API, inherits)}, "SSE103@1 warning"},
		// The same API, but its <backend> calls <base />: the global
		// forward-request runs, and is the finding.
		{"an api calling base: the global forward-request runs", []Policy{at(apimcheck.Global, buffering), at(apimcheck.Product, inherits), at(apimcheck.API, inherits)}, "SSE101@0 error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodChain()
			c.APIM.Policies = tt.policies
			r, errs := Check(c)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var got []string
			for _, f := range r.Findings {
				if f.Rule == "SSE101" || f.Rule == "SSE102" || f.Rule == "SSE103" {
					i := -1
					if _, err := fmt.Sscanf(f.Setting, "apim.policies[%d].xml", &i); err != nil {
						t.Fatalf("setting %q: %v", f.Setting, err)
					}
					got = append(got, fmt.Sprintf("%s@%d %s", f.Rule, i, f.Severity))
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Fatalf("%q, want %q (%v)", got, tt.want, r.Findings)
			}
		})
	}
}

// A finding of the composition is traced to the policy that holds it: its
// Setting names that policy's document, its message names the policy (by
// its setting, or by the Name a front end gives it, which then places the
// finding itself and is not named again, except for a fragment's finding,
// whose place is the fragment).
func TestCompositionFindingsNameTheirPolicy(t *testing.T) {
	global := `<policies><inbound /><backend><forward-request timeout="120" /></backend><outbound /><on-error /></policies>`
	api := `<policies><inbound><base /><include-fragment fragment-id="auth" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	c := goodChain()
	c.APIM.Policies = []Policy{{Scope: apimcheck.Global, XML: global}, {Scope: apimcheck.API, XML: api}}
	c.APIM.Fragments = map[string]string{"auth": `<fragment><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /></fragment>`}
	for _, named := range []bool{false, true} {
		cc := c
		cc.APIM = &APIM{SKUName: c.APIM.SKUName, Fragments: c.APIM.Fragments, Policies: slices.Clone(c.APIM.Policies)}
		if named {
			cc.APIM.Policies[0].Name, cc.APIM.Policies[1].Name = "azurerm_api_management_policy.global", "azurerm_api_management_api_policy.chat"
		}
		r, errs := Check(cc)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		got := map[string]string{}
		for _, f := range r.Findings {
			got[f.Rule] = f.Setting + " " + f.Message
		}
		want := map[string]string{
			"SSE101": "apim.policies[0].xml apim.policies[0] (global scope): forward-request has no buffer-response",
			"SSE120": "apim.fragments.auth apim.policies[1] (api scope): cache-lookup",
		}
		if named {
			want = map[string]string{
				"SSE101": "apim.policies[0].xml forward-request has no buffer-response",
				"SSE120": "apim.fragments.auth azurerm_api_management_api_policy.chat (api scope): cache-lookup",
			}
		}
		for rule, w := range want {
			if !strings.HasPrefix(got[rule], w) {
				t.Errorf("named %v: %s is %q, want %q...", named, rule, got[rule], w)
			}
		}
		if _, ok := got["SSE102"]; ok {
			t.Errorf("named %v: the API's <base /> is blamed as well: %q", named, got["SSE102"])
		}
	}
}

// The chain's policies include fragments: given, they are checked where
// they are included; broken, they are an input error naming apim.fragments.
func TestPolicyFragments(t *testing.T) {
	c := goodChain()
	c.APIM.Policies[0].XML = `<policies><inbound><base /></inbound><backend><include-fragment fragment-id="fwd" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	c.APIM.Fragments = map[string]string{"fwd": `<fragment><forward-request timeout="120" /></fragment>`}
	r, errs := Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if r.Ready || !strings.Contains(summary(r), "apim SSE101 error forward-request") {
		t.Fatalf("a buffering fragment: ready %v\n%s", r.Ready, summary(r))
	}
	c.APIM.Fragments["fwd"] = `<fragment><forward-request timeout="120" buffer-response="false" /></fragment>`
	if r, errs = Check(c); len(errs) > 0 || !r.Ready {
		t.Fatalf("a streaming fragment: %v\n%s", errs, summary(r))
	}
	c.APIM.Fragments["fwd"] = "<fragment>\n<forward-request>"
	if _, errs = Check(c); len(errs) != 1 || errs[0].Error() != `apim.fragments, line 2, column 1: fragment "fwd": <forward-request> is not closed: the document ends before </forward-request>` {
		t.Fatalf("errors %v", errs)
	}
}

// While the operation's policy is unknown (until apply), what it inherits
// is known: the policies above are checked composed, as on the API's own
// path, and no <base /> above is blamed for the forward-request it runs.
func TestPoliciesAboveAnUnknownOneAreComposed(t *testing.T) {
	c := goodChain()
	c.APIM.Policies = []Policy{
		{Scope: apimcheck.Global, XML: `<policies><inbound /><backend><forward-request timeout="120" /></backend><outbound /><on-error /></policies>`},
		{Scope: apimcheck.Product, XML: `<policies><backend><base /></backend></policies>`},
		{Scope: apimcheck.API, XML: `<policies><backend><base /></backend></policies>`},
		{Scope: apimcheck.Operation},
	}
	c.Unknown = []string{PolicyXMLSetting(3)}
	r, errs := Check(c)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule+" "+string(f.Severity)+" "+f.Setting)
	}
	if want := "SSE101 error apim.policies[0].xml,SSE400 info apim.policies[3].xml"; strings.Join(got, ",") != want {
		t.Fatalf("findings %q, want %q", got, want)
	}
}
