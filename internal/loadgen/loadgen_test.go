package loadgen

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

const (
	streamingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound></policies>`
	bufferingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" /></backend><outbound><base /></outbound></policies>`
)

func apim(policy, sku string) chainrun.Hop {
	return chainrun.Hop{Name: "apim", Config: gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(policy)}}, SKU: sku}}}
}

func startChain(t *testing.T, o origin.Config, hops ...chainrun.Hop) string {
	t.Helper()
	c, err := chainrun.Start(o, hops, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.URL + "/"
}

func run(t *testing.T, opts Options) *Result {
	t.Helper()
	if opts.Duration == 0 {
		opts.Duration = testslack.Bound(20 * time.Second)
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// calmLatency is the latency past which the streaming tests count an
// event as held: the default 500 ms, wider on a busy machine, where a
// starved reader can leave a relayed event unread that long. The events
// are sent further apart in step (calmInterval), so a late read still
// does not join two of them into one read, which would count as a burst.
func calmLatency() time.Duration { return testslack.Bound(500 * time.Millisecond) }

func calmInterval(d time.Duration) time.Duration { return testslack.Bound(d) }

func TestGoodChainStreams(t *testing.T) {
	interval := calmInterval(100 * time.Millisecond)
	url := startChain(t, origin.Config{Events: 5, Interval: interval}, apim(streamingPolicy, "StandardV2_1"))
	res := run(t, Options{URL: url, Streams: 100, Rate: 500, Events: 5, MaxLatency: calmLatency()})
	if res.Outcome != OutcomeStreamed || res.Streams.Opened != 100 || res.Events != 500 || len(res.Errors) != 0 {
		t.Fatalf("outcome %s, streams %+v, %d events, errors %v", res.Outcome, res.Streams, res.Events, res.Errors)
	}
	if res.LatencyMS == nil || res.FirstEventMS == nil || res.GapMS == nil {
		t.Fatalf("latency %v, first event %v, gap %v: every one measured", res.LatencyMS, res.FirstEventMS, res.GapMS)
	}
	// Relations, not times: quantiles in order, the gaps about the
	// origin's interval, and the latency well under it.
	q := res.LatencyMS
	if q.P50 > q.P90 || q.P90 > q.P99 || q.P99 > q.Max {
		t.Fatalf("latency quantiles out of order: %+v", q)
	}
	if half := float64(interval.Milliseconds()) / 2; res.GapMS.P50 < half || res.LatencyMS.P50 >= res.GapMS.P50 {
		t.Fatalf("gap p50 %.1f ms (events %v apart), latency p50 %.1f ms", res.GapMS.P50, interval, res.LatencyMS.P50)
	}
	if got := res.Histograms.Latency.Count(); got != 500 {
		t.Fatalf("%d latencies recorded, want 500", got)
	}
	var opened, events int64
	for i := range res.Timeline.Opened {
		opened += res.Timeline.Opened[i]
		events += res.Timeline.Events[i]
	}
	if opened != 100 || events != 500 || res.Timeline.Active()[len(res.Timeline.Opened)-1] != 0 {
		t.Fatalf("timeline: %d opened, %d events, active at the end %v", opened, events, res.Timeline.Active())
	}
}

func TestBufferingHopShowsBufferedStreams(t *testing.T) {
	// forward-request without buffer-response relays in 8 KB units: a
	// short stream arrives whole when it ends.
	url := startChain(t, origin.Config{Events: 4, Interval: 40 * time.Millisecond}, apim(bufferingPolicy, "StandardV2_1"))
	res := run(t, Options{URL: url, Streams: 50, Rate: 500, Events: 4})
	if res.Outcome != OutcomeBuffered || res.Streams.Buffered != 50 || res.Streams.Opened != 50 {
		t.Fatalf("outcome %s, streams %+v, errors %v", res.Outcome, res.Streams, res.Errors)
	}
}

func TestIdleCutsByKind(t *testing.T) {
	for _, tc := range []struct {
		name   string
		silent bool
		want   Kind
	}{{"silent drop", true, KindCutSilent}, {"reset", false, KindCutBroken}} {
		t.Run(tc.name, func(t *testing.T) {
			// The hop's idle clock runs from the connection's start: on a
			// busy machine the response headers can take longer than
			// 300 ms, and a silent drop before them leaves the stream
			// waiting for headers, never opened. Every clock here widens
			// in step (testslack), the silence staying past both cuts.
			lb := chainrun.Hop{Name: "load_balancer", Config: gateway.Config{Relay: &gateway.Relay{
				Clock: "idle", Idle: testslack.Bound(300 * time.Millisecond), Silent: tc.silent}}}
			url := startChain(t, origin.Config{Events: 3, Interval: 20 * time.Millisecond, SilenceAfter: 1, Silence: testslack.Bound(5 * time.Second)}, lb)
			res := run(t, Options{URL: url, Streams: 50, Rate: 500, Events: 3, IdleTimeout: testslack.Bound(time.Second)})
			if res.Outcome != OutcomeCut || res.Streams.Cut != 50 || res.Errors[tc.want] != 50 || len(res.Errors) != 1 {
				t.Fatalf("outcome %s, streams %+v, errors %v, want 50 %s", res.Outcome, res.Streams, res.Errors, tc.want)
			}
			if res.Events != 50 {
				t.Fatalf("%d events, want the first of each stream", res.Events)
			}
		})
	}
}

// A connection that breaks inside the response's framing is a broken
// cut, not an end.
func TestBrokenFraming(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("data: {}\n\n"))
		_ = http.NewResponseController(w).Flush()
		c, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			c.Close()
		}
	}))
	defer srv.Close()
	res := run(t, Options{URL: srv.URL, Streams: 20, Rate: 500})
	if res.Outcome != OutcomeCut || res.Errors[KindCutBroken] != 20 || res.Events != 20 {
		t.Fatalf("outcome %s, errors %v, %d events", res.Outcome, res.Errors, res.Events)
	}
}

// A stream the server ends before the event count is cut.
func TestEndBeforeTheCount(t *testing.T) {
	url := startChain(t, origin.Config{Events: 2, Interval: 10 * time.Millisecond})
	res := run(t, Options{URL: url, Streams: 20, Rate: 500, Events: 5})
	if res.Outcome != OutcomeCut || res.Errors[KindCutEOF] != 20 || res.Events != 40 {
		t.Fatalf("outcome %s, errors %v, %d events", res.Outcome, res.Errors, res.Events)
	}
	// Without a count, the end of a stream is no cut.
	res = run(t, Options{URL: url, Streams: 20, Rate: 500})
	if res.Outcome != OutcomeStreamed || res.Streams.Ended != 20 {
		t.Fatalf("outcome %s, streams %+v", res.Outcome, res.Streams)
	}
}

func TestRefusingTierShowsRefusals(t *testing.T) {
	url := startChain(t, origin.Config{Events: 3, Interval: 20 * time.Millisecond}, apim(streamingPolicy, "Consumption_0"))
	res := run(t, Options{URL: url, Streams: 50, Rate: 500, Events: 3})
	if res.Outcome != OutcomeRefused || res.Streams.Failed != 50 || res.Errors[StatusKind(http.StatusServiceUnavailable)] != 50 || res.Streams.Opened != 0 {
		t.Fatalf("outcome %s, streams %+v, errors %v", res.Outcome, res.Streams, res.Errors)
	}
	if res.LatencyMS != nil || res.FirstEventMS != nil || res.GapMS != nil {
		t.Fatal("nothing was measured, so every quantile is null")
	}
}

func TestNotSSEAndConnectErrors(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"choices": []}`))
	}))
	defer plain.Close()
	res := run(t, Options{URL: plain.URL, Streams: 20, Rate: 500})
	if res.Outcome != OutcomeNotSSE || res.Errors[KindNotSSE] != 20 {
		t.Fatalf("outcome %s, errors %v", res.Outcome, res.Errors)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res = run(t, Options{URL: "http://" + addr + "/", Streams: 20, Rate: 500})
	if res.Outcome != OutcomeError || res.Errors[KindConnect] != 20 {
		t.Fatalf("outcome %s, errors %v", res.Outcome, res.Errors)
	}
}

// Shards run side by side cover every stream once, and their merge has
// exactly the quantiles of one histogram over every value they recorded.
func TestShardsMergeExactly(t *testing.T) {
	// Under the race detector on a busy machine, events spaced by a bare
	// 30 ms came two to a read and looked held (CI): the spacing and the
	// latency bound widen with the load.
	url := startChain(t, origin.Config{Events: 10, Interval: calmInterval(30 * time.Millisecond)})
	const n = 3
	var mu sync.Mutex
	var all []time.Duration
	results := make([]*Result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := Options{URL: url, Streams: 100, Rate: 1000, Events: 10, Duration: testslack.Bound(20 * time.Second), Shard: Shard{i, n},
				MaxLatency: calmLatency(),
				onLatency:  func(d time.Duration) { mu.Lock(); all = append(all, d); mu.Unlock() }}
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Error(err)
				return
			}
			// Through JSON, as shards in other processes hand them over.
			b, err := json.Marshal(res)
			if err != nil {
				t.Error(err)
				return
			}
			var back Result
			if err := json.Unmarshal(b, &back); err != nil {
				t.Error(err)
				return
			}
			results[i] = &back
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if results[0].Streams.Planned != 34 || results[2].Streams.Planned != 33 {
		t.Fatalf("planned %d, %d, %d", results[0].Streams.Planned, results[1].Streams.Planned, results[2].Streams.Planned)
	}
	merged, err := Merge(results)
	if err != nil {
		t.Fatal(err)
	}
	one := NewHist()
	for _, d := range all {
		one.Record(d)
	}
	if merged.Streams.Opened != 100 || merged.Events != 1000 || one.Count() != 1000 {
		t.Fatalf("merged %+v, %d events; %d values recorded", merged.Streams, merged.Events, one.Count())
	}
	if want := one.Quantiles(); *merged.LatencyMS != *want {
		t.Fatalf("merged quantiles %+v, one histogram's %+v", *merged.LatencyMS, *want)
	}
	for _, q := range []float64{0.001, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1} {
		if a, b := merged.Histograms.Latency.Quantile(q), one.Quantile(q); a != b {
			t.Fatalf("quantile %g: merged %g, one histogram %g", q, a, b)
		}
	}
	if merged.Outcome != OutcomeStreamed || len(merged.Shards) != n || len(merged.Missing()) != 0 {
		t.Fatalf("outcome %s, shards %v, missing %v", merged.Outcome, merged.Shards, merged.Missing())
	}
	if _, err := Merge([]*Result{results[0], results[0]}); err == nil {
		t.Fatal("a shard merged twice")
	}
	if part, _ := Merge(results[:2]); len(part.Missing()) != 1 || part.Missing()[0] != (Shard{2, 3}) {
		t.Fatalf("missing %v, want shard 2/3", part.Missing())
	}
}

// Without the sender's send times, a buffering hop shows in the reads:
// most events arrive several to a read.
func TestBufferedWithoutSendTimes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy string
		want   Outcome
	}{{"buffering", bufferingPolicy, OutcomeBuffered}, {"streaming", streamingPolicy, OutcomeStreamed}} {
		t.Run(tc.name, func(t *testing.T) {
			// Spacing that widens with the load: under the race detector on
			// a busy machine, events a bare 40 ms apart came two to a read.
			o := origin.Config{Events: 6, Interval: calmInterval(40 * time.Millisecond)}
			c, err := chainrun.Start(o, []chainrun.Hop{apim(tc.policy, "StandardV2_1")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A front that strips sent_unix_nano from every event.
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				resp, err := http.Get(c.URL + "/")
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				w.Header().Set("Content-Type", "text/event-stream")
				buf := make([]byte, 32*1024)
				for {
					n, err := resp.Body.Read(buf)
					if n > 0 {
						_, _ = w.Write(regexp.MustCompile(`"sent_unix_nano":\d+`).ReplaceAll(buf[:n], []byte(`"x":0`)))
						_ = http.NewResponseController(w).Flush()
					}
					if err != nil {
						return
					}
				}
			}))
			defer front.Close()
			res := run(t, Options{URL: front.URL, Streams: 20, Rate: 500, Events: 6})
			if res.Outcome != tc.want || res.LatencyMS != nil || res.Events != 120 {
				t.Fatalf("outcome %s, streams %+v, latency %v, %d events", res.Outcome, res.Streams, res.LatencyMS, res.Events)
			}
		})
	}
}
