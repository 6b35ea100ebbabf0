package apimcheck

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// policy lays the four sections out one per line, so that content starts
// at line 2 column 10 (inbound), 3:10 (backend), 4:11 (outbound) and
// 5:11 (on-error).
func policy(inbound, backend, outbound, onError string) string {
	return "<policies>\n" +
		"<inbound>" + inbound + "</inbound>\n" +
		"<backend>" + backend + "</backend>\n" +
		"<outbound>" + outbound + "</outbound>\n" +
		"<on-error>" + onError + "</on-error>\n" +
		"</policies>\n"
}

const goodForward = `<forward-request timeout="120" fail-on-error-status-code="true" buffer-response="false" />`

// stream is a policy that streams, with extra policies in outbound.
func stream(outbound string) string {
	return policy("<base />", goodForward, "<base />"+outbound, "<base />")
}

// summarize renders findings as "RULE severity line:col" strings.
func summarize(fs []rules.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s %s %d:%d", f.Rule, f.Severity, f.Line, f.Column)
	}
	sort.Strings(out)
	return out
}

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		scope Scope
		src   string
		want  []string // every finding, as summarize renders it
		msg   string   // a phrase the first finding's message must hold
	}{
		{name: "microsoft's example streams", src: policy("<base />", goodForward, "<base />", "<base />")},
		{name: "blog example streams", src: policy("<base />", `<forward-request timeout="60" buffer-response="false" fail-on-error-status-code="true" />`, "<base />", "<base />")},

		// SSE101
		{name: "buffer-response missing", src: policy("", `<forward-request timeout="120" />`, "", ""),
			want: []string{"SSE101 error 3:10"}, msg: "no buffer-response, so it buffers"},
		{name: "buffer-response true", src: policy("", `<forward-request timeout="120" buffer-response="true" />`, "", ""),
			want: []string{"SSE101 error 3:41"}, msg: `buffer-response="true", so it buffers`},
		{name: "buffer-response False is false", src: policy("", `<forward-request timeout="120" buffer-response=" False " />`, "", "")},
		{name: "buffer-response not a boolean", src: policy("", `<forward-request timeout="120" buffer-response="no" />`, "", ""),
			want: []string{"SSE101 error 3:41"}, msg: `"no" is neither true nor false`},
		{name: "forward-request in a branch", src: policy("", `<choose><when condition="@(context.Request.Method == &quot;POST&quot;)"><forward-request timeout="1" /></when><otherwise>`+goodForward+`</otherwise></choose>`, "", ""),
			want: []string{"SSE101 error 3:82"}, msg: "inside <when condition="},
		{name: "forward-request inside retry", src: policy("", `<retry condition="@(false)" count="1" interval="1">`+goodForward+`</retry>`, "", "")},

		// SSE106
		{name: "buffer-response expression", src: policy("", `<forward-request timeout="120" buffer-response="@(false)" />`, "", ""),
			want: []string{"SSE106 error 3:41"}, msg: "takes no policy expressions"},
		{name: "buffer-response named value", src: policy("", `<forward-request timeout="120" buffer-response="{{buffer}}" />`, "", ""),
			want: []string{"SSE106 warning 3:41"}, msg: "named value ({{buffer}})"},

		// SSE102 by scope
		{name: "base only at api scope", src: policy("", "<base />", "", ""),
			want: []string{"SSE102 error 3:10"}, msg: "at api scope it inherits the default forward-request"},
		{name: "base only at global scope", scope: Global, src: policy("", "<base />", "", ""),
			want: []string{"SSE102 error 3:10"}},
		{name: "base only at operation scope", scope: Operation, src: policy("", "<base />", "", ""),
			want: []string{"SSE102 warning 3:10"}, msg: "check it with scope api"},
		{name: "base only at product scope", scope: Product, src: policy("", "<base />", "", ""),
			want: []string{"SSE102 warning 3:10"}, msg: "every SSE API in the product"},
		{name: "base with forward-request", src: policy("", "<base />"+goodForward, "", "")},
		{name: "base only at workspace scope", scope: Workspace, src: policy("", "<base />", "", ""),
			want: []string{"SSE102 warning 3:10"}, msg: "every SSE API in the workspace"},
		{name: "one branch forwards, the other inherits", src: policy("", `<choose><when condition="@(context.Request.Method == &quot;POST&quot;)">`+goodForward+`</when><otherwise><base /></otherwise></choose>`, "", ""),
			want: []string{"SSE102 error 3:190"}, msg: "<backend> only says <base />"},
		{name: "base beside a forward-request in a branch", src: policy("", `<choose><when condition="@(true)"><base />`+goodForward+`</when></choose>`, "", "")},

		// SSE103
		{name: "empty backend", src: policy("", "", "", ""),
			want: []string{"SSE103 info 3:1"}, msg: "no backend is called on this path and nothing streams on it"},
		{name: "backend without forward-request", src: policy("", `<set-backend-service base-url="https://x" />`, "", ""),
			want: []string{"SSE103 info 3:1"}},
		{name: "backend that forwards no streaming request", src: policy(`<set-variable name="s" value="@(context.Request.Body.As&lt;JObject&gt;(true)[&quot;stream&quot;]?.Value&lt;bool&gt;() ?? false)" />`, `<choose><when condition="@(!(bool)context.Variables[&quot;s&quot;])">`+goodForward+`</when></choose>`, "", ""),
			want: []string{"SSE103 error 3:1"}, msg: "forwards no request that asks for a stream"},
		{name: "outbound after an empty backend is info", src: policy("", "", `<validate-content unspecified-content-type-action="prevent" max-size="1" size-exceeded-action="prevent" />`, ""),
			want: []string{"SSE103 info 3:1", "SSE110 info 4:11"}, msg: "nothing streams on it"},
		{name: "backend forwards through a fragment", src: policy("", `<include-fragment fragment-id="forward" />`, "", ""),
			want: []string{"SSE103 warning 3:1", "SSE130 warning 3:10"}, msg: `forwards only through the fragment "forward"`},
		{name: "no backend section", src: "<policies>\n<inbound><base /></inbound>\n</policies>",
			want: []string{"SSE103 warning 1:1"}, msg: "no <backend> section"},

		// SSE104, SSE105, SSE107
		{name: "timeout 240", src: policy("", `<forward-request timeout="240" buffer-response="false" />`, "", "")},
		{name: "timeout 241", src: policy("", `<forward-request timeout="241" buffer-response="false" />`, "", ""),
			want: []string{"SSE104 warning 3:27"}, msg: "over 240 seconds"},
		{name: "timeout missing", src: policy("", `<forward-request buffer-response="false" />`, "", ""),
			want: []string{"SSE104 warning 3:10"}, msg: "default 300 s"},
		{name: "timeout-ms over", src: policy("", `<forward-request timeout-ms="240001" buffer-response="false" />`, "", ""),
			want: []string{"SSE104 warning 3:27"}, msg: "set it to 240000 or below"},
		{name: "timeout beyond int64", src: policy("", `<forward-request timeout="99999999999999999999" buffer-response="false" />`, "", ""),
			want: []string{"SSE104 warning 3:27"}, msg: "is over 240 seconds"},
		{name: "timeout-ms within", src: policy("", `<forward-request timeout-ms="5000" buffer-response="false" />`, "", "")},
		{name: "timeout and timeout-ms", src: policy("", `<forward-request timeout="10" timeout-ms="5000" buffer-response="false" />`, "", ""),
			want: []string{"SSE105 error 3:40"}, msg: "accepts only one"},
		{name: "timeout expression", src: policy("", `<forward-request timeout="@(10)" buffer-response="false" />`, "", ""),
			want: []string{"SSE104 info 3:27"}, msg: "cannot check"},
		{name: "timeout not a number", src: policy("", `<forward-request timeout="ten" buffer-response="false" />`, "", ""),
			want: []string{"SSE107 error 3:27"}, msg: `timeout="ten" is not a whole number of seconds`},
		{name: "timeout negative", src: policy("", `<forward-request timeout="-1" buffer-response="false" />`, "", ""),
			want: []string{"SSE107 error 3:27"}},
		{name: "http-version 3", src: policy("", `<forward-request timeout="1" http-version="3" buffer-response="false" />`, "", ""),
			want: []string{"SSE107 error 3:39"}, msg: "not one of 1, 2, 2or1"},
		{name: "http-version 2or1", src: policy("", `<forward-request timeout="1" http-version="2or1" buffer-response="false" />`, "", ""),
			want: []string{"SSE109 warning 3:39"}, msg: "preview and only on the v2 tiers and self-hosted gateways"},
		{name: "http-version 2", src: policy("", `<forward-request timeout="1" http-version="2" buffer-response="false" />`, "", ""),
			want: []string{"SSE109 warning 3:39"}},
		{name: "http-version 1", src: policy("", `<forward-request timeout="1" http-version="1" buffer-response="false" />`, "", "")},
		{name: "bad boolean", src: policy("", `<forward-request timeout="1" follow-redirects="sometimes" buffer-response="false" />`, "", ""),
			want: []string{"SSE107 error 3:39"}, msg: "neither true nor false"},

		// SSE108
		{name: "forward-request in inbound", src: policy(`<forward-request timeout="10" />`, goodForward, "", ""),
			want: []string{"SSE108 error 2:10"}, msg: "belongs in <backend> only"},

		// SSE110, SSE111
		{name: "validate-content in outbound", src: stream(`<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" />`),
			want: []string{"SSE110 error 4:19"}, msg: "held until it ends"},
		{name: "validate-content in inbound", src: policy(`<validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" />`, goodForward, "", "")},
		{name: "set-body in outbound", src: stream(`<set-body>x</set-body>`),
			want: []string{"SSE111 error 4:19"}, msg: "set-body rewrites the response body"},
		{name: "set-body in inbound", src: policy(`<set-body>x</set-body>`, goodForward, "", "")},
		{name: "set-body of a send-request", src: stream(`<send-request mode="new" response-variable-name="r"><set-body>x</set-body></send-request>`)},
		{name: "set-body of a return-response", src: stream(`<return-response><set-body>x</set-body></return-response>`),
			want: []string{"SSE151 error 4:19"}, msg: "return-response in <outbound> runs for every request"},
		{name: "transform in a branch", src: stream(`<choose><otherwise><xml-to-json kind="direct" apply="always" consider-accept-header="false" /></otherwise></choose>`),
			want: []string{"SSE111 error 4:38"}, msg: "streaming requests take this branch: the <otherwise> of the <choose> at line 4, column 19 (taken when no <when> matches)"},

		// SSE112
		{name: "response body read in set-variable", src: stream(`<set-variable name="b" value="@(context.Response.Body.As<string>(preserveContent: true))" />`),
			want: []string{"SSE112 error 4:51"}, msg: "set-variable reads context.Response.Body in value"},
		{name: "response body read in a condition", src: stream(`<choose><when condition="@(context.Response.Body != null)"><base /></when></choose>`),
			want: []string{"SSE112 error 4:46"}},
		{name: "response body read in on-error", src: policy("", goodForward, "", `<trace source="x">@(context.Response.Body.As<string>())</trace>`),
			want: []string{"SSE112 error 5:31"}},
		{name: "response body read in inbound", src: policy(`<set-variable name="b" value="@(context.Response.Body)" />`, goodForward, "", "")},
		{name: "response headers read", src: stream(`<set-variable name="b" value="@(context.Response.Headers.GetValueOrDefault(&quot;a&quot;))" />`)},
		{name: "response body read in CDATA", src: stream(`<set-header name="x" exists-action="override"><value><![CDATA[@(context.Response.Body.As<string>())]]></value></set-header>`),
			want: []string{"SSE112 error 4:83"}},
		{name: "other response's body", src: stream(`<set-variable name="b" value="@(((IResponse)context.Variables[&quot;r&quot;]).Body.As<string>())" />`)},

		// SSE113
		{name: "event hub logs response body", src: stream(`<log-to-eventhub logger-id="l">@(context.Response.Body.As<string>(preserveContent: true))</log-to-eventhub>`),
			want: []string{"SSE113 error 4:52"}, msg: "logs the response body"},
		{name: "event hub logs request body", src: policy(`<log-to-eventhub logger-id="l">@(context.Request.Body.As<string>(preserveContent: true))</log-to-eventhub>`, goodForward, "", ""),
			want: []string{"SSE113 warning 2:43"}, msg: "logs the request body"},
		{name: "event hub logs headers", src: stream(`<log-to-eventhub logger-id="l">@(context.Response.StatusCode + " " + context.Request.Url)</log-to-eventhub>`)},

		// SSE120
		{name: "cache-lookup", src: policy(`<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />`, goodForward, "", ""),
			want: []string{"SSE120 error 2:10"}, msg: "cache-lookup caches whole responses"},
		{name: "cache-store", src: stream(`<cache-store duration="60" />`), want: []string{"SSE120 error 4:19"}},
		{name: "semantic cache", src: policy(`<azure-openai-semantic-cache-lookup score-threshold="0.05" embeddings-backend-id="e" />`, goodForward, "", ""),
			want: []string{"SSE120 error 2:10"}},
		{name: "value cache is not response cache", src: policy(`<cache-lookup-value key="k" variable-name="v" />`, goodForward, `<cache-store-value key="k" value="v" duration="60" />`, "")},

		// SSE130, SSE140
		{name: "include-fragment", src: policy(`<include-fragment fragment-id="auth" />`, goodForward, "", ""),
			want: []string{"SSE130 warning 2:10"}, msg: `fragment "auth"`},
		{name: "token limit", src: policy(`<llm-token-limit tokens-per-minute="500" counter-key="k" estimate-prompt-tokens="true" />`, goodForward, "", ""),
			want: []string{"SSE140 info 2:10"}, msg: "only estimates"},

		// SSE100
		{name: "broken expression", src: policy(`<set-variable name="x" value="@(foo(1)" />`, goodForward, "", ""),
			want: []string{"SSE100 error 2:40"}, msg: "not valid C#: unterminated policy expression"},

		// fragments: the section is unknown
		{name: "fragment with set-body", src: "<fragment>\n<set-body>x</set-body>\n</fragment>",
			want: []string{"SSE111 warning 2:1"}, msg: "if this fragment is included in <outbound>"},
		{name: "fragment reading the response", src: "<fragment>\n<set-variable name=\"b\" value=\"@(context.Response.Body.As<string>())\" />\n</fragment>",
			want: []string{"SSE112 error 2:33"}, msg: "this fragment can only stand in <backend> or <outbound> or <on-error>: its set-variable (line 2, column 1) reads context.Response"},
		{name: "fragment forwarding with buffering", src: "<fragment>\n<forward-request timeout=\"10\" />\n</fragment>",
			want: []string{"SSE101 error 2:1"}},
		{name: "fragment with cache", src: "<fragment><cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" /></fragment>",
			want: []string{"SSE120 error 1:11"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckSource([]byte(tt.src), Options{Scope: tt.scope})
			if err != nil {
				t.Fatal(err)
			}
			got := summarize(res.Findings)
			want := append([]string(nil), tt.want...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("findings\n  %s\nwant\n  %s\nmessages: %v", strings.Join(got, "\n  "), strings.Join(want, "\n  "), res.Findings)
			}
			wantReady := true
			for _, w := range tt.want {
				if strings.Contains(w, " error ") {
					wantReady = false
				}
			}
			if res.Ready != wantReady {
				t.Errorf("ready = %v, want %v", res.Ready, wantReady)
			}
			if tt.msg != "" && !strings.Contains(res.Findings[0].Message, tt.msg) {
				t.Errorf("message %q does not say %q", res.Findings[0].Message, tt.msg)
			}
			for _, f := range res.Findings {
				if f.Hop != rules.HopAPIM || f.Element == "" {
					t.Errorf("finding %v lacks hop or element", f)
				}
			}
		})
	}
}

// Each body-rewriting policy of FACTS.md is caught in <outbound>.
func TestEveryBodyTransformInOutbound(t *testing.T) {
	for _, name := range []string{"set-body", "find-and-replace", "xml-to-json", "json-to-xml", "xsl-transform", "redirect-content-urls", "jsonp"} {
		res, err := CheckSource([]byte(stream("<"+name+" />")), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := summarize(res.Findings); len(got) != 1 || got[0] != "SSE111 error 4:19" {
			t.Errorf("%s: findings %v", name, got)
		}
	}
}

func TestCheckNodes(t *testing.T) {
	nodes, err := apimpolicy.ParseNodes([]byte(`<set-header name="Cache-Control" exists-action="override"><value>no-cache</value></set-header><validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent" />`))
	if err != nil {
		t.Fatal(err)
	}
	out := CheckNodes(nodes, "outbound", Options{})
	if got := summarize(out.Findings); len(got) != 1 || got[0] != "SSE110 error 1:95" {
		t.Fatalf("outbound: %v", got)
	}
	if in := CheckNodes(nodes, "inbound", Options{}); len(in.Findings) != 0 {
		t.Fatalf("inbound: %v", in.Findings)
	}
}

func TestCheckNodesReportsBrokenExpressions(t *testing.T) {
	nodes, err := apimpolicy.ParseNodes([]byte(`<set-variable name="x" value="@(foo("bar)" />`))
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(CheckNodes(nodes, "inbound", Options{}).Findings); len(got) != 1 || got[0] != "SSE100 error 1:37" {
		t.Fatalf("findings %v", got)
	}
}

func TestParseScope(t *testing.T) {
	for _, s := range []string{"global", "workspace", "product", "api", "operation"} {
		if sc, err := ParseScope(s); err != nil || string(sc) != s {
			t.Errorf("%s: %v %v", s, sc, err)
		}
	}
	if sc, err := ParseScope(""); err != nil || sc != API {
		t.Errorf("empty scope: %v %v", sc, err)
	}
	if _, err := ParseScope("API"); err == nil || !strings.Contains(err.Error(), "use one of global, workspace, product, api, operation") {
		t.Errorf("bad scope error: %v", err)
	}
}
