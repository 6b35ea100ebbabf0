package chainrun

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

func decodeChain(t *testing.T, src string) *chaincheck.Chain {
	t.Helper()
	v, err := plain.FromJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, errs := chaincheck.Decode(v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return &c
}

// Every hop of a chain becomes an emulated hop, client side first, with
// the chain's own settings on its clocks (at time scale 60: minutes become
// seconds).
func TestFromChainBuildsEveryHop(t *testing.T) {
	tests := []struct {
		name, chain string
		hops        string // "name behavior | ..."
		clocks      map[string]time.Duration
		totals      map[string]time.Duration
		note        string
	}{
		{name: "every hop",
			chain: `{"front_door": {"response_timeout_seconds": 120},
			  "app_gateway": {"sku_name": "Standard_v2", "global": {"request_buffering_enabled": true, "response_buffering_enabled": false}, "request_timeout": 600, "agic_request_timeout": 90},
			  "app_gateway_for_containers": {"route_timeout": "0s"},
			  "apim": {"sku_name": "StandardV2_1", "policies": [{"scope": "api", "xml": "<policies><inbound /><backend><forward-request buffer-response=\"false\" /></backend><outbound /></policies>"}]},
			  "load_balancer": {"idle_timeout_in_minutes": 30, "tcp_reset_enabled": true},
			  "container_apps": {"request_idle_timeout_in_minutes": 10},
			  "app_service": {},
			  "azure_openai": {"content_filter_mode": "Blocking"}}`,
			hops: "front_door stream; rules=SSE404 | app_gateway stream | app_gateway_for_containers stream; rules=SSE401 | apim stream | " +
				"load_balancer stream; rules=SSE401 | container_apps stream; rules=SSE401 | app_service stream; rules=SSE401 | azure_openai buffer=1024; rules=SSE406",
			// AGIC's annotation decides App Gateway's clock, not request_timeout.
			clocks: map[string]time.Duration{"front_door": 2 * time.Second, "app_gateway": 1500 * time.Millisecond, "app_gateway_for_containers": 5 * time.Second,
				"load_balancer": 30 * time.Second, "container_apps": 10 * time.Second, "app_service": 230 * time.Second / 60},
			totals: map[string]time.Duration{"app_gateway_for_containers": 0}},
		{name: "defaults: a load balancer rule with no reset drops silently",
			chain:  `{"load_balancer": {}, "container_apps": {}, "azure_openai": {"content_filter_mode": "Asynchronous_filter"}}`,
			hops:   "load_balancer stream; silent-cut; rules=SSE401 | container_apps stream; rules=SSE401 | azure_openai stream",
			clocks: map[string]time.Duration{"load_balancer": 4 * time.Second, "container_apps": 4 * time.Second}},
		{name: "an HTTPRoute timeout over the RoutePolicy's",
			chain:  `{"app_gateway_for_containers": {"route_timeout": "0s", "request_timeout": "10m", "backend_request_timeout": "2m"}}`,
			hops:   "app_gateway_for_containers stream; rules=SSE401,SSE403",
			totals: map[string]time.Duration{"app_gateway_for_containers": 2 * time.Second}},
		{name: "what the sources leave open runs no clock, and says so",
			chain:  `{"front_door": {}, "app_gateway_for_containers": {}}`,
			hops:   "front_door stream; rules=SSE404 | app_gateway_for_containers stream; rules=SSE401",
			clocks: map[string]time.Duration{"front_door": 0}, totals: map[string]time.Duration{"app_gateway_for_containers": 0},
			note: "front_door: response_timeout_seconds is not given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hops, notes, err := FromChain(decodeChain(t, tt.chain), gateway.Config{TimeScale: 60})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			behaviors := map[string]gateway.Behavior{}
			for _, h := range hops {
				h.Config.Upstream = mustURL(t)
				b, err := gateway.Derive(h.Config)
				if err != nil {
					t.Fatalf("%s: %v", h.Name, err)
				}
				behaviors[h.Name] = b
				got = append(got, h.Name+" "+b.String())
			}
			if g := strings.Join(got, " | "); g != tt.hops {
				t.Errorf("hops\n got %s\nwant %s", g, tt.hops)
			}
			for hop, want := range tt.clocks {
				if b := behaviors[hop]; b.UpstreamIdle != want {
					t.Errorf("%s: idle clock %v, want %v", hop, b.UpstreamIdle, want)
				}
			}
			for hop, want := range tt.totals {
				if b := behaviors[hop]; b.Total != want {
					t.Errorf("%s: route timeout %v, want %v", hop, b.Total, want)
				}
			}
			if tt.note != "" && !strings.Contains(strings.Join(notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", notes, tt.note)
			}
		})
	}
}

// A silent drop is a typed cut the chain signals, so a probe can stop
// waiting on a connection that will carry nothing more.
func TestSilentCutIsSignalled(t *testing.T) {
	hops, _, err := FromChain(decodeChain(t, `{"load_balancer": {}}`), gateway.Config{TimeScale: 240})
	if err != nil {
		t.Fatal(err)
	}
	// 4 minutes at 240: 1 s; the origin is silent for 2 s after event 1.
	c, err := Start(origin.Config{Events: 3, Interval: 10 * time.Millisecond, SilenceAfter: 1, Silence: 2 * time.Second}, hops, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-c.SilentCut(); cancel() }()
	rep := probe.Run(ctx, c.URL, probe.Options{Events: 3, Duration: 20 * time.Second})
	cuts := c.Cuts()
	// The client alone saw a stream go quiet; the chain knows it was cut.
	if len(cuts) != 1 || cuts[0].Hop != "load_balancer" || !cuts[0].Silent || rep.Outcome != probe.Streamed || len(rep.Events) != 1 {
		t.Fatalf("cuts %+v; probe saw %q with %d events: %s", cuts, rep.Outcome, len(rep.Events), rep.Error)
	}
	c.Blame(&rep)
	if rep.Outcome != probe.Cut || rep.Fault.Kind != probe.DroppedSilently || rep.Fault.Hop != "load_balancer" {
		t.Fatalf("blamed: outcome %q fault %+v", rep.Outcome, rep.Fault)
	}
	if !strings.Contains(cuts[0].String(), "load_balancer: GET /: cut: the upstream was silent for 1s (load_balancer idle_timeout_in_minutes); the flow was dropped silently") {
		t.Fatalf("cut %q", cuts[0])
	}
}

func mustURL(t *testing.T) *url.URL {
	t.Helper()
	u, err := url.Parse("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	return u
}
