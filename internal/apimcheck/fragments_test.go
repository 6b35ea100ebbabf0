package apimcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

func mustFragments(t *testing.T, src map[string]string) map[string]*apimpolicy.Document {
	t.Helper()
	docs, errs := ParseFragments(src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return docs
}

// §5: include-fragment resolved when the fragment is given.
func TestFragmentsGiven(t *testing.T) {
	frags := mustFragments(t, map[string]string{
		"forward-buffering": "<fragment>\n  <forward-request timeout=\"120\" />\n</fragment>",
		"forward-streaming": "<fragment>\n  " + goodForward + "\n</fragment>",
		"outbound-logging":  "<fragment>\n  <set-body>@(context.Response.Body.As<string>(true))</set-body>\n</fragment>",
		"self":              "<fragment><include-fragment fragment-id=\"self\" /></fragment>",
		"auth":              "<fragment><validate-jwt header-name=\"Authorization\" /></fragment>",
	})
	opts := Options{Fragments: frags}
	runCheckCases(t, []checkCase{
		{name: "a fragment that forwards with buffering", opts: opts,
			src:  policy("<base />", `<include-fragment fragment-id="forward-buffering" />`, "<base />", "<base />"),
			want: []string{"SSE101 error 2:3"}, msgs: []string{`(in fragment "forward-buffering", included at line 3, column 10)`}},
		{name: "a fragment that forwards without buffering", opts: opts,
			src: policy("<base />", `<include-fragment fragment-id="forward-streaming" />`, "<base />", "<base />")},
		{name: "a fragment's set-body is checked in the section it is included in", opts: opts,
			src:  stream(`<include-fragment fragment-id="outbound-logging" />`),
			want: []string{"SSE111 error 2:3", "SSE112 error 2:15"}},
		{name: "the same fragment in inbound", opts: opts,
			src: policy(`<include-fragment fragment-id="outbound-logging" />`, goodForward, "", "")},
		{name: "a fragment not given among others", opts: opts,
			src:  policy(`<include-fragment fragment-id="rate" />`, goodForward, "", ""),
			want: []string{"SSE130 warning 2:10"}, msgs: []string{`"rate" is included here; it is not among the fragments given (auth, forward-buffering, forward-streaming, outbound-logging, self)`}},
		{name: "a fragment including itself", opts: opts,
			src:  policy(`<include-fragment fragment-id="self" />`, goodForward, "", ""),
			want: []string{"SSE130 warning 1:11"}, msgs: []string{`the policy fragment "self" includes itself`}},
		{name: "no fragments given keeps today's warning",
			src:  policy(`<include-fragment fragment-id="auth" />`, goodForward, "", ""),
			want: []string{"SSE130 warning 2:10"}, msgs: []string{"check the fragment's own document"}},
	})
	// A finding in a fragment names it and is placed in the fragment.
	res, err := CheckSource([]byte(policy("<base />", `<include-fragment fragment-id="forward-buffering" />`, "<base />", "<base />")), opts)
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Findings[0]; f.Fragment != "forward-buffering" || f.Element != "forward-request" {
		t.Fatalf("finding %+v", f)
	}
	// The fix does not edit the document for a finding in a fragment.
	src := policy("<base />", `<include-fragment fragment-id="forward-buffering" />`, "<base />", "<base />")
	fx, err := Fix([]byte(src), opts)
	if err != nil || string(fx.Source) != src || len(fx.Applied) != 0 {
		t.Fatalf("fix changed the document for a fragment's finding: %v %s", err, fx.Source)
	}
}

func TestParseFragmentsErrors(t *testing.T) {
	_, errs := ParseFragments(map[string]string{
		"ok":     "<fragment />",
		"broken": "<fragment>\n<set-header>",
		"doc":    "<policies />",
		" pad":   "<fragment />",
	})
	var got []string
	for _, err := range errs {
		var fe *FragmentError
		if !errors.As(err, &fe) {
			t.Fatalf("%T %v", err, err)
		}
		got = append(got, err.Error())
	}
	want := []string{
		`fragment " pad": a fragment-id must be a name without surrounding spaces`,
		`fragment "broken": line 2, column 1: <set-header> is not closed`,
		`fragment "doc": line 1, column 1: the root element is <policies>: a policy fragment has a <fragment> root`,
	}
	if len(got) != len(want) {
		t.Fatalf("errors %q", got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d: %q, want it to start with %q", i, got[i], want[i])
		}
	}
}

// §5: a fragment checked on its own infers where it can stand.
func TestFragmentSections(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "a set-body that rewrites the request cannot be on the response path",
			src: "<fragment>\n<set-body>@{ var b = context.Request.Body.As<JObject>(true); b[\"stream\"] = true; return b.ToString(); }</set-body>\n</fragment>"},
		{name: "a set-body with no clue may be included in outbound",
			src:  "<fragment>\n<set-body>x</set-body>\n</fragment>",
			want: []string{"SSE111 warning 2:1"}, msgs: []string{"if this fragment is included in <outbound>"}},
		{name: "a forward-request means backend",
			src:  "<fragment>\n<forward-request timeout=\"10\" />\n<set-variable name=\"r\" value=\"@(context.Response.Body.As<string>(true))\" />\n</fragment>",
			want: []string{"SSE101 error 2:1", "SSE112 error 3:33"}, msgs: []string{"this fragment can only stand in <backend>: it holds forward-request (line 2, column 1)"}},
		{name: "reading the response narrows the sections to after the backend, where validate-content may still not be on the response path",
			src:  "<fragment>\n<validate-content unspecified-content-type-action=\"prevent\" max-size=\"1\" size-exceeded-action=\"prevent\" />\n<set-header name=\"x\" exists-action=\"override\"><value>@(context.Response.StatusCode.ToString())</value></set-header>\n</fragment>",
			want: []string{"SSE110 warning 2:1"}, msgs: []string{"if this fragment is included in <outbound>"}},
	})
}

// §1: a file without a root is checked as a fragment, with a warning.
func TestRootlessFile(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "one policy", src: "<forward-request timeout=\"120\" />\n",
			want: []string{"SSE131 warning 1:1", "SSE101 error 1:1"}, msgs: []string{"without a <policies> or <fragment> root, so it is checked as a fragment"}},
		{name: "several policies", src: "<rate-limit calls=\"5\" renewal-period=\"60\" />\n<cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" />\n",
			want: []string{"SSE131 warning 1:1", "SSE120 error 2:1"}},
		{name: "section elements keep their sections", src: "<inbound><set-body>x</set-body></inbound>\n<outbound><set-body>y</set-body></outbound>\n",
			want: []string{"SSE131 warning 1:1", "SSE111 error 2:11"}},
	})
	if _, err := CheckSource([]byte("<set-header name=\"a\"></set-header>\n</value>"), Options{}); err == nil {
		t.Fatal("an end tag without its start tag must stay an input error")
	}
}

// §5: accepted findings stay visible with their reason and stop failing
// the gate; the fix leaves them.
func TestAcceptedFindings(t *testing.T) {
	accepted := Options{Accepted: []rules.Acceptance{{Rule: rules.ForwardRequestBuffers, Reason: "the batch API never streams"}}, AcceptedFrom: "by --accept"}
	ready := true
	runCheckCases(t, []checkCase{
		{name: "accepted by option", opts: accepted,
			src:  policy("", buffering, "", ""),
			want: []string{"SSE101 accepted @buffer-response"}, msgs: []string{"reason: the batch API never streams"}, ready: &ready},
		{name: "accepted by option without a reason", opts: Options{Accepted: []rules.Acceptance{{Rule: rules.ForwardRequestBuffers}}, AcceptedFrom: "in accepted_rules"},
			src:  policy("", buffering, "", ""),
			want: []string{"SSE101 accepted @buffer-response"}, msgs: []string{"reason: accepted in accepted_rules (no reason given)"}},
		{name: "inline before the element",
			src:  policy("<return-response />", "<!-- sseready:accept SSE103 the health endpoint answers itself -->", "", ""),
			want: []string{"SSE150 info @<return-response"}},
		{name: "inline before the backend section",
			src:  "<policies>\n<inbound />\n<!-- sseready:accept SSE103 the health endpoint answers itself -->\n<backend><set-backend-service base-url=\"https://x\" /></backend>\n</policies>",
			want: []string{"SSE103 accepted @<backend>"}, msgs: []string{"reason: the health endpoint answers itself"}},
		{name: "inline only covers the element after it",
			src:  policy("", "<!-- sseready:accept SSE101: legacy route -->"+buffering+`<forward-request timeout="120" />`, "", ""),
			want: []string{"SSE101 accepted @buffer-response", "SSE101 error @<forward-request timeout=\"120\" />"}},
		{name: "inline at the top covers the document",
			src:  "<!-- sseready:accept SSE120 cached on purpose -->\n" + policy(`<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />`, goodForward, `<cache-store duration="10" />`, ""),
			want: []string{"SSE120 accepted @<cache-lookup", "SSE120 accepted @<cache-store"}},
		{name: "an inline accept of an unknown rule",
			src:  policy("<!-- sseready:accept SSE999 typo -->", goodForward, "", ""),
			want: []string{"SSE132 warning @<!-- sseready"}, msgs: []string{`"SSE999" is not a rule ID`}},
		{name: "an inline accept with no rule",
			src:  policy("<!-- sseready:accept -->", goodForward, "", ""),
			want: []string{"SSE132 warning @<!-- sseready"}, msgs: []string{"no rule ID"}},
	})
	fx, err := Fix([]byte(policy("", buffering, "", "")), accepted)
	if err != nil || len(fx.Applied) != 0 {
		t.Fatalf("an accepted finding was fixed: %v %v", err, fx.Applied)
	}
}

func TestParseAcceptance(t *testing.T) {
	for in, want := range map[string]rules.Acceptance{
		"SSE103":                     {Rule: "SSE103"},
		" SSE103   health endpoint ": {Rule: "SSE103", Reason: "health endpoint"},
		"SSE103: health endpoint":    {Rule: "SSE103", Reason: "health endpoint"},
	} {
		if got, err := rules.ParseAcceptance(in); err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "sse103", "SSE1030 x", ": reason"} {
		if _, err := rules.ParseAcceptance(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
