package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// cutRecorder collects a hop's cuts.
type cutRecorder struct {
	mu   sync.Mutex
	cuts []Cut
}

func (r *cutRecorder) add(c Cut) { r.mu.Lock(); r.cuts = append(r.cuts, c); r.mu.Unlock() }

func (r *cutRecorder) all() []Cut {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Cut(nil), r.cuts...)
}

// startRecorded runs a hop whose cuts land in the recorder.
func startRecorded(t *testing.T, cfg Config) (*url.URL, *cutRecorder) {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g.Logf = t.Logf
	rec := &cutRecorder{}
	g.OnCut = rec.add
	srv := httptest.NewServer(g)
	t.Cleanup(func() { srv.Close(); g.Close() })
	u, _ := url.Parse(srv.URL)
	return u, rec
}

// A relay hop acts on a stream only through its clocks and its rule's
// effect: an idle clock cuts a silence (told, or silently), a route
// timeout cuts a busy stream, the content filter relays in chunks.
func TestRelayHops(t *testing.T) {
	// 3 events, then 1.5 s of silence before the rest.
	silent := origin.Config{Events: 4, Interval: 10 * time.Millisecond, SilenceAfter: 2, Silence: 1500 * time.Millisecond}
	heartbeats := silent
	heartbeats.Heartbeat = 100 * time.Millisecond
	busy := origin.Config{Events: 200, Interval: 10 * time.Millisecond}
	tests := []struct {
		name   string
		relay  Relay
		chunk  int
		origin origin.Config
		// The probe's bound: a silent drop leaves the client waiting.
		duration time.Duration
		// want is what the probe saw: a silent drop looks like a stream
		// that went quiet.
		want   probe.Outcome
		cut    string // the hop's cut reason holds this ("" : no cut)
		silent bool
		events int // events that arrived, -1: fewer than the origin's
	}{
		{name: "idle clock cuts a silence and says so",
			relay:  Relay{Clock: "container_apps request idle timeout", Idle: 500 * time.Millisecond, Rules: []string{rules.IdleCut}},
			origin: silent, want: probe.Cut, cut: "silent for 500ms (container_apps request idle timeout)", events: 2},
		{name: "heartbeats keep the idle clock from running out",
			relay:  Relay{Clock: "container_apps request idle timeout", Idle: 500 * time.Millisecond},
			origin: heartbeats, want: probe.Streamed, events: 4},
		{name: "a load balancer rule without tcp reset drops the flow silently",
			relay:  Relay{Clock: "load_balancer idle_timeout_in_minutes", Idle: 500 * time.Millisecond, Silent: true, Rules: []string{rules.IdleCut}},
			origin: silent, duration: 1200 * time.Millisecond, want: probe.Streamed, cut: "silent for 500ms (load_balancer idle_timeout_in_minutes)", silent: true, events: 2},
		{name: "a route timeout cuts a busy stream",
			relay:  Relay{Total: 400 * time.Millisecond, Rules: []string{rules.AGCRouteTimeout}},
			origin: busy, want: probe.Cut, cut: "the response ran for 400ms (route timeout)", events: -1},
		{name: "the content filter relays in chunks",
			relay: Relay{Rules: []string{rules.OpenAIContentFilter}},
			chunk: 4096, origin: ticker, want: probe.Held, events: 10}, // 10 small events: one chunk, at the end
		{name: "the content filter streaming at once",
			relay: Relay{}, origin: ticker, want: probe.Streamed, events: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gw, rec := startRecorded(t, Config{Upstream: startOrigin(t, tt.origin), Relay: &tt.relay, ContentFilterChunk: tt.chunk})
			rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: tt.origin.Events, Duration: tt.duration, MaxLatency: latencyFor(tt.want)})
			if rep.Outcome != tt.want || (tt.want == probe.Cut && rep.Fault.Kind != probe.BrokeOff) {
				t.Fatalf("outcome %q fault %+v (%s), want %q", rep.Outcome, rep.Fault, rep.Error, tt.want)
			}
			if n := len(rep.Events); (tt.events >= 0 && n != tt.events) || (tt.events < 0 && (n == 0 || n >= tt.origin.Events)) {
				t.Fatalf("%d events arrived, want %d", n, tt.events)
			}
			cuts := rec.all()
			switch {
			case tt.cut == "" && len(cuts) > 0:
				t.Fatalf("unexpected cuts %+v", cuts)
			case tt.cut != "" && (len(cuts) != 1 || !strings.Contains(cuts[0].Reason, tt.cut) || cuts[0].Silent != tt.silent || cuts[0].Request != "GET /"):
				t.Fatalf("cuts %+v, want one holding %q, silent %v", cuts, tt.cut, tt.silent)
			}
		})
	}
}

// A silent drop before the response headers answers nothing: the client
// waits on an open connection, and the hop names the header wait in the
// cut. A rule with TCP reset answers 504 instead.
func TestRelayHeaderTimeout(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(slow)
	t.Cleanup(srv.Close)
	up, _ := url.Parse(srv.URL)
	for _, silent := range []bool{false, true} {
		gw, rec := startRecorded(t, Config{Upstream: up, Relay: &Relay{Clock: "load_balancer idle_timeout_in_minutes", Idle: 300 * time.Millisecond, Silent: silent}})
		rep := probe.Run(context.Background(), gw.String(), probe.Options{Duration: 1200 * time.Millisecond})
		cuts := rec.all()
		if silent {
			if rep.Status != 0 || len(cuts) != 1 || !cuts[0].Silent || !strings.Contains(cuts[0].Reason, "no response headers") {
				t.Fatalf("silent: status %d, cuts %+v, error %q", rep.Status, cuts, rep.Error)
			}
			continue
		}
		if rep.Status != http.StatusGatewayTimeout || len(cuts) != 0 {
			t.Fatalf("with reset: status %d, cuts %+v, error %q", rep.Status, cuts, rep.Error)
		}
	}
}

func TestRelayDerive(t *testing.T) {
	tests := []struct {
		relay  Relay
		scale  float64
		header time.Duration
		want   string
	}{
		{Relay{Idle: 4 * time.Minute, Silent: true, Rules: []string{rules.IdleCut}}, 60, 4 * time.Second, "stream; silent-cut; rules=SSE401"},
		// The route timeout bounds the header wait too.
		{Relay{Idle: 5 * time.Minute, Total: time.Minute, Rules: []string{rules.IdleCut, rules.AGCRouteTimeout}}, 60, time.Second, "stream; rules=SSE401,SSE403"},
		{Relay{Total: time.Minute}, 1, time.Minute, "stream"},
		{Relay{Rules: []string{rules.OpenAIContentFilter}}, 1, 0, "buffer=1024; rules=SSE406"},
	}
	for _, tt := range tests {
		u, _ := url.Parse("http://127.0.0.1:1")
		b, err := Derive(Config{Upstream: u, Relay: &tt.relay, TimeScale: tt.scale})
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want || b.HeaderTimeout != tt.header {
			t.Errorf("%+v: %q, header timeout %v; want %q, %v", tt.relay, b, b.HeaderTimeout, tt.want, tt.header)
		}
	}
	u, _ := url.Parse("http://127.0.0.1:1")
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Upstream: u, Relay: &Relay{}, APIM: apim(streamingPolicy)}, "exactly one of APIM, Application Gateway and Relay"},
		{Config{Upstream: u, Relay: &Relay{Idle: -time.Second}}, "must not be negative"},
		{Config{Upstream: u, Relay: &Relay{}, ContentFilterChunk: -1}, "content filter chunk -1 is negative"},
	} {
		if _, err := New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v, want %q", err, tt.want)
		}
	}
}
