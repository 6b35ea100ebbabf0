package apimcheck

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Shapes of the policies LLM gateways ship (token limits, content safety,
// routing on the stream flag, answers from the gateway), written for these
// tests.
const (
	flagVar = `<set-variable name="isStream" value="@(context.Request.Body.As<JObject>(preserveContent: true)[&quot;stream&quot;]?.Value<bool>() ?? false)" />`
	// rawFlagVar is the same in rawxml: quotes unescaped in the expression.
	rawFlagVar = `<set-variable name="isStream" value="@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() ?? false)" />`
	buffering  = `<forward-request timeout="120" buffer-response="true" />`
	noTimeout  = `<forward-request buffer-response="false" />`
)

// when builds a <choose> with one condition, what it runs, and what the
// <otherwise> runs ("" leaves the otherwise out).
func when(condition, then, otherwise string) string {
	s := `<choose><when condition="` + condition + `">` + then + `</when>`
	if otherwise != "" {
		s += `<otherwise>` + otherwise + `</otherwise>`
	}
	return s + `</choose>`
}

// resolve turns "RULE severity @marker" (or "@marker#n" for the n-th
// occurrence) into "RULE severity line:col", the marker's place in src:
// expected places come from the test's source, not from the checker.
func resolve(t *testing.T, src, want string) string {
	t.Helper()
	head, marker, ok := strings.Cut(want, "@")
	if !ok {
		return want
	}
	nth := 1
	if i := strings.LastIndex(marker, "#"); i > 0 {
		if _, err := fmt.Sscan(marker[i+1:], &nth); err != nil {
			t.Fatalf("marker %q: %v", want, err)
		}
		marker = marker[:i]
	}
	off := -1
	for k := 0; k < nth; k++ {
		next := strings.Index(src[off+1:], marker)
		if next < 0 {
			t.Fatalf("marker %q (occurrence %d) is not in the source", marker, nth)
		}
		off += 1 + next
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off - strings.LastIndex(src[:off], "\n")
	return fmt.Sprintf("%s%d:%d", head, line, col)
}

type checkCase struct {
	name  string
	src   string
	opts  Options
	want  []string // every finding, as summarize renders it
	msgs  []string // phrases that some finding's message must hold
	ready *bool    // when set, overrides the readiness derived from want
}

func runCheckCases(t *testing.T, tests []checkCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckSource([]byte(tt.src), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := summarize(res.Findings)
			var want []string
			for _, w := range tt.want {
				want = append(want, resolve(t, tt.src, w))
			}
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("findings\n  %s\nwant\n  %s\nmessages: %v", strings.Join(got, "\n  "), strings.Join(want, "\n  "), res.Findings)
			}
			wantReady := true
			for _, w := range tt.want {
				wantReady = wantReady && !strings.Contains(w, " error ")
			}
			if tt.ready != nil {
				wantReady = *tt.ready
			}
			if res.Ready != wantReady {
				t.Errorf("ready = %v, want %v", res.Ready, wantReady)
			}
			all := ""
			for _, f := range res.Findings {
				all += f.Message + " | reason: " + f.Reason + "\n"
			}
			for _, m := range tt.msgs {
				// "{@marker}" stands for "line L, column C" of the marker.
				for strings.Contains(m, "{@") {
					i := strings.Index(m, "{@")
					j := i + strings.Index(m[i:], "}")
					var line, col int
					if _, err := fmt.Sscanf(resolve(t, tt.src, "@"+m[i+2:j]), "%d:%d", &line, &col); err != nil {
						t.Fatal(err)
					}
					m = m[:i] + fmt.Sprintf("line %d, column %d", line, col) + m[j+1:]
				}
				if !strings.Contains(all, m) {
					t.Errorf("no finding says %q:\n%s", m, all)
				}
			}
		})
	}
}

// §2: the pipeline as APIM runs it.
func TestPipeline(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "inbound return-response always answers",
			src:  policy(`<return-response><set-status code="200" reason="OK" /></return-response>`, "<base />", `<validate-content unspecified-content-type-action="prevent" max-size="1" size-exceeded-action="prevent" />`, ""),
			want: []string{"SSE150 info @<return-response", "SSE110 info @<validate-content"},
			msgs: []string{"never reaches a backend and cannot stream one", "this never runs: the <return-response> in <inbound> at line 2, column 10 answers every request first"}},
		{name: "inbound mock-response always answers, backend forward-request never runs",
			src:  policy(`<base /><mock-response status-code="200" content-type="application/json" />`, buffering, "", ""),
			want: []string{"SSE150 info @<mock-response", "SSE101 info @buffer-response=\"true\""}},
		{name: "inbound return-response in a branch does not end every request",
			src:  policy(`<choose><when condition="@(context.Request.Method == &quot;GET&quot;)"><return-response /></when></choose>`, "<base />", "", ""),
			want: []string{"SSE102 error @<base />"}},
		{name: "outbound return-response replaces the stream",
			src:  stream(`<return-response response-variable-name="cached" />`),
			want: []string{"SSE151 error @<return-response"}, msgs: []string{"the client gets its response instead of the backend's stream"}},
		{name: "outbound mock-response replaces the stream",
			src:  stream(`<mock-response />`),
			want: []string{"SSE151 error @<mock-response"}},
		{name: "return-response answering streaming requests refuses streaming",
			src:  policy(flagVar+when(`@(context.Variables.GetValueOrDefault&lt;bool&gt;(&quot;isStream&quot;))`, `<return-response><set-status code="400" reason="streaming not supported" /></return-response>`, ""), goodForward, "", ""),
			want: []string{"SSE152 error @<return-response"}, msgs: []string{"answers the requests that ask for a stream", `streaming requests take this branch: <when condition="@(context.Variables.GetValueOrDefault&lt;bool&gt;(&quot;isStream&quot;))">`}},
		{name: "return-response for non-streaming requests is fine",
			src: policy(rawFlagVar+when(`@(!context.Variables.GetValueOrDefault<bool>("isStream"))`, `<return-response response-variable-name="cachedAnswer" />`, ""), goodForward, "", "")},
		{name: "return-response in the otherwise of a non-streaming when refuses streaming",
			src:  policy(rawFlagVar+when(`@(context.Variables.GetValueOrDefault<bool>("isStream") == false)`, "<base />", `<return-response />`), goodForward, "", ""),
			want: []string{"SSE152 error @<return-response"}, msgs: []string{"streaming requests take this branch: the <otherwise> of the <choose> at line 2"}},
	})
}

// §3: findings in branches, by which requests take them.
func TestStreamingBranches(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "buffering for non-streaming requests through a variable is info",
			src:  policy(rawFlagVar, when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, goodForward, buffering), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""},
			msgs: []string{"only requests that do not ask for a stream take this branch: the <otherwise> of the <choose> at line 3, column 10 (taken when no <when> matches)"}},
		{name: "buffering for streaming requests stays an error",
			src:  policy(rawFlagVar, when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, buffering, goodForward), "", ""),
			want: []string{"SSE101 error @buffer-response=\"true\""}, msgs: []string{"streaming requests take this branch: <when condition=\"@(context.Variables.GetValueOrDefault<bool>(\"isStream\"))\"> at line 3, column 18"}},
		{name: "negated variable",
			src:  policy(rawFlagVar, when(`@(!context.Variables.GetValueOrDefault<bool>("isStream", false))`, buffering, goodForward), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "string variable compared with \"false\"",
			src:  policy(`<set-variable name="stream" value="@(context.Request.Body.As<JObject>(true)["stream"]?.ToString().ToLower() ?? "false")" />`, when(`@((string)context.Variables["stream"] == "false")`, buffering, goodForward), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "string variable != \"true\" in either case",
			src:  policy(`<set-variable name="stream" value="@(context.Request.Body.As<JObject>(true)["stream"]?.ToString())" />`, when(`@(context.Variables.GetValueOrDefault<string>("stream") != "True")`, buffering, goodForward), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "the flag read directly in the condition",
			src:  policy("", when(`@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() == true)`, goodForward, buffering), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "a bare name set by set-variable",
			src:  policy(`<set-variable name="streamRequested" value="@((bool?)context.Request.Body.As<JObject>(true)?["stream"] ?? false)" />`, when(`@(!streamRequested)`, buffering, goodForward), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "a variable that holds the negation",
			src:  policy(`<set-variable name="batch" value="@(!(bool)(context.Request.Body.As<JObject>(true)["stream"] ?? false))" />`, when(`@(context.Variables.GetValueOrDefault<bool>("batch"))`, buffering, goodForward), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "a second when after the streaming one is for non-streaming requests",
			src:  policy(rawFlagVar, `<choose><when condition="@(context.Variables.GetValueOrDefault<bool>(&quot;isStream&quot;))">`+goodForward+`</when><when condition="@(context.Request.Method == &quot;GET&quot;)">`+buffering+`</when></choose>`, "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
		{name: "stream && other is for streaming requests; its otherwise depends on the other",
			src:  policy(rawFlagVar, when(`@(context.Variables.GetValueOrDefault<bool>("isStream") && context.Request.Method == "POST")`, buffering, buffering), "", ""),
			want: []string{"SSE101 error @buffer-response=\"true\"", "SSE101 error @buffer-response=\"true\"#2"},
			msgs: []string{"streaming requests take this branch", "inside the <otherwise> of the <choose> at {@<choose>} (taken when no <when> matches): whether streaming requests take it depends on context.Request.Method, which sseready cannot evaluate"}},
		{name: "stream || other is taken by every streaming request",
			src:  policy(rawFlagVar, when(`@(context.Variables.GetValueOrDefault<bool>("isStream") || context.Request.Method == "GET")`, buffering, goodForward), "", ""),
			want: []string{"SSE101 error @buffer-response=\"true\""}, msgs: []string{"streaming requests take this branch: <when condition="}},
		{name: "a variable set again holds its last value",
			src:  policy(rawFlagVar+`<set-variable name="isStream" value="@(true)" />`, when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, goodForward, buffering), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}, msgs: []string{"no request takes this branch"}},
		{name: "a variable set differently in two branches is unknown after them",
			src: policy(rawFlagVar+when(`@(context.Request.Method == "GET")`, `<set-variable name="isStream" value="@(false)" />`, ""),
				when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, goodForward, buffering), "", ""),
			want: []string{"SSE101 error @buffer-response=\"true\""}, msgs: []string{"it is set differently in the branches of the <choose> at line 2"}},
		{name: "an unknown condition keeps the error and names the branch",
			src:  policy("", when(`@(context.Request.Headers.GetValueOrDefault("x-mode","") == "fast")`, buffering, goodForward), "", ""),
			want: []string{"SSE101 error @buffer-response=\"true\""}, msgs: []string{"at {@<when}: whether streaming requests take it depends on the request header \"x-mode\", which sseready cannot evaluate"}},
		{name: "outbound policies for non-streaming requests are info",
			src: stream(rawFlagVar + when(`@(!context.Variables.GetValueOrDefault<bool>("isStream"))`,
				`<set-body>@(context.Response.Body.As<string>())</set-body><validate-content unspecified-content-type-action="prevent" max-size="1" size-exceeded-action="prevent" />`, "")),
			want: []string{"SSE111 info @<set-body", "SSE112 info @context.Response.Body", "SSE110 info @<validate-content"}},
		{name: "outbound set-body for streaming requests stays an error",
			src:  stream(rawFlagVar + when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, `<set-body>x</set-body>`, "")),
			want: []string{"SSE111 error @<set-body"}},
		{name: "a missing or false flag is for non-streaming requests (the AI gateway semantic cache shape)",
			src: policy(when(`@(context.Request.Body.As<JObject>(preserveContent: true)["stream"] == null || context.Request.Body.As<JObject>(preserveContent: true)["stream"].Value<bool>() == false)`,
				`<azure-openai-semantic-cache-lookup score-threshold="0.8" embeddings-backend-id="embeddings" />`, ""), goodForward,
				when(`@(context.Request.Body.As<JObject>(preserveContent: true)["stream"] == null)`, `<azure-openai-semantic-cache-store duration="60" />`, ""), ""),
			want: []string{"SSE120 info @<azure-openai-semantic-cache-lookup", "SSE120 info @<azure-openai-semantic-cache-store"}},
		{name: "a fragment that caches only what does not ask for an event stream by Accept",
			src: policy(when(`@(!context.Request.Headers.GetValueOrDefault("Accept","").Contains("text/event-stream")
      && ((context.Request.Url.Path ?? "").Contains("/chat/completions") || (context.Request.Url.Path ?? "").Contains("/responses")))`,
				`<azure-openai-semantic-cache-lookup score-threshold="0.05" embeddings-backend-id="e" />`, ""), goodForward, "", ""),
			want: []string{"SSE120 info @<azure-openai-semantic-cache-lookup"}},
		{name: "a present flag is not a streaming request",
			src:  policy("", when(`@(context.Request.Body.As<JObject>(true)["stream"] != null)`, buffering, goodForward), "", ""),
			want: []string{"SSE101 error @buffer-response=\"true\""}},
		{name: "nested: a non-streaming outer branch decides",
			src:  policy(rawFlagVar, when(`@(!context.Variables.GetValueOrDefault<bool>("isStream"))`, when(`@(context.Request.Method == "POST")`, buffering, ""), goodForward), "", ""),
			want: []string{"SSE101 info @buffer-response=\"true\""}},
	})
}

// The fix leaves what only non-streaming requests run.
func TestFixLeavesNonStreamingBranches(t *testing.T) {
	src := policy(rawFlagVar, when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, `<forward-request timeout="120" />`, buffering), "", "")
	fx, err := Fix([]byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(src, `<forward-request timeout="120" />`, `<forward-request timeout="120" buffer-response="false" />`, 1)
	if string(fx.Source) != want {
		t.Fatalf("fixed\n%s\nwant\n%s", fx.Source, want)
	}
	if got := summarize(fx.Remaining.Findings); strings.Join(got, ",") != resolve(t, want, `SSE101 info @buffer-response="true"`) || !fx.Remaining.Ready {
		t.Fatalf("remaining %v", got)
	}
}

// §4: expressions read as code.
func TestBodyReadsAsCode(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "in a line comment", src: stream("<set-body>@{\n// was: context.Response.Body.As<string>()\nreturn \"x\";\n}</set-body>"),
			want: []string{"SSE111 error @<set-body"}},
		{name: "in a block comment", src: stream(`<set-variable name="v" value="@(/* context.Response.Body */ context.Response.StatusCode)" />`)},
		{name: "in a string literal", src: stream(`<trace source="x">@("context.Response.Body is not read here")</trace>`)},
		{name: "in a verbatim string", src: stream(`<trace source="x">@(@"see context.Response.Body")</trace>`)},
		{name: "in an XML comment in the code", src: stream("<trace source=\"x\">@{ <!-- context.Response.Body --> return \"\"; }</trace>")},
		{name: "through a var alias", src: stream("<trace source=\"x\">@{\n  var r = context.Response;\n  return r.Body.As<string>(preserveContent: true);\n}</trace>"),
			want: []string{"SSE112 error @r.Body"}, msgs: []string{"trace reads context.Response.Body in its text"}},
		{name: "through a typed alias", src: stream(`<set-variable name="v" value="@{ IResponse res = context.Response; return res?.Body.As<string>(true); }" />`),
			want: []string{"SSE112 error @res?.Body"}, msgs: []string{"set-variable reads context.Response.Body in value"}},
		{name: "in an interpolated string's hole", src: stream(`<trace source="x">@($"body: {context.Response.Body.As<string>(true)}")</trace>`),
			want: []string{"SSE112 error @context.Response.Body"}},
		{name: "lands on the attribute that holds it", src: stream(`<set-header name="@(context.Request.Url.Path)" exists-action="@(context.Response.Body.As<string>(true).Length > 0 ? &quot;override&quot; : &quot;skip&quot;)"><value>1</value></set-header>`),
			want: []string{"SSE112 error @context.Response.Body"}, msgs: []string{"set-header reads context.Response.Body in exists-action"}},
	})
}

func TestFindingAttribute(t *testing.T) {
	res, err := CheckSource([]byte(stream(`<set-variable name="a" value="@(context.Response.Body.As<string>(true))" />`)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Attribute != "value" || res.Findings[0].Element != "set-variable" {
		t.Fatalf("findings %+v", res.Findings)
	}
}

// §6: the new policy rules.
func TestLLMPolicyRules(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "content safety on completions in outbound", src: stream(`<llm-content-safety backend-id="safety" shield-prompt="false" />`),
			want: []string{"SSE114 warning @<llm-content-safety"}, msgs: []string{"sliding window of 10000 characters (the default window-size)", "the stream stops with no error status"}},
		{name: "content safety with a window size", src: policy(`<llm-content-safety backend-id="safety" enforce-on-completions="true" window-size="500" />`, goodForward, "", ""),
			want: []string{"SSE114 warning @<llm-content-safety"}, msgs: []string{"sliding window of 500 characters (window-size)"}},
		{name: "content safety on the prompt only", src: policy(`<llm-content-safety backend-id="safety" shield-prompt="true" />`, goodForward, "", "")},
		{name: "content safety for non-streaming requests", src: stream(rawFlagVar + when(`@(!(bool)context.Variables["isStream"])`, `<llm-content-safety backend-id="s" />`, "")),
			want: []string{"SSE114 info @<llm-content-safety"}},

		{name: "Content-Type overridden", src: stream(`<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>`),
			want: []string{"SSE115 error @<set-header"}, msgs: []string{`overrides the response's Content-Type with "application/json"`}},
		{name: "Content-Type overridden by default action", src: stream(`<set-header name="content-type"><value>text/plain</value></set-header>`),
			want: []string{"SSE115 error @<set-header"}},
		{name: "Content-Type deleted", src: stream(`<set-header name="Content-Type" exists-action="delete" />`),
			want: []string{"SSE115 error @<set-header"}, msgs: []string{"deletes the response's Content-Type"}},
		{name: "Content-Type appended", src: stream(`<set-header name="Content-Type" exists-action="append"><value>text/event-stream</value></set-header>`),
			want: []string{"SSE115 error @<set-header"}},
		{name: "Content-Type set to the stream's type", src: stream(`<set-header name="Content-Type" exists-action="override"><value>text/event-stream; charset=utf-8</value></set-header>`)},
		{name: "Content-Type only where missing", src: stream(`<set-header name="Content-Type" exists-action="skip"><value>application/json</value></set-header>`)},
		{name: "Content-Type from an expression", src: stream(`<set-header name="Content-Type" exists-action="override"><value>@(context.Variables.GetValueOrDefault<string>("ct"))</value></set-header>`),
			want: []string{"SSE115 warning @<set-header"}},
		{name: "Content-Length set", src: stream(`<set-header name="Content-Length" exists-action="override"><value>0</value></set-header>`),
			want: []string{"SSE115 warning @name=\"Content-Length\""}, msgs: []string{"set-header cannot append, override or delete Content-Length"}},
		{name: "request Content-Type in inbound", src: policy(`<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>`, goodForward, "", "")},
		{name: "Content-Type of the gateway's own answer", src: policy(when(`@(context.Request.Method == "OPTIONS")`, `<return-response><set-header name="Content-Type" exists-action="override"><value>text/plain</value></set-header></return-response>`, ""), goodForward, "", "")},

		{name: "every documented forward-request attribute and value",
			src: policy("", `<forward-request timeout="60" continue-timeout="10" http-version="1" follow-redirects="false" buffer-request-body="true" buffer-response="false" fail-on-error-status-code="true" />`, "", "")},
		{name: "timeout-ms with expressions where they are allowed",
			src:  policy("", `<forward-request timeout-ms="@(60000)" continue-timeout="@(5)" http-version="@(&quot;1&quot;)" follow-redirects="@(false)" buffer-request-body="@(true)" buffer-response="false" fail-on-error-status-code="@(true)" />`, "", ""),
			want: []string{"SSE104 info @timeout-ms"}},
		{name: "continue-timeout not a number",
			src:  policy("", `<forward-request timeout="60" continue-timeout="soon" buffer-response="false" />`, "", ""),
			want: []string{"SSE107 error @continue-timeout"}},
	})
}

// Every example the rules guide gives of how the stream flag is read is
// read so: the guide cannot promise what the checker does not do.
func TestStreamPatternsExamples(t *testing.T) {
	for _, p := range rules.StreamPatterns {
		t.Run(p.Example, func(t *testing.T) {
			src := policy(p.Setup, when(p.Example, buffering, goodForward), "", "")
			if p.Constant {
				// The branch meant for streams is never taken: they get the otherwise's.
				src = policy(p.Setup, when(p.Example, goodForward, buffering), "", "")
			}
			res, err := CheckSource([]byte(src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var buf *rules.Finding
			var constant bool
			for i, f := range res.Findings {
				switch f.Rule {
				case rules.ForwardRequestBuffers:
					buf = &res.Findings[i]
				case rules.StreamFlagConstant:
					constant = f.Severity == rules.Error
				default:
					t.Fatalf("unexpected finding %v", f)
				}
			}
			if buf == nil {
				t.Fatalf("no SSE101 in %v", res.Findings)
			}
			if constant != p.Constant {
				t.Errorf("SSE153 error: %v, want %v (%v)", constant, p.Constant, res.Findings)
			}
			switch p.Taken {
			case "stream", "both":
				if buf.Severity != rules.Error || !strings.Contains(buf.Message, "streaming requests take this branch") {
					t.Errorf("the <when> is not read as taken by streaming requests: %s %s", buf.Severity, buf.Message)
				}
			case "others":
				if buf.Severity != rules.Info || !strings.Contains(buf.Message, "only requests that do not ask for a stream") {
					t.Errorf("the <when> is not read as taken by the others only: %s %s", buf.Severity, buf.Message)
				}
			case "none":
				if buf.Severity != rules.Error || !strings.Contains(buf.Message, "streaming requests take this branch: the <otherwise>") {
					t.Errorf("the <when> is not read as never taken: %s %s", buf.Severity, buf.Message)
				}
			default:
				t.Fatalf("Taken %q", p.Taken)
			}
		})
	}
}
