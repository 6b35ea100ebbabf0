package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

const (
	streamingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" fail-on-error-status-code="true" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	bufferingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" /></backend><outbound><base /></outbound></policies>`
	inheritPolicy   = `<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>`
)

func startOrigin(t *testing.T, cfg origin.Config) *url.URL {
	t.Helper()
	h, err := origin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func startGateway(t *testing.T, cfg Config) *url.URL {
	t.Helper()
	u, _ := startGatewayOf(t, cfg)
	return u
}

// startGatewayOf is startGateway that returns the hop too.
func startGatewayOf(t *testing.T, cfg Config) (*url.URL, *Gateway) {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.Logf = t.Logf
	srv := httptest.NewServer(g)
	t.Cleanup(func() { srv.Close(); g.Close() })
	u, _ := url.Parse(srv.URL)
	return u, g
}

// cachedEntries is how many responses the hop has stored.
func cachedEntries(g *Gateway) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.cache.entries)
}

// eventually polls cond until it holds, for at most a bound of d that
// widens on a busy machine (testslack), and says whether it held.
func eventually(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(testslack.Bound(d)); ; time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

func apim(policy string) *APIM { return &APIM{Policies: []Policy{{XML: []byte(policy)}}} }

// small events every 20 ms: 10 of them are far below 8 KB.
var ticker = origin.Config{Events: 10, Interval: 20 * time.Millisecond}

// relayBound is how late an event may arrive through streaming hops on
// loopback and still count as relayed at once. A held stream (ticker's
// 200 ms, held to its end) is judged by it as it is: a busy machine only
// makes held events later. A stream that must count as streamed is
// judged by latencyFor's bound, which widens on a busy machine
// (testslack), where a relayed event can wait that long to be read.
const relayBound = 100 * time.Millisecond

// latencyFor is the probe's MaxLatency for a stream expected to arrive
// as want: see relayBound.
func latencyFor(want probe.Outcome) time.Duration {
	if want == probe.Streamed {
		return testslack.Bound(relayBound)
	}
	return relayBound
}

func TestAPIMBehaviours(t *testing.T) {
	tests := []struct {
		name     string
		apim     *APIM
		origin   origin.Config
		behavior string
		// ticker's 10 small events fit in one 8 KB unit: a buffering hop
		// releases them all at the end, as one that holds does.
		want probe.Outcome
	}{
		{name: "buffer-response false streams", apim: apim(streamingPolicy), origin: ticker, behavior: "stream", want: probe.Streamed},
		{name: "buffer-response missing buffers", apim: apim(bufferingPolicy), origin: ticker, behavior: "buffer=8192; rules=SSE101", want: probe.Held},
		{name: "buffer-response true buffers", apim: apim(strings.Replace(streamingPolicy, `buffer-response="false"`, `buffer-response="true"`, 1)), origin: ticker, behavior: "buffer=8192; rules=SSE101", want: probe.Held},
		{name: "base only inherits the buffering default", apim: apim(inheritPolicy), origin: ticker, behavior: "buffer=8192; rules=SSE102", want: probe.Held},
		{name: "validate-content holds the response", apim: apim(strings.Replace(streamingPolicy, "<outbound><base />", `<outbound><base /><validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="prevent" />`, 1)),
			origin: ticker, behavior: "hold-all; rules=SSE110", want: probe.Held},
		{name: "body logging holds the response", apim: &APIM{Policies: []Policy{{XML: []byte(streamingPolicy)}}, Diagnostics: []apimdiag.Diagnostic{{Identifier: "applicationinsights", Blocks: map[string]*apimdiag.Block{"frontend_response": {BodyBytes: 1024}}}}},
			origin: ticker, behavior: "hold-all; rules=SSE202", want: probe.Held},
		{name: "Consumption refuses", apim: &APIM{Policies: []Policy{{XML: []byte(streamingPolicy)}}, SKU: "Consumption_0"}, origin: ticker, behavior: "refuse; rules=SSE201", want: probe.Refused},
		{name: "StandardV2 streams", apim: &APIM{Policies: []Policy{{XML: []byte(streamingPolicy)}}, SKU: "StandardV2_1"}, origin: ticker, behavior: "stream", want: probe.Streamed},
		// With no policy above it, an operation's <base /> takes APIM's
		// global default forward-request, which buffers.
		{name: "an operation's base only inherits the buffering default", apim: &APIM{Policies: []Policy{{Scope: apimcheck.Operation, XML: []byte(inheritPolicy)}}},
			origin: ticker, behavior: "buffer=8192; rules=SSE102", want: probe.Held},
		{name: "an operation that forwards with buffer-response false streams", apim: &APIM{Policies: []Policy{{Scope: apimcheck.Operation, XML: []byte(streamingPolicy)}}},
			origin: ticker, behavior: "stream", want: probe.Streamed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := startGateway(t, Config{Upstream: startOrigin(t, tt.origin), APIM: tt.apim})
			rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: tt.origin.Events, MaxLatency: latencyFor(tt.want)})
			if rep.Outcome != tt.want {
				t.Fatalf("outcome %q (%s), want %q", rep.Outcome, rep.Error, tt.want)
			}
			if got := rep.Headers["X-Sseready-Gateway"]; got != tt.behavior {
				t.Errorf("behaviour %q, want %q", got, tt.behavior)
			}
			if tt.want == probe.Streamed {
				for i, e := range rep.Events {
					if *e.LatencyMS > float64(latencyFor(tt.want).Milliseconds()) {
						t.Errorf("event %d relayed after %.1f ms", i, *e.LatencyMS)
					}
				}
			}
		})
	}
}

// 8 KB units: with events of about 1 KB, each 8 KB released is 7 or 8
// events at once, then nothing until the next 8 KB.
func TestAPIMBuffersIn8KBUnits(t *testing.T) {
	cfg := origin.Config{Events: 24, Interval: 10 * time.Millisecond, Padding: 1000}
	gw := startGateway(t, Config{Upstream: startOrigin(t, cfg), APIM: apim(bufferingPolicy)})
	rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: 24, MaxLatency: time.Hour})
	if len(rep.Events) != 24 {
		t.Fatalf("%d events: %s", len(rep.Events), rep.Error)
	}
	// Count the releases: arrivals more than 5 ms apart start a new one.
	releases := 1
	for i := 1; i < len(rep.Events); i++ {
		if rep.Events[i].ArrivalMS-rep.Events[i-1].ArrivalMS > 5 {
			releases++
		}
	}
	// About 24 KB in 8 KB units: 3 releases, the last at the end.
	if releases < 3 || releases > 4 {
		t.Fatalf("%d releases, want 3 or 4 (8 KB units of ~1 KB events)", releases)
	}
	if rep.Outcome != probe.Buffered {
		t.Fatalf("bursts seen as %q: %s", rep.Outcome, rep.Error)
	}
}

func TestAPIMCaching(t *testing.T) {
	cachePolicy := strings.Replace(streamingPolicy, "<inbound><base />", `<inbound><base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />`, 1)
	gw, g := startGatewayOf(t, Config{Upstream: startOrigin(t, origin.Config{Events: 3, Interval: 10 * time.Millisecond}), APIM: apim(cachePolicy)})
	// The first client reads to the end: APIM stores a complete response,
	// and a client that leaves early aborts it.
	first := probe.Run(context.Background(), gw.String(), probe.Options{MaxLatency: latencyFor(probe.Streamed)})
	if !first.OK || len(first.Events) != 3 || first.Headers["X-Sseready-Cache"] != "miss" {
		t.Fatalf("first request: ok %v, %d events, cache %q: %s", first.OK, len(first.Events), first.Headers["X-Sseready-Cache"], first.Error)
	}
	// The hop stores the response once its handler has sent the end.
	if !eventually(5*time.Second, func() bool { return cachedEntries(g) == 1 }) {
		t.Fatalf("%d responses stored after the first request", cachedEntries(g))
	}
	// The stored events are then left to age past relayBound, so their
	// replay, stamped with the first send times, arrives late: held.
	time.Sleep(relayBound + 50*time.Millisecond)
	second := probe.Run(context.Background(), gw.String(), probe.Options{Events: 3, MaxLatency: relayBound})
	// The replay comes out at once, after the stored stream was sent.
	if second.Headers["X-Sseready-Cache"] != "hit" || second.Outcome != probe.Held {
		t.Fatalf("second request: cache %q outcome %q (%s)", second.Headers["X-Sseready-Cache"], second.Outcome, second.Error)
	}
	if second.Events[0].Data != first.Events[0].Data {
		t.Fatal("the replay is not the stored stream")
	}
}

// Azure Load Balancer's 4-minute idle cut, at 1/240 scale: 1 s.
func TestLoadBalancerIdleCut(t *testing.T) {
	silent := origin.Config{Events: 3, Interval: 10 * time.Millisecond, SilenceAfter: 1, Silence: 1500 * time.Millisecond}
	gw := startGateway(t, Config{Upstream: startOrigin(t, silent), APIM: apim(streamingPolicy), TimeScale: 240})
	rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: 3})
	if rep.Outcome != probe.Cut || len(rep.Events) != 1 || rep.Fault.SilenceMS < 900 {
		t.Fatalf("outcome %q, fault %+v, with %d events: %s", rep.Outcome, rep.Fault, len(rep.Events), rep.Error)
	}

	// The same silence filled by heartbeats every 200 ms survives.
	silent.Heartbeat = 200 * time.Millisecond
	gw = startGateway(t, Config{Upstream: startOrigin(t, silent), APIM: apim(streamingPolicy), TimeScale: 240})
	rep = probe.Run(context.Background(), gw.String(), probe.Options{Events: 3, MaxLatency: latencyFor(probe.Streamed)})
	if rep.Outcome != probe.Streamed || rep.Heartbeats < 5 {
		t.Fatalf("with heartbeats: outcome %q heartbeats %d: %s", rep.Outcome, rep.Heartbeats, rep.Error)
	}
}

func TestForwardRequestHeaderTimeout(t *testing.T) {
	// The origin answers only when the test ends: the reply the client
	// gets is the hop's timeout, whenever it comes.
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(slow)
	defer srv.Close()
	defer close(release)
	u, _ := url.Parse(srv.URL)
	// timeout="10" at scale 20: 500 ms.
	gw := startGateway(t, Config{Upstream: u, APIM: apim(strings.Replace(streamingPolicy, `timeout="120"`, `timeout="10"`, 1)), TimeScale: 20})
	start := time.Now()
	rep := probe.Run(context.Background(), gw.String(), probe.Options{})
	// Not before the timeout (500 ms), and not long after it.
	if took := time.Since(start); rep.Status != http.StatusGatewayTimeout || took < 500*time.Millisecond || took > testslack.Bound(1500*time.Millisecond) {
		t.Fatalf("status %d after %v: %s", rep.Status, took, rep.Error)
	}
}

func TestAppGateway(t *testing.T) {
	tests := []struct {
		name   string
		appgw  *AppGW
		origin origin.Config
		want   probe.Outcome
	}{
		{name: "buffering off streams", appgw: &AppGW{RequestTimeout: 30 * time.Second}, origin: ticker, want: probe.Streamed},
		{name: "buffering on holds", appgw: &AppGW{ResponseBuffering: true, RequestTimeout: 30 * time.Second}, origin: ticker, want: probe.Held},
		// request_timeout 30 s at scale 30: 1 s; a 1.5 s silence is cut.
		{name: "request_timeout shorter than the gap cuts", appgw: &AppGW{RequestTimeout: 30 * time.Second},
			origin: origin.Config{Events: 3, Interval: 10 * time.Millisecond, SilenceAfter: 1, Silence: 1500 * time.Millisecond}, want: probe.Cut},
		{name: "heartbeats keep request_timeout from running out", appgw: &AppGW{RequestTimeout: 30 * time.Second},
			origin: origin.Config{Events: 3, Interval: 10 * time.Millisecond, SilenceAfter: 1, Silence: 1500 * time.Millisecond, Heartbeat: 250 * time.Millisecond}, want: probe.Streamed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := startGateway(t, Config{Upstream: startOrigin(t, tt.origin), AppGW: tt.appgw, TimeScale: 30})
			rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: tt.origin.Events, MaxLatency: latencyFor(tt.want)})
			if rep.Outcome != tt.want {
				t.Fatalf("outcome %q (%s), want %q", rep.Outcome, rep.Error, tt.want)
			}
		})
	}
}

// client, App Gateway, APIM, origin: the settings sseready emits stream
// through both hops.
func TestChain(t *testing.T) {
	o := startOrigin(t, origin.Config{Events: 8, Interval: 25 * time.Millisecond, Heartbeat: 10 * time.Millisecond})
	a := startGateway(t, Config{Upstream: o, APIM: &APIM{Policies: []Policy{{XML: []byte(streamingPolicy)}}, SKU: "StandardV2_1"}})
	g := startGateway(t, Config{Upstream: a, AppGW: &AppGW{RequestTimeout: 40 * time.Second}})
	rep := probe.Run(context.Background(), g.String(), probe.Options{Events: 8, MaxLatency: latencyFor(probe.Streamed)})
	if !rep.OK || len(rep.Events) != 8 {
		t.Fatalf("chain: %s", rep.Error)
	}
	// Each hop adds its own, after the upstream hop's.
	if got := rep.Headers["X-Sseready-Gateway"]; got != "stream, stream" {
		t.Fatalf("hops %q", got)
	}
}

func TestConfigErrors(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{APIM: apim(streamingPolicy)}, "no upstream"},
		{Config{Upstream: u}, "exactly one of APIM, Application Gateway and Relay"},
		{Config{Upstream: u, APIM: apim("<policies>")}, "the APIM policy (api scope): line 1, column 1"},
		{Config{Upstream: u, APIM: &APIM{Policies: []Policy{{XML: []byte(streamingPolicy)}}, SKU: "Gold_1"}}, "is not an API Management SKU"},
		{Config{Upstream: u, APIM: apim(streamingPolicy), TimeScale: -1}, "must be positive and at most 1000"},
	} {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want %q", err, tt.want)
		}
	}
}

// goroutines waits for the goroutine count to return to n.
func goroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(testslack.Bound(3 * time.Second))
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
