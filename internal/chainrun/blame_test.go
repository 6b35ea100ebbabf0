package chainrun

import (
	"context"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

const bufferingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" /></backend><outbound><base /></outbound></policies>`

func apimHop(policy string) Hop {
	return Hop{Name: "apim", Config: gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(policy)}}}}}
}

// Each outcome of the probe through an emulated path on loopback, as a
// client sees it, and the hop Blame names.
func TestOutcomesThroughAChain(t *testing.T) {
	ticker := origin.Config{Events: 8, Interval: 40 * time.Millisecond}
	logging := apimHop(streaming)
	logging.Config.APIM.Diagnostics = []apimdiag.Diagnostic{{Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: 1024}}}}
	consumption := apimHop(streaming)
	consumption.Config.APIM.SKU = "Consumption_0"
	silentAfter2 := origin.Config{Events: 4, Interval: 10 * time.Millisecond, SilenceAfter: 2, Silence: 1500 * time.Millisecond}
	noType := ticker
	noType.OmitHeaders = []string{"Content-Type"}
	tests := []struct {
		name    string
		origin  origin.Config
		hops    []Hop
		closed  bool // probe the chain after it closed
		outcome probe.Outcome
		kind    probe.FaultKind // "": any
		hop     string
	}{
		{name: "streamed through App Gateway and APIM", origin: ticker,
			hops:    []Hop{{Name: "app_gateway", Config: gateway.Config{AppGW: &gateway.AppGW{RequestTimeout: 30 * time.Second}}}, apimHop(streaming)},
			outcome: probe.Streamed},
		// 24 events of 1 KB, 10 ms apart, in 8 KB units: three bursts.
		{name: "buffered by APIM's forward-request", origin: origin.Config{Events: 24, Interval: 10 * time.Millisecond, Padding: 1000},
			hops: []Hop{apimHop(bufferingPolicy)}, outcome: probe.Buffered, hop: "apim"},
		{name: "held by APIM's body logging", origin: ticker, hops: []Hop{logging},
			outcome: probe.Held, kind: probe.ReleasedAtEnd, hop: "apim"},
		{name: "held by App Gateway's response buffering", origin: ticker,
			hops:    []Hop{{Name: "app_gateway", Config: gateway.Config{AppGW: &gateway.AppGW{ResponseBuffering: true, RequestTimeout: 30 * time.Second}}}, apimHop(streaming)},
			outcome: probe.Held, kind: probe.ReleasedAtEnd, hop: "app_gateway"},
		{name: "cut by an idle clock", origin: silentAfter2,
			hops:    []Hop{{Name: "container_apps", Config: gateway.Config{Relay: &gateway.Relay{Clock: "container_apps request idle timeout", Idle: 300 * time.Millisecond, Rules: []string{rules.IdleCut}}}}},
			outcome: probe.Cut, kind: probe.BrokeOff, hop: "container_apps"},
		{name: "dropped silently by a load balancer rule without TCP reset", origin: silentAfter2,
			hops:    []Hop{{Name: "load_balancer", Config: gateway.Config{Relay: &gateway.Relay{Clock: "load_balancer idle_timeout_in_minutes", Idle: 300 * time.Millisecond, Silent: true}}}},
			outcome: probe.Cut, kind: probe.DroppedSilently, hop: "load_balancer"},
		{name: "refused by the Consumption tier", origin: ticker, hops: []Hop{consumption}, outcome: probe.Refused},
		{name: "not SSE without Content-Type", origin: noType, hops: []Hop{apimHop(streaming)}, outcome: probe.NotSSE},
		{name: "error: nothing listens", origin: ticker, hops: []Hop{apimHop(streaming)}, closed: true, outcome: probe.Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Start(tt.origin, tt.hops, func(line string) { t.Log(line) })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			if tt.closed {
				c.Close()
			}
			// As prove does: a silent drop ends the wait.
			ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			go func() {
				select {
				case <-c.SilentCut():
					stop()
				case <-ctx.Done():
				}
			}()
			rep := probe.Run(ctx, c.URL, probe.Options{Events: tt.origin.Events, MaxLatency: 150 * time.Millisecond})
			c.Blame(&rep)
			if rep.Outcome != tt.outcome || rep.OK != (tt.outcome == probe.Streamed) {
				t.Fatalf("outcome %q ok %v (%s), want %q", rep.Outcome, rep.OK, rep.Error, tt.outcome)
			}
			switch {
			case tt.hop == "" && rep.Fault != nil:
				t.Fatalf("fault %+v, want none", rep.Fault)
			case tt.hop != "" && (rep.Fault == nil || rep.Fault.Hop != tt.hop || (tt.kind != "" && rep.Fault.Kind != tt.kind)):
				t.Fatalf("fault %+v, want hop %q kind %q", rep.Fault, tt.hop, tt.kind)
			}
		})
	}
}
