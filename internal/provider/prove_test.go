package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// capture is a state check that copies a value out of the applied state,
// so the proof below runs on exactly what terraform produced.
type capture struct {
	address string
	path    tfjsonpath.Path
	into    *any
}

func (c capture) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == c.address {
			v, err := tfjsonpath.Traverse(r.AttributeValues, c.path)
			if err != nil {
				resp.Error = err
				return
			}
			*c.into = v
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the state", c.address)
}

var _ statecheck.StateCheck = capture{}

// provenConfig renders, with the provider, the settings of a chat stream:
// its backend may stay silent for ten minutes between events and sends a
// comment heartbeat every 20 seconds. Beside the good settings it applies
// a legacy policy (checked, with its fixes) and a broken chain, whose
// values feed the negative proofs.
const provenConfig = `
data "sseready_stream_profile" "chat" {
  max_event_gap      = "10m"
  heartbeat_interval = "20s"
  hops               = ["app_gateway", "apim"]
}

data "sseready_apim_policy" "chat" {
  timeout = data.sseready_stream_profile.chat.apim_forward_request_timeout
}

data "sseready_appgw_settings" "chat" {
  sku_name           = "Standard_v2"
  max_event_gap      = "10m"
  heartbeat_interval = "20s"
}

data "sseready_apim_diagnostic" "chat" {
  identifier          = "applicationinsights"
  sampling_percentage = 50
}

data "sseready_apim_policy_check" "legacy" {
  xml = "<policies><inbound><base /></inbound><backend><forward-request timeout=\"120\" /></backend><outbound><base /></outbound></policies>"
}

data "sseready_apim_policy_check" "buffering" {
  xml = "<policies><inbound><base /></inbound><backend><forward-request timeout=\"600\" buffer-response=\"true\" /></backend><outbound><base /></outbound></policies>"
}

data "sseready_apim_policy_check" "inherits" {
  xml = "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>"
}

data "sseready_apim_policy" "validating" {
  outbound_xml   = "<validate-content unspecified-content-type-action=\"prevent\" max-size=\"102400\" size-exceeded-action=\"prevent\" />"
  accepted_rules = ["SSE110"]
}

data "sseready_chain_check" "broken" {
  app_gateway = { sku_name = "Standard_v2", request_timeout = 30 }
  apim = {
    sku_name    = "Consumption_0"
    diagnostics = [{ identifier = "applicationinsights", frontend_response = { body_bytes = 1024 } }]
  }
  backend = { max_event_gap = "10m" }
}
`

// proven holds the values captured from the apply.
type proven struct {
	policy, legacy, legacyFixed, buffering, inherits, inheritsFixed, validating any
	appgwBuffering, appgwTimeout, profileHeartbeat                              any
	diagFrontResponse                                                           any
	brokenSKU, brokenTimeout, brokenGlobal, brokenBodyBytes                     any
}

func (p *proven) checks() []statecheck.StateCheck {
	c := func(addr string, path tfjsonpath.Path, into *any) statecheck.StateCheck {
		return capture{address: addr, path: path, into: into}
	}
	return []statecheck.StateCheck{
		c("data.sseready_apim_policy.chat", tfjsonpath.New("xml"), &p.policy),
		c("data.sseready_apim_policy_check.legacy", tfjsonpath.New("xml"), &p.legacy),
		c("data.sseready_apim_policy_check.legacy", tfjsonpath.New("fixed_xml"), &p.legacyFixed),
		c("data.sseready_apim_policy_check.buffering", tfjsonpath.New("xml"), &p.buffering),
		c("data.sseready_apim_policy_check.inherits", tfjsonpath.New("xml"), &p.inherits),
		c("data.sseready_apim_policy_check.inherits", tfjsonpath.New("fixed_xml"), &p.inheritsFixed),
		c("data.sseready_apim_policy.validating", tfjsonpath.New("xml"), &p.validating),
		c("data.sseready_appgw_settings.chat", tfjsonpath.New("response_buffering_enabled"), &p.appgwBuffering),
		c("data.sseready_appgw_settings.chat", tfjsonpath.New("request_timeout"), &p.appgwTimeout),
		c("data.sseready_stream_profile.chat", tfjsonpath.New("required_heartbeat_interval"), &p.profileHeartbeat),
		c("data.sseready_apim_diagnostic.chat", tfjsonpath.New("frontend_response").AtMapKey("body_bytes"), &p.diagFrontResponse),
		c("data.sseready_chain_check.broken", tfjsonpath.New("apim").AtMapKey("sku_name"), &p.brokenSKU),
		c("data.sseready_chain_check.broken", tfjsonpath.New("app_gateway").AtMapKey("request_timeout"), &p.brokenTimeout),
		c("data.sseready_chain_check.broken", tfjsonpath.New("app_gateway").AtMapKey("global"), &p.brokenGlobal),
		c("data.sseready_chain_check.broken", tfjsonpath.New("apim").AtMapKey("diagnostics").AtSliceIndex(0).AtMapKey("frontend_response").AtMapKey("body_bytes"), &p.brokenBodyBytes),
	}
}

// The clocks of the proof run timeScale times faster than Azure's: Azure
// Load Balancer's 4-minute cut takes 4 s, the 20 s heartbeat 333 ms, App
// Gateway's 30 s timeout 500 ms. The margins stay wide enough for a busy
// CI machine; the cases run in parallel to keep the whole under 10 s.
const timeScale = 60

func scaled(d time.Duration) time.Duration { return d / timeScale }

// num, str and boolean return a value captured from the state as the
// chain takes it, or fail the test.
func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func str(t *testing.T, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v (%T) is not a string", v, v)
	}
	return s
}

func boolean(t *testing.T, v any) bool {
	t.Helper()
	b, ok := v.(bool)
	if !ok {
		t.Fatalf("%v (%T) is not a bool", v, v)
	}
	return b
}

// TestAccProveSettings applies the provider's data sources with the real
// terraform and runs their exact values through the emulated chain
// (client, App Gateway, APIM, origin) on loopback.
func TestAccProveSettings(t *testing.T) {
	t.Parallel()
	var p proven
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{Config: provenConfig, ConfigStateChecks: p.checks()}},
	})
	if t.Failed() || p.policy == nil {
		t.Fatal("the apply did not produce the values to prove")
	}
	heartbeat, err := time.ParseDuration(str(t, p.profileHeartbeat))
	// 3/4 of the 30 s App Gateway request_timeout the profile outputs.
	if err != nil || heartbeat != 22*time.Second {
		t.Fatalf("required heartbeat %v (%v)", p.profileHeartbeat, err)
	}
	goodAppGW := &gateway.AppGW{ResponseBuffering: boolean(t, p.appgwBuffering), RequestTimeout: time.Duration(num(t, p.appgwTimeout)) * time.Second}
	// patientAppGW waits as long as App Gateway can (24 h), so a fault in
	// the APIM hop shows as itself rather than as App Gateway's cut.
	patientAppGW := &gateway.AppGW{RequestTimeout: 86400 * time.Second}
	goodDiag := apimdiag.Diagnostic{Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: num(t, p.diagFrontResponse)}}}

	// The stream of the profile, on the scaled clock: events every 10 s,
	// a heartbeat every 20 s, and once a 6-minute silence, longer than the
	// load balancer's 4-minute cut.
	chat := origin.Config{Events: 6, Interval: scaled(10 * time.Second), Heartbeat: scaled(20 * time.Second), SilenceAfter: 3, Silence: scaled(6 * time.Minute)}
	silent := chat
	silent.Heartbeat = 0
	// steady has no long silence, so a buffering hop shows as late events
	// rather than as an idle cut; its 3 KB events fill APIM's 8 KB buffer
	// unit every third event, so a unit buffer is told from a hold-all.
	steady := chat
	steady.SilenceAfter, steady.Silence = 0, 0
	steady.Padding = 3000

	// relayBound: through two emulated hops on loopback, each event must
	// arrive within 100 ms of being sent.
	const relayBound = 100 * time.Millisecond

	tests := []struct {
		name   string
		apim   *gateway.APIM
		appgw  *gateway.AppGW
		origin origin.Config
		// want is the probe's outcome.
		want probe.Outcome
		// cut, for a stream that broke off, is the hop that cut it.
		cut string
		// held, for a buffered stream, is "units" when events came out
		// before the last was sent, "end" when they were all held until it.
		held string
	}{
		{"the emitted settings stream, heartbeats outlast the idle cut",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}, SKU: "StandardV2_1", Diagnostics: []apimdiag.Diagnostic{goodDiag}}, goodAppGW, chat, probe.Streamed, "", ""},
		{"the legacy policy's fixed_xml streams",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.legacyFixed))}}}, goodAppGW, chat, probe.Streamed, "", ""},
		{"the inherited backend's fixed_xml streams",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.inheritsFixed))}}}, goodAppGW, chat, probe.Streamed, "", ""},
		{"<base /> under the emitted policy at global scope streams",
			&gateway.APIM{Policies: []gateway.Policy{{Scope: apimcheck.Global, XML: []byte(str(t, p.policy))}, {Scope: apimcheck.API, XML: []byte(str(t, p.inherits))}}}, goodAppGW, chat, probe.Streamed, "", ""},
		{"<base /> under the legacy policy at global scope buffers",
			&gateway.APIM{Policies: []gateway.Policy{{Scope: apimcheck.Global, XML: []byte(str(t, p.legacy))}, {Scope: apimcheck.API, XML: []byte(str(t, p.inherits))}}}, patientAppGW, steady, probe.Buffered, "", "units"},
		{"buffer-response missing buffers",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.legacy))}}}, patientAppGW, steady, probe.Buffered, "", "units"},
		{"buffer-response true buffers",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.buffering))}}}, patientAppGW, steady, probe.Buffered, "", "units"},
		{"<base /> only buffers",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.inherits))}}}, patientAppGW, steady, probe.Buffered, "", "units"},
		{"validate-content holds the stream",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.validating))}}}, patientAppGW, steady, probe.Held, "", "end"},
		{"body logging holds the stream",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}, Diagnostics: []apimdiag.Diagnostic{{Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: num(t, p.brokenBodyBytes)}}}}},
			patientAppGW, steady, probe.Held, "", "end"},
		{"App Gateway without a global block holds the stream",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}}, &gateway.AppGW{ResponseBuffering: p.brokenGlobal == nil, RequestTimeout: goodAppGW.RequestTimeout}, steady, probe.Held, "", "end"},
		// A buffering APIM holds the heartbeats too, so App Gateway's
		// request timeout fires, and without it the load balancer's.
		{"buffering defeats the heartbeats, App Gateway's timeout cuts",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.legacy))}}}, goodAppGW, chat, probe.Cut, "app_gateway", ""},
		{"buffering defeats the heartbeats, the idle cut fires",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.legacy))}}}, patientAppGW, chat, probe.Cut, "apim", ""},
		{"request_timeout shorter than the silence cuts",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}}, &gateway.AppGW{RequestTimeout: time.Duration(num(t, p.brokenTimeout)) * time.Second}, silent, probe.Cut, "app_gateway", ""},
		{"no heartbeat past the idle cut is cut",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}}, patientAppGW, silent, probe.Cut, "apim", ""},
		{"the Consumption tier refuses",
			&gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}, SKU: str(t, p.brokenSKU)}, goodAppGW, chat, probe.Refused, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entry, hops := chain(t, tt.origin, tt.apim, tt.appgw)
			rep := probe.Run(context.Background(), entry, probe.Options{Events: tt.origin.Events, MaxLatency: relayBound})
			hops.Blame(&rep)
			switch {
			case rep.Outcome != tt.want:
				t.Fatalf("outcome %q (%s), want %q", rep.Outcome, rep.Error, tt.want)
			case tt.want == probe.Streamed:
				for i, e := range rep.Events {
					if *e.LatencyMS > float64(relayBound.Milliseconds()) {
						t.Errorf("event %d arrived %.1f ms after it was sent", i+1, *e.LatencyMS)
					}
				}
				if rep.Heartbeats == 0 {
					t.Error("no heartbeat reached the client")
				}
			}
			if tt.held != "" {
				if got := held(rep); got != tt.held {
					t.Errorf("held until %q, want %q", got, tt.held)
				}
			}
			if got := hops.Cuts(); tt.cut != "" && (len(got) == 0 || got[0].Hop != tt.cut || rep.Fault.Hop != tt.cut) {
				t.Errorf("cuts %q, fault %+v, want %s to cut first", got, rep.Fault, tt.cut)
			} else if tt.cut == "" && len(got) > 0 {
				t.Errorf("unexpected cuts %q", got)
			}
		})
	}

	// A real browser: headless Chromium's EventSource, on a page of
	// another origin (so the origin allows it), through the same chain.
	// browserBound is wider than relayBound: it includes the renderer's
	// event loop.
	browserBound := testslack.Bound(250 * time.Millisecond)
	browsed := steady
	browsed.Padding, browsed.AllowOrigin = 0, "*"
	t.Run("a browser's EventSource receives the events one by one", func(t *testing.T) {
		t.Parallel()
		entry, _ := chain(t, browsed, &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.policy))}}, SKU: "StandardV2_1"}, goodAppGW)
		checkBrowser(t, browserEvents(t, entry, browsed.Events, time.Minute), browsed, true, browserBound)
	})
	t.Run("a browser's EventSource behind a buffering APIM gets them all at the end", func(t *testing.T) {
		t.Parallel()
		entry, _ := chain(t, browsed, &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(str(t, p.legacy))}}}, patientAppGW)
		checkBrowser(t, browserEvents(t, entry, browsed.Events, time.Minute), browsed, false, browserBound)
	})
}

// checkBrowser checks what the page saw of a stream of o: every event, in
// order, with its id as lastEventId; then, when oneByOne, each dispatched
// within bound of being sent and apart from the one before by at least
// half the interval; else all held until the last was sent.
func checkBrowser(t *testing.T, events []browserEvent, o origin.Config, oneByOne bool, bound time.Duration) {
	t.Helper()
	if len(events) != o.Events {
		t.Fatalf("the browser saw %d events, want %d", len(events), o.Events)
	}
	sent := make([]float64, len(events))
	for i, e := range events {
		var pl origin.Payload
		if err := json.Unmarshal([]byte(e.Data), &pl); err != nil || pl.Seq != i+1 || e.LastEventID != strconv.Itoa(i+1) {
			t.Fatalf("event %d: data %q, lastEventId %q (%v)", i+1, e.Data, e.LastEventID, err)
		}
		sent[i] = float64(pl.SentUnixNano) / 1e6
	}
	lastSent := sent[len(sent)-1]
	// Pairs of events that reached the page together (less than half
	// their interval apart): a busy machine can hold one event in the
	// renderer until the next arrives, so the verdict is the probe's own
	// rule for bursts over all the pairs, not any one pair.
	var together []string
	for i, e := range events {
		latency := e.AtUnixMS - sent[i]
		switch {
		case !oneByOne:
			if e.AtUnixMS < lastSent {
				t.Errorf("event %d reached the page %.1f ms before the last was sent", i+1, lastSent-e.AtUnixMS)
			}
		case latency > float64(bound.Milliseconds()):
			t.Errorf("event %d reached the page %.1f ms after it was sent, over %v", i+1, latency, bound)
		case i > 0 && e.AtUnixMS-events[i-1].AtUnixMS < float64(o.Interval.Milliseconds())/2:
			together = append(together, fmt.Sprintf("events %d and %d %.1f ms apart", i, i+1, e.AtUnixMS-events[i-1].AtUnixMS))
		}
	}
	if oneByOne && probe.BurstsBuffered(len(together), len(events)-1) {
		t.Errorf("events sent %v apart reached the page together: %s", o.Interval, strings.Join(together, "; "))
	}
}

// held says how a complete buffered stream came out: "end" when its first
// event arrived only after its last was sent, "units" when before.
func held(rep probe.Report) string {
	if len(rep.Events) < 2 || rep.Events[0].LatencyMS == nil || rep.Events[len(rep.Events)-1].LatencyMS == nil {
		return "unknown"
	}
	last := rep.Events[len(rep.Events)-1]
	if rep.Events[0].ArrivalMS >= last.ArrivalMS-*last.LatencyMS {
		return "end"
	}
	return "units"
}

// chain runs the origin, an emulated APIM in front of it and an emulated
// App Gateway in front of that, on loopback, on the proof's clock.
func chain(t *testing.T, o origin.Config, apim *gateway.APIM, appgw *gateway.AppGW) (string, *chainrun.Chain) {
	t.Helper()
	c, err := chainrun.Start(o, []chainrun.Hop{
		{Name: "app_gateway", Config: gateway.Config{AppGW: appgw, TimeScale: timeScale}},
		{Name: "apim", Config: gateway.Config{APIM: apim, TimeScale: timeScale}},
	}, func(line string) { t.Log(line) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.URL, c
}
