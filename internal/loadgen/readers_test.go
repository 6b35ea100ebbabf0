package loadgen

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// The pollers (Linux) and a goroutine per stream (elsewhere, and for TLS,
// content coding and MCP) read the same streams to the same result: the
// same outcome, counts and kinds of cut, event for event.
func TestPollersAndGoroutinesAgree(t *testing.T) {
	brokenFraming := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: {}\n\n"))
		_ = http.NewResponseController(w).Flush()
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
	}))
	defer brokenFraming.Close()
	midEvent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: {}\n\ndata: {\"half\":"))
	}))
	defer midEvent.Close()
	fixedLength := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := "data: {}\n\ndata: {}\n\n"
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Length", "20")
		_, _ = w.Write([]byte(body))
	}))
	defer fixedLength.Close()
	idle := chainrun.Hop{Name: "load_balancer", Config: gateway.Config{Relay: &gateway.Relay{
		Clock: "idle", Idle: testslack.Bound(300 * time.Millisecond), Silent: true}}}

	cases := []struct {
		name string
		url  func(t *testing.T) string
		opts Options
	}{
		{"streamed", func(t *testing.T) string {
			return startChain(t, origin.Config{Events: 4, Interval: calmInterval(40 * time.Millisecond)}, apim(streamingPolicy, "StandardV2_1"))
		}, Options{Streams: 20, Rate: 500, Events: 4, MaxLatency: calmLatency()}},
		{"buffered", func(t *testing.T) string {
			return startChain(t, origin.Config{Events: 4, Interval: 40 * time.Millisecond}, apim(bufferingPolicy, "StandardV2_1"))
		}, Options{Streams: 20, Rate: 500, Events: 4}},
		{"silent cut", func(t *testing.T) string {
			return startChain(t, origin.Config{Events: 3, Interval: 20 * time.Millisecond, SilenceAfter: 1, Silence: testslack.Bound(5 * time.Second)}, idle)
		}, Options{Streams: 20, Rate: 500, Events: 3, IdleTimeout: testslack.Bound(time.Second)}},
		{"ended before the count", func(t *testing.T) string {
			return startChain(t, origin.Config{Events: 2, Interval: 10 * time.Millisecond})
		}, Options{Streams: 20, Rate: 500, Events: 5}},
		{"broken framing", func(*testing.T) string { return brokenFraming.URL }, Options{Streams: 20, Rate: 500}},
		{"ended inside an event", func(*testing.T) string { return midEvent.URL }, Options{Streams: 20, Rate: 500}},
		{"fixed length", func(*testing.T) string { return fixedLength.URL }, Options{Streams: 20, Rate: 500}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url(t)
			var handed atomic.Int64
			polled := tc.opts
			polled.URL, polled.onPolled = url, func() { handed.Add(1) }
			own := tc.opts
			own.URL, own.ownGoroutines, own.onPolled = url, true, func() { t.Error("a stream was handed to a poller") }
			a, b := run(t, polled), run(t, own)
			if runtime.GOOS == "linux" && handed.Load() != int64(tc.opts.Streams) {
				t.Errorf("%d of %d streams read by the pollers", handed.Load(), tc.opts.Streams)
			}
			if a.Outcome != b.Outcome || a.Streams != b.Streams || a.Events != b.Events || a.ContentEvents != b.ContentEvents || !sameKinds(a.Errors, b.Errors) {
				t.Errorf("pollers: %s, %+v, %d events, %v\ngoroutines: %s, %+v, %d events, %v",
					a.Outcome, a.Streams, a.Events, a.Errors, b.Outcome, b.Streams, b.Events, b.Errors)
			}
		})
	}
}

func sameKinds(a, b map[Kind]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
