package chainrun

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// An LLM gateway's policy as public gateways write it: the stream flag
// computed in a @{ } block, streams sent to a forward-request that
// streams, the others to one that buffers.
const llmGateway = `<policies>
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
  <outbound>OUTBOUND</outbound>
</policies>`

func llm(outbound string) string { return strings.Replace(llmGateway, "OUTBOUND", outbound, 1) }

func chat(stream bool) probe.Request {
	body := `{"messages": [{"role": "user", "content": "hi"}], "stream": false}`
	if stream {
		body = strings.Replace(body, "false", "true", 1)
	}
	return probe.Request{Method: http.MethodPost, Body: []byte(body), Header: http.Header{}}
}

// proof runs six events a simulated 10 s apart at 60x (167 ms) through
// App Gateway (streaming) and API Management with the policy.
func proof(t *testing.T, policy string, req probe.Request, block string) Result {
	t.Helper()
	apim := gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(policy)}}}, ContentSafetyBlock: block}
	res, err := Prove(context.Background(), Run{
		Hops: []Hop{
			{"app_gateway", gateway.Config{AppGW: &gateway.AppGW{RequestTimeout: time.Minute}}},
			{"apim", apim},
		},
		Stream:     origin.Config{Events: 6, Interval: 10 * time.Second},
		TimeScale:  60,
		MaxLatency: testslack.Bound(DefaultMaxLatency),
		Request:    req,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// apimOf is the result's API Management hop.
func apimOf(res Result) HopResult {
	for _, h := range res.Hops {
		if h.Name == "apim" {
			return h
		}
	}
	return HopResult{}
}

// prove --data '{"stream": true}' streams; '{"stream": false}' takes the
// branch that buffers, which holds the small stream to its end.
func TestProveTakesTheStreamFlagsBranch(t *testing.T) {
	t.Parallel()
	streamed := proof(t, llm(""), chat(true), "")
	if !streamed.OK || streamed.Outcome != probe.Streamed || apimOf(streamed).Behavior.String() != "stream" {
		t.Fatalf("stream true: %q ok %v (%s), apim %s", streamed.Outcome, streamed.OK, streamed.Error, apimOf(streamed).Behavior)
	}
	buffered := proof(t, llm(""), chat(false), "")
	a := apimOf(buffered)
	if buffered.OK || (buffered.Outcome != probe.Held && buffered.Outcome != probe.Buffered) || a.Outcome != buffered.Outcome || buffered.Probe.Fault == nil || buffered.Probe.Fault.Hop != "apim" || a.Behavior.Unit != gateway.APIMBufferUnit {
		t.Fatalf("stream false: %q (%s), apim %s outcome %q", buffered.Outcome, buffered.Error, a.Behavior, a.Outcome)
	}
	// Held: the first event arrives with the last, after it was sent.
	if ev := buffered.Probe.Events; len(ev) != 6 || ev[5].LatencyMS == nil || ev[0].ArrivalMS+0.5 < ev[5].ArrivalMS-*ev[5].LatencyMS {
		t.Errorf("stream false: the first event arrived before the last was sent: %+v", ev)
	}
}

// An <outbound> that reads context.Response is decided by the response:
// the origin's 200 stream skips the set-body that errors would get, so the
// proof streams, and the API Management hop's behaviour is the one it
// enacted for that response, with nothing left undecided.
func TestProveDecidesOutboundOnTheResponse(t *testing.T) {
	t.Parallel()
	res := proof(t, llm(`<choose>
      <when condition="@(context.Response.StatusCode >= 400)"><set-body>@("{\"error\": \"unavailable\"}")</set-body></when>
    </choose>`), chat(true), "")
	a := apimOf(res)
	if !res.OK || res.Outcome != probe.Streamed || a.Behavior.String() != "stream" || a.Behavior.AwaitsResponse {
		t.Fatalf("%q ok %v (%s), apim %s", res.Outcome, res.OK, res.Error, a.Behavior)
	}
	noted := false
	for _, w := range a.Behavior.Warnings {
		noted = noted || strings.Contains(w.Message, "context.Response.StatusCode")
	}
	if noted {
		t.Errorf("the decided behaviour still notes the undecided condition: %+v", a.Behavior.Warnings)
	}
}

// A return-response that refuses streams answers with its status; a
// set-header that rewrites Content-Type makes the probe say not_sse.
func TestProveActsOutAnswersAndContentType(t *testing.T) {
	t.Parallel()
	refuse := strings.Replace(llm(""), "  </inbound>", `    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<bool>(&quot;isStream&quot;))">
        <return-response><set-status code="400" reason="Bad Request" /><set-body>streams are not served here</set-body></return-response>
      </when>
    </choose>
  </inbound>`, 1)
	res := proof(t, refuse, chat(true), "")
	if res.OK || res.Outcome != probe.Refused || res.Probe.Status != 400 || apimOf(res).Outcome != probe.Refused || apimOf(res).Behavior.String() != "answer=400; rules=SSE152" {
		t.Fatalf("refusal: %q status %d, apim %s %q", res.Outcome, res.Probe.Status, apimOf(res).Behavior, apimOf(res).Outcome)
	}
	retype := llm(`<set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>`)
	res = proof(t, retype, chat(true), "")
	if res.OK || res.Outcome != probe.NotSSE || res.Probe.ContentType != "application/json" || apimOf(res).Outcome != probe.NotSSE {
		t.Fatalf("rewritten Content-Type: %q %q, apim %q", res.Outcome, res.Probe.ContentType, apimOf(res).Outcome)
	}
}

// llm-content-safety with the test word stops the stream without an
// error status; without it every event arrives, in order, held back by
// the window. The window holds events back: order and relations, not
// times.
func TestProveContentSafety(t *testing.T) {
	t.Parallel()
	// Each event's data is about 46 characters: a window of 100 holds two.
	policy := llm(`<llm-content-safety backend-id="safety" window-size="100" />`)
	stopped := proof(t, policy, chat(true), `"seq":4`)
	if stopped.OK || stopped.Probe.Status != http.StatusOK || stopped.Outcome != probe.Cut || len(stopped.Cuts) != 1 || stopped.Cuts[0].Hop != "apim" ||
		!strings.Contains(stopped.Cuts[0].Reason, "llm-content-safety") || len(stopped.Probe.Events) >= 4 {
		t.Fatalf("with the word: %q status %d, %d events, cuts %v", stopped.Outcome, stopped.Probe.Status, len(stopped.Probe.Events), stopped.Cuts)
	}
	held := proof(t, policy, chat(true), "")
	if len(held.Probe.Events) != 6 || len(held.Cuts) != 0 || apimOf(held).Behavior.Window != 100 {
		t.Fatalf("without the word: %d events, cuts %v, apim %s", len(held.Probe.Events), held.Cuts, apimOf(held).Behavior)
	}
	for i, e := range held.Probe.Events {
		var p origin.Payload
		if err := json.Unmarshal([]byte(e.Data), &p); err != nil || p.Seq != i+1 {
			t.Fatalf("event %d: %q", i+1, e.Data)
		}
		if i < len(stopped.Probe.Events) && stopped.Probe.Events[i].Data[:12] != e.Data[:12] {
			t.Errorf("the stopped stream's event %d differs: %q", i+1, stopped.Probe.Events[i].Data)
		}
	}
	// The window releases an event when two newer ones have entered it:
	// the first arrives with or after the third's sending, never before.
	first, third := held.Probe.Events[0], held.Probe.Events[2]
	if third.LatencyMS == nil || first.ArrivalMS+0.5 < third.ArrivalMS-*third.LatencyMS {
		t.Errorf("event 1 arrived at %.1f ms; event 3 was sent at %.1f ms", first.ArrivalMS, third.ArrivalMS-*third.LatencyMS)
	}
}

// A <backend /> that forwards nothing is answered with what <outbound>
// builds, through the whole chain: 200 and set-body's body (the MCP
// client authorization lab's token endpoint, FACTS.md).
func TestEmptyBackendAnswersWithOutbound(t *testing.T) {
	t.Parallel()
	token := `<policies><inbound /><backend /><outbound>
  <set-body template="none">{"access_token": "t", "token_type": "Bearer"}</set-body>
  <set-header name="Content-Type" exists-action="override"><value>application/json</value></set-header>
</outbound></policies>`
	c, err := Start(origin.Config{Events: 1, Interval: time.Millisecond}, []Hop{
		{"app_gateway", gateway.Config{AppGW: &gateway.AppGW{RequestTimeout: time.Minute}}},
		{"apim", gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(token)}}}}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := http.Post(c.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=authorization_code"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != `{"access_token": "t", "token_type": "Bearer"}` || resp.Header.Get("Content-Type") != "application/json" ||
		strings.Join(resp.Header.Values("X-Sseready-Gateway"), ", ") != "no-forward=200; rules=SSE103, stream" {
		t.Fatalf("status %d, %q, Content-Type %q, behaviour %q", resp.StatusCode, body, resp.Header.Get("Content-Type"), resp.Header.Values("X-Sseready-Gateway"))
	}
}
