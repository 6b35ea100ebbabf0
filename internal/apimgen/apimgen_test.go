package apimgen

import (
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

func ptr[T any](v T) *T { return &v }

func TestRenderDefaultsToMicrosoftsPolicy(t *testing.T) {
	res, errs := Render(Spec{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if res.XML != testcorpus.MicrosoftSSEPolicy {
		t.Fatalf("got\n%s\nwant\n%s", res.XML, testcorpus.MicrosoftSSEPolicy)
	}
	if len(res.Findings) != 0 {
		t.Fatalf("findings on the recommended policy: %v", res.Findings)
	}
	check, err := apimcheck.CheckSource([]byte(res.XML), apimcheck.Options{})
	if err != nil || !check.Ready {
		t.Fatalf("recommended policy is not ready: %v %v", err, check.Findings)
	}
}

func TestRenderEverything(t *testing.T) {
	res, errs := Render(Spec{
		Timeout:               ptr(int64(60)),
		FailOnErrorStatusCode: ptr(false),
		HTTPVersion:           "2or1",
		CacheControlNoCache:   true,
		BackendID:             "llm-backend",
		Inbound: `
  <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" />

  <!-- who called -->
  <set-header name="X-Caller" exists-action="override"><value>@(context.User?.Email ?? "anonymous")</value></set-header>
`,
		Outbound: `<set-header name="X-Accel-Buffering" exists-action="override"><value>no</value></set-header>`,
		OnError:  `<set-header name="Retry-After" exists-action="override"><value>5</value></set-header>`,
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := `<policies>
    <inbound>
        <base />
        <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" />

        <!-- who called -->
        <set-header name="X-Caller" exists-action="override"><value>@(context.User?.Email ?? "anonymous")</value></set-header>
        <set-backend-service backend-id="llm-backend" />
    </inbound>
    <backend>
        <forward-request timeout="60" http-version="2or1" fail-on-error-status-code="false" buffer-response="false" />
    </backend>
    <outbound>
        <base />
        <set-header name="Cache-Control" exists-action="override">
            <value>no-cache</value>
        </set-header>
        <set-header name="X-Accel-Buffering" exists-action="override"><value>no</value></set-header>
    </outbound>
    <on-error>
        <base />
        <set-header name="Retry-After" exists-action="override"><value>5</value></set-header>
    </on-error>
</policies>
`
	if res.XML != want {
		t.Fatalf("got\n%s\nwant\n%s", res.XML, want)
	}
}

func TestRenderWithoutBase(t *testing.T) {
	res, errs := Render(Spec{IncludeBase: ptr(false), Inbound: "<base /><set-variable name=\"a\" value=\"1\" />"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !strings.Contains(res.XML, "    <outbound />\n") || !strings.Contains(res.XML, "        <base />\n        <set-variable") {
		t.Fatalf("sections without base:\n%s", res.XML)
	}
}

func TestRenderInputErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string // InputError texts, in order
	}{
		{"negative timeout", Spec{Timeout: ptr(int64(-1))},
			[]string{"timeout: -1 is negative"}},
		{"timeout over 240", Spec{Timeout: ptr(int64(241))},
			[]string{"timeout: 241 is over 240 seconds, which APIM may not honor (SSE104)"}},
		{"http version", Spec{HTTPVersion: "3"},
			[]string{`http_version: "3" is not an http-version of forward-request: use 1, 2 or 2or1`}},
		{"blank backend id", Spec{BackendID: " "},
			[]string{"backend_id: the value is blank"}},
		{"control character in backend id", Spec{BackendID: "a\x00b"},
			[]string{"backend_id: the value holds the character U+0000"}},
		{"broken expression as backend id", Spec{BackendID: `@(context.Variables["x"]`},
			[]string{"backend_id: the value starts with @(, so APIM reads it as a policy expression, and it is not a valid one: line 1, column 1: unterminated policy expression"}},
		{"unknown rule", Spec{AcceptedRules: []string{"SSE110", "SSE999"}},
			[]string{`accepted_rules: "SSE999" is not a rule ID; the rules are SSE100, SSE101`}},
		{"control character in a fragment", Spec{Outbound: "<set-header name=\"a\">\n<value>\x01</value></set-header>"},
			[]string{"outbound_xml, line 2, column 8: the character U+0001 cannot stand in an XML document"}},
		{"noncharacter in backend id", Spec{BackendID: "a\uFFFFb"},
			[]string{"backend_id: the value holds the character U+FFFF"}},
		{"text after an expression in backend id", Spec{BackendID: `@("x") trailing`},
			[]string{"backend_id: the value starts with @(, so APIM reads it as a policy expression, and it is not a valid one: line 1, column 8: text follows the policy expression"}},
		{"broken expression in a fragment", Spec{Inbound: `<set-variable name="x" value="@(foo("bar)" />`},
			[]string{`inbound_xml, line 1, column 37: SSE100: the policy expression in value is not valid C#: unterminated string literal`}},
		{"fragment does not parse", Spec{Inbound: "<set-header name=\"a\">\n  <value>1</value>\n"},
			[]string{"inbound_xml, line 1, column 1: <set-header> is not closed"}},
		{"stray end tag", Spec{OnError: "<a/></b>"},
			[]string{"on_error_xml, line 1, column 5: end tag </b> has no matching start tag"}},
		{"buffering policy in outbound", Spec{Outbound: "\n<validate-content unspecified-content-type-action=\"prevent\" max-size=\"10\" size-exceeded-action=\"prevent\" />"},
			[]string{`outbound_xml, line 2, column 1: SSE110: validate-content reads the whole response to validate it, so the stream is held until it ends: remove it from SSE APIs (to keep it anyway, add "SSE110" to accepted_rules)`}},
		{"caching in inbound", Spec{Inbound: `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />`},
			[]string{"inbound_xml, line 1, column 1: SSE120: cache-lookup caches whole responses"}},
		{"response body read in on-error", Spec{OnError: `<trace source="t">@(context.Response.Body.As<string>())</trace>`},
			[]string{"on_error_xml, line 1, column 21: SSE112"}},
		{"base twice", Spec{Outbound: "<base />"},
			[]string{"outbound_xml, line 1, column 1: <base /> is already written at the start of the section"}},
		{"section element", Spec{Inbound: "<inbound><base /></inbound>"},
			[]string{"inbound_xml, line 1, column 1: write the policies that go inside <inbound>, not the <inbound> element itself"}},
		{"forward-request in a fragment", Spec{Outbound: `<forward-request buffer-response="false" />`},
			[]string{"outbound_xml, line 1, column 1: forward-request belongs in <backend>"}},
		{"text in a section", Spec{Inbound: "<base/> hello"},
			[]string{"inbound_xml, line 1, column 1: <base /> is already written", `inbound_xml, line 1, column 8: text "hello" stands outside any policy element`}},
		{"every error at once", Spec{Timeout: ptr(int64(-5)), HTTPVersion: "x", Outbound: "<jsonp callback-parameter-name=\"cb\" />"},
			[]string{"timeout: -5 is negative", `http_version: "x"`, "outbound_xml, line 1, column 1: SSE111: jsonp rewrites the response body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, errs := Render(tt.spec)
			if len(errs) != len(tt.want) {
				t.Fatalf("%d errors %v, want %d (xml %q)", len(errs), errs, len(tt.want), res.XML)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %d:\n  %s\nwant it to start with\n  %s", i, e, tt.want[i])
				}
			}
			if res.XML != "" {
				t.Error("a render with errors must not return a document")
			}
		})
	}
}

// Accepted rules turn errors into findings of the rendered document,
// located there.
func TestRenderAcceptedRules(t *testing.T) {
	res, errs := Render(Spec{
		Timeout:       ptr(int64(300)),
		Outbound:      `<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent" />`,
		AcceptedRules: []string{"SSE110: validated on purpose", "SSE104"},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+" "+string(f.Severity)+" "+apimpolicy.Pos{Line: f.Line, Column: f.Column}.String())
	}
	// Line 6 holds the forward-request (timeout at column 26), line 10 the
	// user's validate-content, after <outbound> and <base />.
	want := "SSE104 accepted 6:26,SSE110 accepted 10:9"
	if strings.Join(got, ",") != want {
		t.Fatalf("findings %v, want %s\n%s", got, want, res.XML)
	}
	if !rules.Ready(res.Findings) {
		t.Error("accepted findings must not make the document not ready")
	}
	if r := res.Findings[1].Reason; r != "validated on purpose" {
		t.Errorf("reason %q", r)
	}
	if r := res.Findings[0].Reason; r != "accepted in accepted_rules (no reason given)" {
		t.Errorf("reason %q", r)
	}
}

// Every string input that lands in the XML is escaped: it parses back to
// the same value.
func TestRenderEscapesStrings(t *testing.T) {
	for _, v := range []string{`a"b`, `a'b`, "x<y", "p&q", "]]>", "two\nlines", "tab\there", `{{backend-name}}`, `@(context.Variables.GetValueOrDefault<string>("b", "&"))`} {
		res, errs := Render(Spec{BackendID: v})
		if len(errs) > 0 {
			t.Fatalf("%q: %v", v, errs)
		}
		doc, err := apimpolicy.Parse([]byte(res.XML))
		if err != nil {
			t.Fatalf("%q: rendered policy does not parse: %v\n%s", v, err, res.XML)
		}
		got := doc.Section("inbound").Child("set-backend-service").Attr("backend-id").Value()
		if got != v {
			t.Errorf("backend-id %q, want %q\n%s", got, v, res.XML)
		}
		if strings.Contains(res.XML, "]]>") {
			t.Errorf("%q: output holds ]]>", v)
		}
	}
}

// The user's policies are placed byte for byte: nothing inside them is
// rewritten (only the whitespace around them is re-indented).
func TestRenderKeepsUserBytes(t *testing.T) {
	frag := "<set-body template=\"liquid\">\n\t{{body.x}}   &amp; @@ \n</set-body>"
	res, errs := Render(Spec{Inbound: "\n\n   " + frag + "\n\n"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !strings.Contains(res.XML, "\n        "+frag+"\n    </inbound>") {
		t.Fatalf("fragment not kept as written:\n%s", res.XML)
	}
}

// set-backend-service comes after the user's inbound policies, so a
// backend_id expression can read the variables they set.
func TestBackendAfterUserInbound(t *testing.T) {
	res, errs := Render(Spec{
		BackendID: `@((string)context.Variables["pool"])`,
		Inbound:   `<set-variable name="pool" value="@(context.Request.Headers.GetValueOrDefault("x-region", "eu") + "-pool")" />`,
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	set, backend := strings.Index(res.XML, "<set-variable"), strings.Index(res.XML, "<set-backend-service")
	if set < 0 || backend < set {
		t.Fatalf("set-backend-service must follow the user's set-variable:\n%s", res.XML)
	}
}

// A multi-line policy keeps its structure at the document's indentation,
// whatever the heredoc's; expressions and CDATA keep every byte.
func TestRenderReindentsUserPolicies(t *testing.T) {
	code := "@{\n      var b = context.Request.Body.As<JObject>(true);\n          return b.ToString();\n    }"
	cdata := "<![CDATA[\n  line one\n      line two\n]]>"
	res, errs := Render(Spec{Inbound: "\n" +
		"      <choose>\n" +
		"        <when condition=\"@(context.Request.Method == &quot;POST&quot;)\">\n" +
		"          <set-body>" + code + "</set-body>\n" +
		"        </when>\n" +
		"      </choose>\n" +
		"      <set-header name=\"x\"\n" +
		"                  exists-action=\"override\">\n" +
		"        <value>" + cdata + "</value>\n" +
		"      </set-header>\n"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := "" +
		"        <choose>\n" +
		"          <when condition=\"@(context.Request.Method == &quot;POST&quot;)\">\n" +
		"            <set-body>" + code + "</set-body>\n" +
		"          </when>\n" +
		"        </choose>\n" +
		"        <set-header name=\"x\"\n" +
		"                    exists-action=\"override\">\n" +
		"          <value>" + cdata + "</value>\n" +
		"        </set-header>\n"
	if !strings.Contains(res.XML, want) {
		t.Fatalf("got\n%s\nwant it to hold\n%s", res.XML, want)
	}
}

// Issue 8 §1: a valid policy with a raw '<' in a later expression
// attribute renders; it once failed the plan with a false SSE100.
func TestRenderRawLessThanInLaterAttribute(t *testing.T) {
	in := `<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)" />`
	res, errs := Render(Spec{Inbound: in})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !strings.Contains(res.XML, in) || len(res.Findings) != 0 {
		t.Fatalf("findings %v\n%s", res.Findings, res.XML)
	}
}

func TestRenderFragments(t *testing.T) {
	frag := map[string]string{"validate": "<fragment>\n  <validate-content unspecified-content-type-action=\"prevent\" max-size=\"10\" size-exceeded-action=\"prevent\" />\n</fragment>"}
	include := `<include-fragment fragment-id="validate" />`
	_, errs := Render(Spec{Outbound: include, Fragments: frag})
	if len(errs) != 1 || errs[0].Field != FieldOutbound || !strings.Contains(errs[0].Msg, `in fragment "validate", line 2, column 3: SSE110`) {
		t.Fatalf("errors %v", errs)
	}
	res, errs := Render(Spec{Outbound: include, Fragments: frag, AcceptedRules: []string{"SSE110: checked by the backend team"}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(res.Findings) != 1 || res.Findings[0].Fragment != "validate" || res.Findings[0].Severity != rules.Accepted {
		t.Fatalf("findings %+v", res.Findings)
	}
	// Included in inbound, the same fragment validates the request: fine.
	if _, errs := Render(Spec{Inbound: include, Fragments: frag}); len(errs) > 0 {
		t.Fatal(errs)
	}
	_, errs = Render(Spec{Fragments: map[string]string{"bad": "<fragment>\n<a>"}})
	if len(errs) != 1 || errs[0].Field != FieldFragments || errs[0].Line != 2 || !strings.Contains(errs[0].Msg, `fragment "bad": <a> is not closed`) {
		t.Fatalf("errors %v", errs)
	}
}
