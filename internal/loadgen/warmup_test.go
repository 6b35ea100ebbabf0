package loadgen

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// The warmup: streams scheduled to open within it (stream i at i/rate)
// are opened and read like the others, and count nowhere: not their
// events, latencies, first content, cuts or opening; the streams
// scheduled at or after its end count whole. Here the first ten of
// twenty, opened in the first second, are cut by the server: the run
// that warms up for that second sees none of it.
func TestWarmupExcludesItsStreams(t *testing.T) {
	o, err := origin.New(origin.Config{Events: 5, Interval: calmInterval(50 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= 10 {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write([]byte("data: {}\n\n"))
			_ = http.NewResponseController(w).Flush()
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
			return
		}
		o.ServeHTTP(w, r)
	}))
	defer srv.Close()
	var latencies atomic.Int64
	// 60 s, not run's widened default: past 120 s the timeline's buckets
	// widen past a second and the first would hold streams after the
	// warmup too.
	res := run(t, Options{URL: srv.URL, Streams: 20, Rate: 10, Warmup: time.Second, Duration: time.Minute, MaxLatency: calmLatency(), onLatency: func(time.Duration) { latencies.Add(1) }})
	if res.Outcome != OutcomeStreamed || len(res.Errors) != 0 || res.Streams.Warmup != 10 || res.Streams.Planned != 10 || res.Streams.Opened != 10 || res.Streams.Ended != 10 {
		t.Fatalf("outcome %s, streams %+v, errors %v", res.Outcome, res.Streams, res.Errors)
	}
	if requests.Load() != 20 || res.Events != 50 || latencies.Load() != 50 || res.Histograms.FirstEvent.Count() != 10 || res.Protocols[probe.PlainSSE].Streams != 10 {
		t.Fatalf("%d requests, %d events, %d latencies, %d first events, %s", requests.Load(), res.Events, latencies.Load(), res.Histograms.FirstEvent.Count(), protocolSummary(res))
	}
	if res.Timeline.BucketS != 1 || res.Timeline.Opened[0] != 0 || res.Timeline.Events[0] != 0 || res.WarmupS != 1 {
		t.Fatalf("the first second, the warmup, opened %d streams and got %d events in the timeline", res.Timeline.Opened[0], res.Timeline.Events[0])
	}
	// Events per second are over the time measured, after the warmup.
	if want := 50 / (res.ElapsedS - 1); res.EventsPerS != want {
		t.Fatalf("events per second %g, want %g", res.EventsPerS, want)
	}
	// Without the warmup, the cuts count.
	requests.Store(0)
	res = run(t, Options{URL: srv.URL, Streams: 20, Rate: 10})
	if res.Outcome != OutcomeCut || res.Errors[KindCutBroken] != 10 || res.Streams.Warmup != 0 {
		t.Fatalf("without a warmup: outcome %s, errors %v", res.Outcome, res.Errors)
	}
}

func TestWarmupNeedsStreamsAfterIt(t *testing.T) {
	for _, o := range []Options{
		{URL: "http://127.0.0.1:1/", Streams: 10, Warmup: time.Second, Duration: 5 * time.Second},
		{URL: "http://127.0.0.1:1/", Streams: 10, Rate: 100, Warmup: time.Second, Duration: 5 * time.Second},
		{URL: "http://127.0.0.1:1/", Streams: 10, Rate: 1, Warmup: 5 * time.Second, Duration: 5 * time.Second},
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// Shards of a run in a dialect, compressed, with a warmup, merge to
// exactly the figures of one run: the first content and content rates
// per protocol are those of one histogram over every stream's value, and
// the counts add up.
func TestShardsMergeStreamFiguresExactly(t *testing.T) {
	cfg := origin.Config{Responses: true, Events: 4, Interval: 20 * time.Millisecond, Compress: origin.CompressGzip}
	url := startChain(t, cfg)
	const n = 3
	var mu sync.Mutex
	var ends []streamEnd
	results := make([]*Result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := post(`{"input": "hi", "stream": true}`)
			req.Compressed = true
			opts := Options{URL: url, Request: req, Streams: 60, Rate: 60, Warmup: 300 * time.Millisecond, Duration: 20 * time.Second, Shard: Shard{i, n},
				onEnd: func(e streamEnd) { mu.Lock(); ends = append(ends, e); mu.Unlock() }}
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Error(err)
				return
			}
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
	merged, err := Merge(results)
	if err != nil {
		t.Fatal(err)
	}
	// Streams 0 to 17 open within the 300 ms warmup (at i/60 s).
	if merged.Streams.Warmup != 18 || merged.Streams.Planned != 42 || merged.Streams.Opened != 42 || merged.Streams.Completed != 42 || len(ends) != 42 {
		t.Fatalf("merged streams %+v, %d ends seen", merged.Streams, len(ends))
	}
	first, rate := NewHist(), NewHist()
	var content int64
	for _, e := range ends {
		first.Record(e.firstContent)
		rate.RecordRate(e.rate)
		content += e.content
	}
	f := merged.Protocols[probe.Responses]
	if f == nil || len(merged.Protocols) != 1 || f.Streams != 42 || f.Completed != 42 || f.ContentEvents != 168 || content != 168 || merged.ContentEvents != 168 {
		t.Fatalf("%s; content %d", protocolSummary(merged), content)
	}
	if *f.FirstContentMS != *first.Quantiles() || *merged.FirstContentMS != *first.Quantiles() || *f.ContentPerS != *rate.Rates() {
		t.Fatalf("merged first content %+v, rates %+v; one histogram's %+v, %+v", *f.FirstContentMS, *f.ContentPerS, *first.Quantiles(), *rate.Rates())
	}
	for _, q := range []float64{0.01, 0.5, 0.9, 1} {
		if a, b := f.Histograms.FirstContent.Quantile(q), first.Quantile(q); a != b {
			t.Fatalf("first content quantile %g: merged %g, one histogram %g", q, a, b)
		}
	}
	var timeline int64
	for _, h := range merged.Timeline.FirstContent {
		timeline += h.Count()
	}
	if timeline != 42 || merged.ContentEncodings["gzip"] != 42 || merged.WarmupS != 0.3 {
		t.Fatalf("first content in the timeline %d, content encodings %v, warmup %g", timeline, merged.ContentEncodings, merged.WarmupS)
	}
	results[0].WarmupS = 1
	if _, err := Merge(results); err == nil {
		t.Fatal("shards with different warmups merged")
	}
}
