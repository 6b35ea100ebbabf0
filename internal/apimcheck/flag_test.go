package apimcheck

import (
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// The shapes public LLM gateways ship, written for these tests (issue 16,
// §1): the flag computed in a block and compared in a fragment, the
// flag's text compared case-sensitively, a has-key flag, a return-response
// that refuses streams, an empty backend.
const (
	// blockStringFlag sets isStream as public gateways do: the flag's
	// text, "True" or "False" (or "false" when there is no flag).
	blockStringFlag = `<set-variable name="isStream" value="@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        if (body["stream"] != null) { return body["stream"].ToString(); }
        return "false";
    }" />`
	// routeFragment forwards streams unbuffered and buffers the rest, on
	// purpose, comparing without case.
	routeFragment = `<fragment>
  <choose>
    <when condition="@(context.Variables.GetValueOrDefault<string>("isStream", "false").Equals("false", StringComparison.OrdinalIgnoreCase))">
      <forward-request timeout="120" buffer-response="true" />
    </when>
    <otherwise>
      <forward-request timeout="120" buffer-response="false" />
    </otherwise>
  </choose>
</fragment>`
)

func fragments(t *testing.T, src map[string]string) map[string]*apimpolicy.Document {
	t.Helper()
	docs, errs := ParseFragments(src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return docs
}

func TestStreamFlagShapes(t *testing.T) {
	frag := fragments(t, map[string]string{"route": routeFragment})
	caseSensitive := policy(blockStringFlag, when(`@(context.Variables.GetValueOrDefault<string>("isStream") == "true")`, goodForward, buffering), "", "")
	runCheckCases(t, []checkCase{
		{name: "block-computed text flag compared without case in a fragment: the deliberate buffering is info",
			src: policy(blockStringFlag, `<include-fragment fragment-id="route" />`, "", ""), opts: Options{Fragments: frag},
			want: []string{"SSE101 info 4:38"},
			msgs: []string{"only requests that do not ask for a stream take this branch", `(in fragment "route", included at line 7, column 10)`}},
		{name: "the text flag compared with == never matches: streams take the buffering otherwise",
			src:  caseSensitive,
			want: []string{"SSE153 error @condition=", `SSE101 error @buffer-response="true"`},
			msgs: []string{`compares the stream flag's text with "true" case-sensitively, but for a request that asks for a stream the text is "True"`,
				"there streaming requests meet SSE101", "streaming requests take this branch: the <otherwise>"}},
		{name: "the sibling policy with .ToLower() is fine",
			src:  policy(strings.Replace(blockStringFlag, `body["stream"].ToString()`, `body["stream"].ToString().ToLower()`, 1), when(`@(context.Variables.GetValueOrDefault<string>("isStream") == "true")`, goodForward, buffering), "", ""),
			want: []string{`SSE101 info @buffer-response="true"`}},
		{name: "a comparison that never matches but breaks nothing is a warning",
			src:  policy(blockStringFlag, when(`@(context.Variables.GetValueOrDefault<string>("isStream") == "true")`, goodForward, goodForward), "", ""),
			want: []string{"SSE153 warning @condition="}},
		{name: "a has-key flag: its true branch keeps its errors, its false branch is for the others",
			src:  policy("", when(`@(context.Request.Body.As<JObject>(true)["stream"] != null && context.Request.Body.As<JObject>(true)["stream"].Type != JTokenType.Null)`, buffering, buffering), "", ""),
			want: []string{`SSE101 error @buffer-response="true"`, `SSE101 info @buffer-response="true"#2`}},
		{name: "return-response 404 to every streaming request, flag computed in a block, refuses streams",
			src: policy(blockStringFlag+when(`@(context.Variables.GetValueOrDefault<string>("isStream").Equals("true", StringComparison.OrdinalIgnoreCase))`,
				`<return-response><set-status code="404" reason="Not Found" /></return-response>`, ""), goodForward, "", ""),
			want: []string{"SSE152 error @<return-response"}},
		{name: "after a return-response that answers streams, the backend is info for them",
			src: policy(rawFlagVar+when(`@(context.Variables.GetValueOrDefault<bool>("isStream"))`, `<return-response />`, ""),
				buffering, "", ""),
			want: []string{"SSE152 error @<return-response", `SSE101 info @buffer-response="true"`},
			msgs: []string{"no request that asks for a stream gets here: the <return-response> at line 2"}},
		{name: "a backend whose choose forwards on no branch calls no backend",
			src:  policy("", `<choose><when condition="@(context.Request.Method == &quot;OPTIONS&quot;)"><set-backend-service base-url="https://x" /></when></choose>`, `<cache-store duration="60" />`, ""),
			want: []string{"SSE103 info 3:1", "SSE120 info @<cache-store"}},
		{name: "a flag expression that throws for a JSON null ends that request; streams still take the branch",
			src:  policy(`<set-variable name="s" value="@(context.Request.Body.As<JObject>(true)[&quot;stream&quot;].Value<bool>())" />`, when(`@((bool)context.Variables["s"])`, buffering, goodForward), "", ""),
			want: []string{`SSE101 error @buffer-response="true"`}},
	})
}

// --fix never touches a branch that only non-streaming requests take, nor
// one streaming requests reach through a comparison that never matches
// (the fix is the comparison).
func TestFixLeavesBranchesOfTheFlag(t *testing.T) {
	frag := fragments(t, map[string]string{"route": routeFragment})
	for _, tt := range []struct {
		name string
		src  string
		opts Options
	}{
		{"deliberate buffering for the others", policy(blockStringFlag, when(`@(context.Variables.GetValueOrDefault<string>("isStream").ToLower() == "true")`, goodForward, buffering), "", ""), Options{}},
		{"a comparison that never matches", policy(blockStringFlag, when(`@(context.Variables.GetValueOrDefault<string>("isStream") == "true")`, goodForward, buffering), "", ""), Options{}},
		{"through the fragment", policy(blockStringFlag, `<include-fragment fragment-id="route" />`, "", ""), Options{Fragments: frag}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fixed, err := Fix([]byte(tt.src), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if string(fixed.Source) != tt.src {
				t.Errorf("the fix changed the document:\n%s", fixed.Source)
			}
			if len(fixed.Applied) != 0 {
				t.Errorf("applied %v", fixed.Applied)
			}
		})
	}
}

// A variable set at one scope and read at another is followed along the
// composed request path: global sets, API reads; API sets, operation and
// fragment read.
func TestStreamFlagAcrossScopes(t *testing.T) {
	parse := func(s string) *apimpolicy.Document {
		doc, err := apimpolicy.Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	globalSets := parse(policy(blockStringFlag, "<forward-request />", "", ""))
	apiReads := parse(policy("<base />", when(`@(context.Variables.GetValueOrDefault<string>("isStream").Equals("false", StringComparison.OrdinalIgnoreCase))`, buffering, goodForward), "<base />", "<base />"))
	apiSets := parse(policy("<base />"+blockStringFlag, `<include-fragment fragment-id="route" />`, "<base />", "<base />"))
	opReads := parse(policy("<base />", when(`@(context.Variables.GetValueOrDefault<string>("isStream") == "True")`, goodForward, buffering), "<base />", "<base />"))
	apiAlone := parse(policy("<base />", when(`@(context.Variables.GetValueOrDefault<string>("isStream").Equals("false", StringComparison.OrdinalIgnoreCase))`, buffering, goodForward), "<base />", "<base />"))
	frag := fragments(t, map[string]string{"route": routeFragment})
	tests := []struct {
		name   string
		chain  []ScopedPolicy
		want   rules.Severity // of the SSE101 on buffer-response="true"
		phrase string
	}{
		{"global sets, API reads", []ScopedPolicy{{Scope: Global, Doc: globalSets, Name: "policy.xml"}, {Scope: API, Doc: apiReads, Name: "apis/chat/policy.xml"}}, rules.Info, "only requests that do not ask for a stream"},
		{"API sets, the fragment reads", []ScopedPolicy{{Scope: API, Doc: apiSets, Name: "apis/chat/policy.xml"}}, rules.Info, "only requests that do not ask for a stream"},
		{"API sets, the operation reads (== \"True\" matches the text)", []ScopedPolicy{{Scope: API, Doc: apiSets, Name: "apis/chat/policy.xml"}, {Scope: Operation, Doc: opReads, Name: "apis/chat/operations/c/policy.xml"}}, rules.Info, "only requests that do not ask for a stream"},
		{"over APIM's global default nothing sets it: GetValueOrDefault gives null, and .Equals of null throws", []ScopedPolicy{{Scope: API, Doc: apiAlone, Name: "apis/chat/policy.xml"}}, rules.Info, "no request takes this branch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comp, err := Compose(tt.chain)
			if err != nil {
				t.Fatal(err)
			}
			var got *SourcedFinding
			for _, f := range CheckComposition(&comp, Options{Fragments: frag}) {
				if f.Rule == rules.ForwardRequestBuffers && strings.Contains(f.Message, `buffer-response="true"`) {
					got = &f
				}
			}
			if got == nil {
				t.Fatal(`no SSE101 on buffer-response="true"`)
			}
			if got.Severity != tt.want || !strings.Contains(got.Message, tt.phrase) {
				t.Errorf("%s %q, want %s saying %q", got.Severity, got.Message, tt.want, tt.phrase)
			}
		})
	}
	// Checked alone, the API's policy cannot see who sets the variable:
	// its <base /> may.
	res := Check(apiAlone, Options{Scope: API})
	found := false
	for _, f := range res.Findings {
		if f.Rule == rules.ForwardRequestBuffers && f.Severity == rules.Error && strings.Contains(f.Message, "it may be set at a scope above (the <base /> at line 2, column 10)") {
			found = true
		}
	}
	if !found {
		t.Errorf("the API policy alone: %v", res.Findings)
	}
}

// In a composition, a note that points at another element names the
// policy that holds it: an operation's answer ends the API's backend.
func TestNotesNameTheFile(t *testing.T) {
	api, err := apimpolicy.Parse([]byte(policy("<base />", buffering, "<base />", "<base />")))
	if err != nil {
		t.Fatal(err)
	}
	op, err := apimpolicy.Parse([]byte(policy(`<base /><return-response><set-status code="200" /></return-response>`, "<base />", "<base />", "<base />")))
	if err != nil {
		t.Fatal(err)
	}
	comp, err := Compose([]ScopedPolicy{{Scope: API, Doc: api, Name: "apis/chat/policy.xml"}, {Scope: Operation, Doc: op, Name: "apis/chat/operations/health/policy.xml"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range CheckComposition(&comp, Options{}) {
		if f.Rule == rules.ForwardRequestBuffers {
			if f.Severity != rules.Info || f.Source == nil || f.Source.Name != "apis/chat/policy.xml" ||
				!strings.Contains(f.Message, "the <return-response> in <inbound> at line 2, column 18 of apis/chat/operations/health/policy.xml answers every request first") {
				t.Errorf("%s in %v: %s", f.Severity, f.Source, f.Message)
			}
			return
		}
	}
	t.Error("no SSE101")
}
