package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// An LLM gateway's policy, as public gateways write it: the stream flag
// computed in a @{ } block, streaming requests sent to a forward-request
// that streams, the others to one that buffers.
const flagPolicy = `<policies>
  <inbound>
    <set-variable name="isStream" value="@{
        var body = context.Request.Body.As<JObject>(preserveContent: true);
        var s = body["stream"];
        return s != null && s.Type == JTokenType.Boolean && s.Value<bool>();
    }" />
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
</policies>`

func post(body string) probe.Request {
	return probe.Request{Method: http.MethodPost, Body: []byte(body), Header: http.Header{}}
}

// The hop runs the policy for the request it receives: the branch a
// streaming request takes streams, the one the others take buffers, and
// a request whose body the flag's expression cannot read fails as APIM
// fails it.
func TestPolicyTakesTheRequestsBranch(t *testing.T) {
	gw := startGateway(t, Config{Upstream: startOrigin(t, ticker), APIM: apim(flagPolicy)})
	for _, tt := range []struct {
		name     string
		req      probe.Request
		want     probe.Outcome
		behavior string
	}{
		{"stream true streams", post(`{"stream": true, "messages": []}`), probe.Streamed, "stream"},
		// ticker's 10 small events fit in one 8 KB unit: all at the end,
		// which the probe calls held or, with a wide latency bound,
		// buffered.
		{"stream false buffers", post(`{"stream": false}`), probe.Held, "buffer=8192; rules=SSE101"},
		{"no flag buffers", post(`{"messages": []}`), probe.Held, "buffer=8192; rules=SSE101"},
		{"a GET without a body throws", probe.Request{}, probe.Refused, "answer=500"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: ticker.Events, MaxLatency: testslack.Bound(relayBound), Request: tt.req})
			got := rep.Outcome
			if got == probe.Buffered && tt.want == probe.Held {
				got = probe.Held // the same stream, judged by a wider bound
			}
			if got != tt.want || rep.Headers["X-Sseready-Gateway"] != tt.behavior {
				t.Fatalf("outcome %q (%s), behaviour %q; want %q, %q", rep.Outcome, rep.Error, rep.Headers["X-Sseready-Gateway"], tt.want, tt.behavior)
			}
		})
	}
}

// countingOrigin is a plain SSE origin that counts the requests it gets.
func countingOrigin(t *testing.T) (*url.URL, *atomic.Int64) {
	t.Helper()
	h, err := origin.New(origin.Config{Events: 3, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u, &n
}

func send(t *testing.T, u *url.URL, method, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u.String(), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// return-response and mock-response answer with the policy's response;
// an <outbound> one after the backend answered; a <backend> that forwards
// nothing gets what <outbound> builds.
func TestPolicyAnswers(t *testing.T) {
	refuseStreams := strings.Replace(flagPolicy, `<outbound />`, `<outbound />`, 1)
	refuseStreams = strings.Replace(refuseStreams, `  </inbound>`, `    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<bool>("isStream"))">
        <return-response>
          <set-status code="400" reason="Bad Request" />
          <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
          <set-body>{"error": "streaming is not supported"}</set-body>
        </return-response>
      </when>
    </choose>
  </inbound>`, 1)
	for _, tt := range []struct {
		name, policy, body   string
		status               int
		contentType, content string
		behavior             string
		upstream             int64
	}{
		{"a return-response refuses streams", refuseStreams, `{"stream": true}`, 400, "application/json", `{"error": "streaming is not supported"}`, "answer=400; rules=SSE152", 0},
		{"and lets the others through", refuseStreams, `{"stream": false}`, 200, "text/event-stream", "", "buffer=8192; rules=SSE101", 1},
		{"mock-response", `<policies><inbound><mock-response status-code="202" content-type="application/json" /></inbound><backend><forward-request buffer-response="false" /></backend><outbound /></policies>`,
			`{}`, 202, "application/json", "", "answer=202; rules=SSE150", 0},
		{"an outbound return-response replaces the stream", strings.Replace(streamingPolicy, "<outbound><base />", `<outbound><base /><return-response><set-status code="409" /></return-response>`, 1),
			`{}`, 409, "", "", "answer=409; rules=SSE151", 1},
		// The token endpoint of the MCP client authorization lab
		// (FACTS.md): an empty <backend />, the answer built in <outbound>.
		{"an empty backend answers with what outbound builds", `<policies><inbound /><backend /><outbound>
  <set-body template="none">{"access_token": "t", "token_type": "Bearer"}</set-body>
  <set-header name="access-control-allow-origin" exists-action="override"><value>*</value></set-header>
</outbound></policies>`, `{}`, 200, "", `{"access_token": "t", "token_type": "Bearer"}`, "no-forward=200; rules=SSE103", 0},
		{"its set-status and an outbound return-response", `<policies><inbound /><backend /><outbound>
  <choose><when condition="@(context.Request.Method == &quot;GET&quot;)"><return-response><set-status code="405" /></return-response></when></choose>
  <set-status code="201" reason="Created" />
</outbound></policies>`, `{}`, 201, "", "", "no-forward=201; rules=SSE103", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up, hits := countingOrigin(t)
			gw := startGateway(t, Config{Upstream: up, APIM: apim(tt.policy)})
			resp, body := send(t, gw, http.MethodPost, tt.body)
			ct := resp.Header.Get("Content-Type")
			if resp.StatusCode != tt.status || ct != tt.contentType || (tt.content != "" && body != tt.content) || resp.Header.Get("X-Sseready-Gateway") != tt.behavior {
				t.Fatalf("status %d, Content-Type %q, body %q, behaviour %q", resp.StatusCode, ct, body, resp.Header.Get("X-Sseready-Gateway"))
			}
			if hits.Load() != tt.upstream {
				t.Errorf("the backend got %d requests, want %d", hits.Load(), tt.upstream)
			}
		})
	}
}

// A set-header in <outbound> that rewrites Content-Type rewrites it: the
// client sees the new type, and a probe says not_sse.
func TestPolicyRewritesContentType(t *testing.T) {
	policy := strings.Replace(streamingPolicy, "<outbound><base />", `<outbound><base /><set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>`, 1)
	gw := startGateway(t, Config{Upstream: startOrigin(t, ticker), APIM: apim(policy)})
	rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: ticker.Events, MaxLatency: testslack.Bound(relayBound)})
	if rep.Outcome != probe.NotSSE || rep.ContentType != "application/json" || rep.Headers["X-Sseready-Gateway"] != "stream; content-type=application/json; rules=SSE115" {
		t.Fatalf("outcome %q, Content-Type %q, behaviour %q", rep.Outcome, rep.ContentType, rep.Headers["X-Sseready-Gateway"])
	}
}

// sent is when the origin sent the event (its sent_unix_nano).
func sent(t *testing.T, e probe.Event) time.Time {
	t.Helper()
	var p origin.Payload
	if err := json.Unmarshal([]byte(e.Data), &p); err != nil {
		t.Fatal(err)
	}
	return time.Unix(0, p.SentUnixNano)
}

func seq(t *testing.T, e probe.Event) int {
	t.Helper()
	var p origin.Payload
	if err := json.Unmarshal([]byte(e.Data), &p); err != nil {
		t.Fatal(err)
	}
	return p.Seq
}

// llm-content-safety holds the stream in its window: events come out in
// order, each after newer ones pushed it out; the test word stops the
// stream without an error status.
func TestContentSafetyWindow(t *testing.T) {
	// Each event's data is about 46 characters: a window of 100 holds two.
	policy := strings.Replace(streamingPolicy, "<outbound><base />", `<outbound><base /><llm-content-safety backend-id="safety" window-size="100" />`, 1)
	stream := origin.Config{Events: 8, Interval: 20 * time.Millisecond}
	t.Run("without the word every event arrives, held back", func(t *testing.T) {
		gw := startGateway(t, Config{Upstream: startOrigin(t, stream), APIM: apim(policy)})
		rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: stream.Events, MaxLatency: testslack.Bound(relayBound)})
		if len(rep.Events) != stream.Events || rep.Status != http.StatusOK || rep.Headers["X-Sseready-Gateway"] != "window=100; rules=SSE114" {
			t.Fatalf("%d events, status %d, behaviour %q: %s", len(rep.Events), rep.Status, rep.Headers["X-Sseready-Gateway"], rep.Error)
		}
		for i, e := range rep.Events {
			if seq(t, e) != i+1 {
				t.Fatalf("event %d is %d: out of order", i+1, seq(t, e))
			}
			// Event i leaves the window when event i+2 enters it.
			if i+2 < len(rep.Events) && e.LatencyMS != nil {
				arrived := sent(t, e).Add(time.Duration(*e.LatencyMS * float64(time.Millisecond)))
				if later := sent(t, rep.Events[i+2]); arrived.Before(later) {
					t.Errorf("event %d arrived %s before event %d was sent: the window did not hold it", i+1, later.Sub(arrived), i+3)
				}
			}
		}
	})
	t.Run("the word stops the stream without an error status", func(t *testing.T) {
		var cuts atomic.Int64
		g, err := New(Config{Upstream: startOrigin(t, stream), APIM: apim(policy), ContentSafetyBlock: `"SEQ":4`})
		if err != nil {
			t.Fatal(err)
		}
		g.Logf = t.Logf
		g.OnCut = func(c Cut) {
			if strings.Contains(c.Reason, "llm-content-safety") {
				cuts.Add(1)
			}
		}
		srv := httptest.NewServer(g)
		t.Cleanup(func() { srv.Close(); g.Close() })
		rep := probe.Run(context.Background(), srv.URL, probe.Options{Events: stream.Events, MaxLatency: testslack.Bound(relayBound)})
		if rep.Status != http.StatusOK || rep.Outcome != probe.Cut || len(rep.Events) >= 4 || cuts.Load() != 1 {
			t.Fatalf("status %d, outcome %q, %d events, %d content safety cuts", rep.Status, rep.Outcome, len(rep.Events), cuts.Load())
		}
		for i, e := range rep.Events {
			if seq(t, e) != i+1 {
				t.Fatalf("event %d is %d", i+1, seq(t, e))
			}
		}
	})
}

func TestSafetyWindowSplitsEvents(t *testing.T) {
	w := newSafetyWindow(3, "", 1<<20)
	var out []byte
	for _, p := range []string{"data: ab\r", "\n\r\n: ping\n\ndata: c", "d\rdata: e\r\rdata: fg\n\n", "data: tail"} {
		got, err := w.push([]byte(p))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	// "ab" (2) and the ping (0) fit; "cd\ne" (4) pushes both out, then
	// itself; "fg" stays until the end, with the unfinished tail.
	if string(out) != "data: ab\r\n\r\n: ping\n\ndata: cd\rdata: e\r\r" {
		t.Fatalf("released %q", out)
	}
	rest, err := w.end()
	if err != nil || string(rest) != "data: fg\n\ndata: tail" {
		t.Fatalf("end %q, %v", rest, err)
	}
}

// An <outbound> <choose> on context.Response is decided by each
// response, as APIM runs <outbound> after the backend answered: a 200
// stream passes through untouched, and only an error status takes the
// branch whose set-body buffers. Before the response, the hop's summary
// says the response decides it.
func TestPolicyOutboundReadsTheResponse(t *testing.T) {
	const policy = `<policies>
  <inbound />
  <backend><forward-request timeout="120" buffer-response="false" /></backend>
  <outbound>
    <choose>
      <when condition="@(context.Response.StatusCode >= 400)">
        <set-body>@("{\"error\": \"the model is unavailable\"}")</set-body>
      </when>
    </choose>
  </outbound>
</policies>`
	ok, err := origin.New(ticker)
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("fail") {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		ok.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	upURL, _ := url.Parse(up.URL)
	gw, g := startGatewayOf(t, Config{Upstream: upURL, APIM: apim(policy)})
	if b := g.Behavior(); !b.AwaitsResponse || len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0].Emulator, "the backend's response decides the condition") {
		t.Fatalf("before a response: awaits it %v, warnings %+v", b.AwaitsResponse, b.Warnings)
	}

	rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: ticker.Events, MaxLatency: latencyFor(probe.Streamed)})
	if rep.Outcome != probe.Streamed || rep.Headers["X-Sseready-Gateway"] != "stream" {
		t.Errorf("a 200 stream: outcome %q (%s), behaviour %q; want streamed, stream", rep.Outcome, rep.Error, rep.Headers["X-Sseready-Gateway"])
	}
	resp, body := send(t, gw.JoinPath("/").ResolveReference(&url.URL{RawQuery: "fail=1"}), http.MethodGet, "")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(resp.Header.Get("X-Sseready-Gateway"), "rules=") {
		t.Errorf("a 503: status %d, behaviour %q, body %q; want 503 under the set-body's rule", resp.StatusCode, resp.Header.Get("X-Sseready-Gateway"), body)
	}
}

// A cache-store in an <outbound> branch the response does not take
// stores nothing: the next GET goes to the backend again.
func TestPolicyCacheStoreOnTheResponse(t *testing.T) {
	const policy = `<policies>
  <inbound />
  <backend><forward-request timeout="120" buffer-response="false" /></backend>
  <outbound>
    <choose>
      <when condition="@(context.Response.Headers.GetValueOrDefault(&quot;X-Store&quot;, &quot;&quot;) == &quot;yes&quot;)">
        <cache-store duration="60" />
      </when>
    </choose>
  </outbound>
</policies>`
	up, n := countingOrigin(t)
	gw := startGateway(t, Config{Upstream: up, APIM: apim(policy)})
	for i := 1; i <= 2; i++ {
		resp, _ := send(t, gw, http.MethodGet, "")
		if got := resp.Header.Get("X-Sseready-Cache"); got == "hit" {
			t.Errorf("GET %d: a cache hit from a store the response never reached", i)
		}
	}
	if n.Load() != 2 {
		t.Errorf("the backend got %d requests, want 2", n.Load())
	}
}
