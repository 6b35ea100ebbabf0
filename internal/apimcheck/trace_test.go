package apimcheck

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// An LLM gateway's policy: the flag computed in a @{ } block, as public
// gateways write it, streams routed to a forward-request that streams and
// the others to one that buffers.
const tracedGateway = `<policies>
  <inbound>
    <set-variable name="isStream" value="@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        var s = body["stream"];
        return s != null && s.Type == JTokenType.Boolean && s.Value<bool>();
    }" />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault("X-Refuse", "") == "yes")">
        <return-response><set-status code="403" reason="Forbidden" /></return-response>
      </when>
    </choose>
  </inbound>
  <backend>
    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<bool>("isStream"))">
        <forward-request timeout="120" buffer-response="false" />
      </when>
      <otherwise>
        <forward-request timeout="120" />
      </otherwise>
    </choose>
  </backend>
  <outbound />
  <on-error />
</policies>`

func parseDoc(t *testing.T, src string) *apimpolicy.Document {
	t.Helper()
	d, err := apimpolicy.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func jsonRequest(body string, header ...string) Request {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return Request{Method: http.MethodPost, Header: h, Body: []byte(body)}
}

// ruleIDs are the rules of Check's errors on the path.
func ruleIDs(p Path) string {
	var ids []string
	for _, f := range Check(p.Doc, Options{Scope: Global}).Findings {
		if f.Severity == rules.Error {
			ids = append(ids, f.Rule)
		}
	}
	return strings.Join(ids, ",")
}

func TestTraceTakesTheRequestsBranch(t *testing.T) {
	doc := parseDoc(t, tracedGateway)
	for _, tt := range []struct {
		name     string
		req      Request
		errors   string
		answer   string
		threw    string
		forwards bool
	}{
		{"a stream", jsonRequest(`{"stream": true, "messages": []}`), "", "", "", true},
		{"stream false buffers", jsonRequest(`{"stream": false}`), rules.ForwardRequestBuffers, "", "", true},
		{"no flag buffers", jsonRequest(`{"messages": []}`), rules.ForwardRequestBuffers, "", "", true},
		{"a string flag is not a bool", jsonRequest(`{"stream": "true"}`), rules.ForwardRequestBuffers, "", "", true},
		{"a header refuses", jsonRequest(`{"stream": true}`, "X-Refuse", "yes"), "", "return-response", "", false},
		{"no body throws", Request{Method: http.MethodGet}, "", "", "a NullReferenceException", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Trace(doc, nil, tt.req)
			answer := ""
			if p.Answer != nil {
				answer = p.Answer.Name
			}
			if answer != tt.answer || p.Forwards != tt.forwards || !strings.Contains(p.Threw, tt.threw) || (tt.threw == "") != (p.Threw == "") {
				t.Fatalf("answer %q, forwards %v, threw %q", answer, p.Forwards, p.Threw)
			}
			if got := ruleIDs(p); tt.answer == "" && tt.threw == "" && got != tt.errors {
				t.Errorf("errors %q, want %q:\n%s", got, tt.errors, p.Doc)
			}
			if len(p.Undecided) > 0 {
				t.Errorf("undecided %q", p.Undecided)
			}
		})
	}
	a := Trace(doc, nil, jsonRequest(`{"stream": true}`))
	b := Trace(doc, nil, jsonRequest(`{"stream": true, "model": "x"}`))
	c := Trace(doc, nil, jsonRequest(`{"stream": false}`))
	if a.Key != b.Key || a.Key == c.Key {
		t.Errorf("keys %q %q %q: the same path must have the same key, another path another", a.Key, b.Key, c.Key)
	}
}

// A condition the request does not decide (the subscription) keeps its
// <choose> for the checker, and a forward-request in it may run.
func TestTraceKeepsWhatItCannotDecide(t *testing.T) {
	doc := parseDoc(t, `<policies><inbound /><backend>
  <choose>
    <when condition="@(context.Subscription != null)"><forward-request buffer-response="false" /></when>
    <when condition="@(true)"><set-variable name="x" value="y" /></when>
    <otherwise><forward-request /></otherwise>
  </choose>
</backend><outbound /></policies>`)
	p := Trace(doc, nil, jsonRequest(`{}`))
	if !p.Forwards || len(p.Undecided) != 1 || !strings.Contains(p.Undecided[0], "line 3") {
		t.Fatalf("forwards %v, undecided %q", p.Forwards, p.Undecided)
	}
	out := p.Doc.String()
	if !strings.Contains(out, "context.Subscription") || strings.Contains(out, "<forward-request />") || !strings.Contains(out, "<otherwise>") {
		t.Errorf("the undecided <choose> should keep its first branch and the one that runs, as <otherwise>:\n%s", out)
	}
}

// Fragments are followed where they are included; an <outbound>
// return-response answers after the backend was called; a <backend>
// without forward-request forwards nothing.
func TestTraceFragmentsAndAnswers(t *testing.T) {
	frags := map[string]*apimpolicy.Document{
		"flag": parseDoc(t, `<fragment><set-variable name="s" value="@(context.Request.Body.As<JObject>(preserveContent: true).Value<bool?>("stream") ?? false)" /></fragment>`),
	}
	doc := parseDoc(t, `<policies><inbound><include-fragment fragment-id="flag" /></inbound>
<backend><forward-request buffer-response="false" /></backend>
<outbound><choose><when condition="@(context.Variables.GetValueOrDefault<bool>("s"))"><return-response><set-status code="400" /></return-response></when></choose></outbound></policies>`)
	p := Trace(doc, frags, jsonRequest(`{"stream": true}`))
	if p.Answer == nil || p.Section != "outbound" || !p.Forwards {
		t.Fatalf("answer %v in %q, forwards %v", p.Answer, p.Section, p.Forwards)
	}
	if q := Trace(doc, frags, jsonRequest(`{"stream": false}`)); q.Answer != nil {
		t.Fatalf("stream false answered in %q", q.Section)
	}
	empty := parseDoc(t, `<policies><inbound /><backend /><outbound><set-body>{"token": "t"}</set-body></outbound></policies>`)
	if p := Trace(empty, nil, Request{}); p.Forwards || p.Answer != nil {
		t.Fatalf("an empty backend forwards %v, answer %v", p.Forwards, p.Answer)
	}
}

// Text computes what a set-body or a header value holds for the request.
func TestPathText(t *testing.T) {
	doc := parseDoc(t, `<policies><inbound>
<set-variable name="who" value="@(context.Request.Headers.GetValueOrDefault("X-Who", "nobody"))" />
<return-response>
  <set-header name="X-A"><value>literal &amp; kept</value></set-header>
  <set-header name="X-B"><value>@((string)context.Variables["who"])</value></set-header>
  <set-body>@(JsonConvert.SerializeObject(new { a = 1 }))</set-body>
</return-response></inbound><backend /><outbound /></policies>`)
	p := Trace(doc, nil, Request{Header: http.Header{"X-Who": {"alice"}}})
	if p.Answer == nil {
		t.Fatal("no answer")
	}
	var got []string
	apimpolicy.Walk(p.Answer.Children, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
		if e, ok := n.(*apimpolicy.Element); ok && (e.Name == "value" || e.Name == "set-body") {
			s, ok := p.Text(e)
			got = append(got, s+"/"+map[bool]string{true: "ok", false: "unknown"}[ok])
		}
		return true
	})
	if strings.Join(got, "|") != "literal & kept/ok|alice/ok|/unknown" {
		t.Fatalf("texts %q", got)
	}
}

// <outbound> conditions on context.Response are undecided until the
// backend answered (NeedsResponse); traced again with the response, they
// take the branch its status and headers decide, as APIM does.
func TestTraceDecidesOutboundOnTheResponse(t *testing.T) {
	doc := parseDoc(t, `<policies><inbound /><backend><forward-request buffer-response="false" /></backend>
<outbound>
  <choose>
    <when condition="@(context.Response.StatusCode >= 400)">
      <set-body>@("{\"error\": \"the backend failed\"}")</set-body>
    </when>
    <when condition="@(context.Response.Headers.GetValueOrDefault("X-Cache", "") == "hit")">
      <set-header name="X-Served" exists-action="override"><value>cache</value></set-header>
    </when>
  </choose>
</outbound></policies>`)
	req := jsonRequest(`{"stream": true}`)
	before := Trace(doc, nil, req)
	if !before.NeedsResponse || len(before.Undecided) != 0 || len(before.AwaitsResponse) != 2 || !strings.Contains(before.AwaitsResponse[0], "context.Response.StatusCode") {
		t.Fatalf("without a response: needs it %v, undecided %q, awaiting it %q", before.NeedsResponse, before.Undecided, before.AwaitsResponse)
	}
	for _, tt := range []struct {
		name      string
		resp      Response
		setBody   bool
		setHeader bool
	}{
		{"200 streams", Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}}, false, false},
		{"a 503 gets the error body", Response{StatusCode: 503, StatusReason: "Service Unavailable", Header: http.Header{}}, true, false},
		{"399 is not >= 400", Response{StatusCode: 399, Header: http.Header{}}, false, false},
		{"a header decides the second", Response{StatusCode: 200, Header: http.Header{"X-Cache": {"hit"}}}, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := req
			r.Response = &tt.resp
			p := Trace(doc, nil, r)
			out := p.Doc.String()
			if p.NeedsResponse || len(p.Undecided)+len(p.AwaitsResponse) != 0 || strings.Contains(out, "<set-body") != tt.setBody || strings.Contains(out, "<set-header") != tt.setHeader {
				t.Fatalf("needs the response %v, undecided %q:\n%s", p.NeedsResponse, p.Undecided, out)
			}
			if p.Key == before.Key {
				t.Errorf("the key %q is the undecided path's", p.Key)
			}
		})
	}
}
