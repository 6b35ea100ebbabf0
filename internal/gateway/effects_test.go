package gateway

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// doc is a policy document with the given sections' contents.
func doc(inbound, backend, outbound string) string {
	return "<policies>\n<inbound>" + inbound + "</inbound>\n<backend>" + backend + "</backend>\n<outbound>" + outbound + "</outbound>\n<on-error />\n</policies>"
}

const goodForward = `<forward-request timeout="120" buffer-response="false" />`

// Every APIM rule a policy can trigger is acted out by the emulated hop,
// or the hop says why the rule has no runtime effect: for each, a policy
// that triggers it, and what the hop does for a streaming request. A
// rule added to the catalogue without either fails here.
func TestEveryPolicyRuleIsActedOut(t *testing.T) {
	stream := apimcheck.Request{Method: "POST", Body: []byte(`{"stream": true}`)}
	cases := map[string]struct {
		policy string
		// invalid: the hop takes no such file (a syntax error of the
		// document), so it cannot run it at all.
		invalid bool
		// check, when set, says what the hop must do for the request;
		// else the rule must be in Rules, or a note with the hop's
		// reason.
		check func(b Behavior) bool
	}{
		rules.ExpressionSyntax:             {policy: doc(`<set-variable name="x" value="@(foo(1)" />`, goodForward, "")},
		rules.ForwardRequestBuffers:        {policy: doc("", `<forward-request timeout="120" />`, "")},
		rules.BackendInheritsBuffering:     {policy: doc("", "<base />", "")},
		rules.NoForwardRequest:             {policy: doc("", "", `<set-body>{"ok": true}</set-body>`), check: func(b Behavior) bool { return b.NoForward != "" && string(b.Answer.Body) == `{"ok": true}` }},
		rules.TimeoutOver240:               {policy: doc("", `<forward-request timeout="300" buffer-response="false" />`, "")},
		rules.TimeoutAndTimeoutMs:          {policy: doc("", `<forward-request timeout="120" timeout-ms="1000" buffer-response="false" />`, "")},
		rules.BufferResponseNotLiteral:     {policy: doc("", `<forward-request timeout="120" buffer-response="@(false)" />`, "")},
		rules.ForwardAttributeInvalid:      {policy: doc("", `<forward-request timeout="120" http-version="3" buffer-response="false" />`, "")},
		rules.ForwardRequestOutsideBackend: {policy: doc(`<forward-request timeout="120" />`, goodForward, "")},
		rules.HTTP2Preview:                 {policy: doc("", `<forward-request timeout="120" http-version="2" buffer-response="false" />`, "")},
		rules.ValidateContent:              {policy: doc("", goodForward, `<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" />`)},
		rules.BodyTransform:                {policy: doc("", goodForward, `<set-body>x</set-body>`)},
		rules.ResponseBodyRead:             {policy: doc("", goodForward, `<set-variable name="b" value="@(context.Response.Body.As<string>(preserveContent: true))" />`)},
		rules.EventHubBodyLogging:          {policy: doc("", goodForward, `<log-to-eventhub logger-id="l">@(context.Response.Body.As<string>(preserveContent: true))</log-to-eventhub>`)},
		rules.ContentSafetyWindow:          {policy: doc("", goodForward, `<llm-content-safety backend-id="s" window-size="500" />`), check: func(b Behavior) bool { return b.Window == 500 }},
		rules.ResponseHeadersChanged: {policy: doc("", goodForward, `<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>`),
			check: func(b Behavior) bool { ct, ok := b.ContentType(); return ok && ct == "application/json" }},
		rules.ResponseCaching:      {policy: doc(`<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />`, goodForward, "")},
		rules.UnresolvedFragment:   {policy: doc(`<include-fragment fragment-id="auth" />`, goodForward, "")},
		rules.NotAPolicyDocument:   {policy: `<forward-request timeout="120" />`, invalid: true},
		rules.AcceptCommentInvalid: {policy: "<!-- sseready:accept -->\n" + doc("", goodForward, "")},
		rules.TokenEstimate:        {policy: doc(`<llm-token-limit tokens-per-minute="500" counter-key="k" estimate-prompt-tokens="true" />`, goodForward, "")},
		rules.BackendNeverReached: {policy: doc(`<return-response><set-status code="204" /></return-response>`, goodForward, ""),
			check: func(b Behavior) bool { return b.Answer != nil && b.Answer.Status == 204 }},
		rules.ResponseReplaced: {policy: doc("", goodForward, `<mock-response status-code="418" />`),
			check: func(b Behavior) bool { return b.Answer != nil && b.Answer.AfterBackend && b.Answer.Status == 418 }},
		rules.StreamingRefused: {policy: doc(`<choose><when condition="@(context.Request.Body.As<JObject>(preserveContent: true).Value<bool>(&quot;stream&quot;))"><return-response><set-status code="400" /></return-response></when></choose>`, goodForward, ""),
			check: func(b Behavior) bool { return b.Answer != nil && b.Answer.Status == 400 }},
		// The comparison never matches in C#: a streaming request takes the
		// branch meant for the others, which buffers.
		rules.StreamFlagConstant: {policy: doc("", `<choose><when condition="@(context.Request.Body.As<JObject>(preserveContent: true)[&quot;stream&quot;].ToString() == &quot;true&quot;)">`+goodForward+`</when><otherwise><forward-request timeout="120" /></otherwise></choose>`, ""),
			check: func(b Behavior) bool { return slices.Contains(b.Rules, rules.ForwardRequestBuffers) }},
	}
	for _, r := range rules.All() {
		if r.Hop != rules.HopAPIM || !strings.HasPrefix(r.ID, "SSE1") {
			continue // not a policy rule: the chain's (tier, diagnostics, clocks)
		}
		t.Run(r.ID, func(t *testing.T) {
			e, acted := effectOf(r.ID)
			in, inert := inertOf(r.ID)
			switch {
			case acted == inert:
				t.Fatalf("%s must be in exactly one of ruleEffects and inertRules (acted %v, inert %v)", r.ID, acted, inert)
			case acted && e.does == "" || inert && in.why == "":
				t.Fatalf("%s: say what the hop does, or why it does nothing", r.ID)
			}
			tc, ok := cases[r.ID]
			if !ok {
				t.Fatalf("no policy here triggers %s: add one, and say what the hop does with it", r.ID)
			}
			xml := []byte(tc.policy)
			found := false
			if d, err := apimpolicy.ParseLoose(xml); err == nil {
				for _, f := range apimcheck.Check(d, apimcheck.Options{}).Findings {
					found = found || f.Rule == r.ID
				}
			}
			if !found {
				t.Fatalf("the policy does not trigger %s", r.ID)
			}
			b, err := DeriveFor(Config{Upstream: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}, APIM: &APIM{Policies: []Policy{{XML: xml}}}}, stream)
			if tc.invalid {
				if err == nil || !inert {
					t.Fatalf("the hop took a document it cannot run: %v", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b.NotEnacted) > 0 {
				t.Fatalf("not emulated: %v", b.NotEnacted)
			}
			switch {
			case tc.check != nil:
				if !tc.check(b) {
					t.Fatalf("the hop did not act out %s: %s, %+v", r.ID, b, b.Answer)
				}
			case acted:
				if !slices.Contains(b.Rules, r.ID) {
					t.Fatalf("%s is not acted out: %s", r.ID, b)
				}
			case r.Severity == rules.Info:
				// An info finding is a fact, not a note on the run: its
				// reason is in inertRules, and so in the guide.
			default:
				note := false
				for _, n := range slices.Concat(b.Warnings, b.Invalid) {
					note = note || n.Rule == r.ID && n.Emulator == in.why
				}
				if !note || in.invalid != slices.ContainsFunc(b.Invalid, func(n PolicyNote) bool { return n.Rule == r.ID }) {
					t.Fatalf("%s: the hop does not say why it has no runtime effect: warnings %v, invalid %v", r.ID, b.Warnings, b.Invalid)
				}
			}
		})
	}
}
