package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func originURL(t *testing.T, cfg origin.Config) string {
	h, err := origin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, h)
}

func TestCleanStream(t *testing.T) {
	url := originURL(t, origin.Config{Events: 5, Interval: 20 * time.Millisecond, Heartbeat: 5 * time.Millisecond})
	rep := Run(context.Background(), url, Options{Events: 5})
	if rep.Outcome != Streamed || !rep.OK || rep.Fault != nil || rep.Error != "" || len(rep.Events) != 5 || rep.Cut || rep.BufferingSuspected {
		t.Fatalf("report %+v", rep)
	}
	if rep.Status != 200 || rep.ContentType != "text/event-stream" || rep.FirstEventMS == nil || rep.Heartbeats == 0 {
		t.Fatalf("status %d type %q first %v heartbeats %d", rep.Status, rep.ContentType, rep.FirstEventMS, rep.Heartbeats)
	}
	for i, e := range rep.Events {
		if e.LatencyMS == nil || *e.LatencyMS < 0 {
			t.Errorf("event %d latency %v", i, e.LatencyMS)
		}
		// Sent 20 ms apart: each event's read came after the one before.
		if i > 0 && e.Read <= rep.Events[i-1].Read {
			t.Errorf("events %d and %d arrived in reads %d and %d", i-1, i, rep.Events[i-1].Read, e.Read)
		}
	}
	if rep.GapMS == nil || rep.GapMS.P50 > rep.GapMS.P95 || rep.GapMS.P95 > rep.GapMS.Max || rep.GapMS.P50 <= 0 {
		t.Errorf("gaps %+v", rep.GapMS)
	}
	if c := rep.Coalescing; c.Events != 5 || c.Reads != 5 || c.MaxEventsPerRead != 1 || c.SharedEvents != 0 || c.BytesPerRead == nil {
		t.Errorf("coalescing %+v", c)
	}
	if *rep.FirstContentMS != *rep.FirstEventMS || rep.HeadersMS > *rep.FirstEventMS || *rep.FirstEventMS > rep.DurationMS {
		t.Errorf("headers %.1f, first event %.1f, first content %.1f, end %.1f ms: out of order", rep.HeadersMS, *rep.FirstEventMS, *rep.FirstContentMS, rep.DurationMS)
	}
}

// held sends events whose sent_unix_nano is older than their arrival by
// delay, as a proxy that holds them would deliver them.
func held(delay time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "data: {\"seq\":%d,\"sent_unix_nano\":%d}\n\n", i, time.Now().Add(-delay).UnixNano())
			_ = http.NewResponseController(w).Flush()
		}
	})
}

// burst sends events stamped 50 ms apart in one write, as a buffering
// proxy releases them.
func burst() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		now := time.Now()
		var b strings.Builder
		for i := 1; i <= 6; i++ {
			fmt.Fprintf(&b, "data: {\"seq\":%d,\"sent_unix_nano\":%d}\n\n", i, now.Add(time.Duration(i-6)*50*time.Millisecond).Add(-time.Millisecond).UnixNano())
		}
		// Arrival must follow sending: the last stamp is 1 ms ago.
		_, _ = w.Write([]byte(b.String()))
	})
}

// cutAfter sends n events and then drops the connection mid-response.
func cutAfter(n int, silence time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			_ = http.NewResponseController(w).Flush()
		}
		time.Sleep(silence)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
}

// silentAfterHeaders sends the headers and then nothing until the client
// leaves; with headers false, not even the headers.
func silentAfterHeaders(headers bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headers {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			_ = http.NewResponseController(w).Flush()
		}
		<-r.Context().Done()
	})
}

// write sends raw bytes of a stream in one write, then ends it.
func write(raw string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, raw)
	})
}

// Each outcome from a real server on a loopback socket, with the record
// and the old fields that restate it.
func TestOutcomesOnOneConnection(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name    string
		h       http.Handler
		url     string // instead of h
		opts    Options
		outcome Outcome
		kind    FaultKind
		events  int
	}{
		{name: "held: every event released after the last was sent", h: held(2 * time.Second), opts: Options{Events: 3},
			outcome: Held, kind: ReleasedAtEnd, events: 3},
		{name: "buffered: sent 50 ms apart, received in one read", h: burst(), opts: Options{Events: 6},
			outcome: Buffered, kind: Coalesced, events: 6},
		{name: "buffered: late, one by one", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			// Each 300 ms late, 200 ms apart: the last is sent after the
			// first arrived, so nothing was held to the end.
			for i := 1; i <= 3; i++ {
				fmt.Fprintf(w, "data: {\"sent_unix_nano\":%d}\n\n", time.Now().Add(-300*time.Millisecond).UnixNano())
				_ = http.NewResponseController(w).Flush()
				time.Sleep(200 * time.Millisecond)
			}
		}), opts: Options{Events: 3, MaxLatency: 200 * time.Millisecond}, outcome: Buffered, kind: Late, events: 3},
		{name: "held: nothing after the headers", h: silentAfterHeaders(true), opts: Options{Duration: 300 * time.Millisecond},
			outcome: Held, kind: NothingArrived},
		{name: "held: no response headers", h: silentAfterHeaders(false), opts: Options{Duration: 300 * time.Millisecond},
			outcome: Held, kind: NoHeaders},
		{name: "cut: broke off", h: cutAfter(2, 100*time.Millisecond), opts: Options{Events: 5},
			outcome: Cut, kind: BrokeOff, events: 2},
		{name: "cut: ended short of --events", h: originHandler(t, origin.Config{Events: 2}), opts: Options{Events: 5},
			outcome: Cut, kind: EndedEarly, events: 2},
		{name: "cut: ended before any event", h: write(": nothing to say\n\n"),
			outcome: Cut, kind: EndedEarly},
		{name: "cut: ended inside an event", h: write("data: 1\n\ndata: 2\n"),
			outcome: Cut, kind: EndedMidEvent, events: 1},
		{name: "refused", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "tier refuses", http.StatusServiceUnavailable)
		}), outcome: Refused},
		{name: "refused: 401 without a key", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error": {"code": "401"}}`, http.StatusUnauthorized)
		}), outcome: Refused},
		{name: "not SSE", h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, "{}")
		}), outcome: NotSSE},
		{name: "error: connection refused", url: closedURL, outcome: Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := tt.url
			if url == "" {
				url = serve(t, tt.h)
			}
			rep := Run(context.Background(), url, tt.opts)
			if rep.Outcome != tt.outcome || rep.OK || rep.Error == "" || len(rep.Events) != tt.events {
				t.Fatalf("outcome %q ok %v with %d events (%s), want %q with %d", rep.Outcome, rep.OK, len(rep.Events), rep.Error, tt.outcome, tt.events)
			}
			switch {
			case tt.kind == "" && rep.Fault != nil:
				t.Fatalf("fault %+v, want none", rep.Fault)
			case tt.kind != "" && (rep.Fault == nil || rep.Fault.Kind != tt.kind || rep.Fault.Hop != ""):
				t.Fatalf("fault %+v, want kind %q", rep.Fault, tt.kind)
			case tt.kind != "" && (rep.Fault.AfterMS > rep.DurationMS || rep.Fault.SilenceMS < 0 || rep.Fault.SilenceMS > rep.Fault.AfterMS):
				t.Fatalf("fault %+v in a probe of %.1f ms: out of order", rep.Fault, rep.DurationMS)
			}
			if rep.Cut != (tt.outcome == Cut) || rep.BufferingSuspected != (tt.outcome == Held || tt.outcome == Buffered) {
				t.Fatalf("cut %v buffering %v", rep.Cut, rep.BufferingSuspected)
			}
			if tt.kind == BrokeOff && *rep.SilenceBeforeCutMS < 90 {
				t.Fatalf("silence before the cut %.1f ms, want the 100 ms the server waited", *rep.SilenceBeforeCutMS)
			}
			if tt.kind == NothingArrived && rep.Fault.SilenceMS < 250 {
				t.Fatalf("silence %.1f ms, want the probe's 300 ms less the wait for headers", rep.Fault.SilenceMS)
			}
		})
	}
}

// Without the sender's timestamps (a real Azure OpenAI endpoint sends
// none) the reads tell: one event per read relayed as written; several per
// read behind a hop that buffers; all in one read after a wait behind one
// that holds.
func TestCoalescingWithoutTimestamps(t *testing.T) {
	groups := func(sizes []int, gap time.Duration) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			_ = http.NewResponseController(w).Flush()
			n := 0
			for _, size := range sizes {
				time.Sleep(gap)
				var b strings.Builder
				for range size {
					n++
					fmt.Fprintf(&b, "data: {\"token\": %d}\n\n", n)
				}
				_, _ = io.WriteString(w, b.String())
				_ = http.NewResponseController(w).Flush()
			}
		})
	}
	tests := []struct {
		name     string
		h        http.Handler
		outcome  Outcome
		maxRead  int // the most events per read: exactly, or at most when streamed
		minReads int
	}{
		{"one per write, 30 ms apart", groups([]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 30*time.Millisecond), Streamed, 2, 9},
		{"five per write", groups([]int{5, 5}, 50*time.Millisecond), Buffered, 5, 2},
		{"all at once, late", groups([]int{6}, 300*time.Millisecond), Held, 6, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := Run(context.Background(), serve(t, tt.h), Options{MaxLatency: 150 * time.Millisecond})
			c := rep.Coalescing
			if rep.Outcome != tt.outcome || c.Reads < tt.minReads {
				t.Fatalf("outcome %q (%s), coalescing %+v, want %q", rep.Outcome, rep.Error, c, tt.outcome)
			}
			if (tt.outcome == Streamed && c.MaxEventsPerRead > tt.maxRead) || (tt.outcome != Streamed && c.MaxEventsPerRead != tt.maxRead) {
				t.Fatalf("at most %d events per read, want %d", c.MaxEventsPerRead, tt.maxRead)
			}
			for _, e := range rep.Events {
				if e.LatencyMS != nil {
					t.Fatal("latency without a timestamp")
				}
			}
		})
	}
}

// A chat completions stream from the test origin: a POST with
// "stream": true gets chunks, the usage and [DONE], and the probe stops
// at [DONE]; the same chunks without [DONE] were cut; a request without
// "stream": true gets JSON, not a stream.
func TestChatCompletions(t *testing.T) {
	chat := originURL(t, origin.Config{ChatCompletions: true, Events: 4, Interval: 20 * time.Millisecond})
	streaming := Request{Method: http.MethodPost, Body: []byte(`{"messages": [{"role": "user", "content": "four words please"}], "stream": true, "stream_options": {"include_usage": true}}`)}
	noDone := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "data: {\"object\": \"chat.completion.chunk\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"t%d\"}}]}\n\n", i)
			_ = http.NewResponseController(w).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	})
	for _, tt := range []struct {
		name    string
		url     string
		req     Request
		outcome Outcome
		events  int
		usage   *Usage
	}{
		{"streamed to [DONE] with the usage", chat, streaming, Streamed, 4 + 4, &Usage{PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7}},
		{"streamed to [DONE] without it", chat, Request{Method: http.MethodPost, Body: []byte(`{"messages": [{"role": "user", "content": "hi"}], "stream": true}`)}, Streamed, 4 + 3, nil},
		{"no [DONE]: cut", serve(t, noDone), streaming, Cut, 3, nil},
		{"no stream asked: JSON", chat, Request{Method: http.MethodPost, Body: []byte(`{"messages": [{"role": "user", "content": "hi"}]}`)}, NotSSE, 0, nil},
		{"GET: refused", chat, Request{}, Refused, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// --events far above the stream's: [DONE] ends it, not a count.
			rep := Run(context.Background(), tt.url, Options{Events: 100, Request: tt.req})
			if rep.Outcome != tt.outcome || len(rep.Events) != tt.events {
				t.Fatalf("outcome %q with %d events (%s), want %q with %d", rep.Outcome, len(rep.Events), rep.Error, tt.outcome, tt.events)
			}
			if (rep.Usage == nil) != (tt.usage == nil) || (tt.usage != nil && *rep.Usage != *tt.usage) {
				t.Fatalf("usage %+v, want %+v", rep.Usage, tt.usage)
			}
			if rep.Done != (tt.outcome == Streamed) {
				t.Fatalf("done %v", rep.Done)
			}
			switch tt.outcome {
			case Streamed:
				// Gaps and coalescing count the content chunks only: the
				// role, finish and usage chunks and [DONE] come back to back.
				if rep.Coalescing.Events != 4 || rep.GapMS == nil || *rep.FirstContentMS < *rep.FirstEventMS {
					t.Fatalf("coalescing %+v gaps %+v", rep.Coalescing, rep.GapMS)
				}
				var text string
				for _, e := range rep.Events {
					text += e.Content
				}
				if text != "Server-sent events arrive one" {
					t.Fatalf("content %q", text)
				}
			case Cut:
				if rep.Fault.Kind != NoFinalEvent {
					t.Fatalf("fault %+v", rep.Fault)
				}
			}
		})
	}
}

func originHandler(t *testing.T, cfg origin.Config) http.Handler {
	h, err := origin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestDurationEndsCleanly(t *testing.T) {
	url := originURL(t, origin.Config{Interval: 10 * time.Millisecond})
	rep := Run(context.Background(), url, Options{Duration: 150 * time.Millisecond})
	if !rep.OK || rep.Cut || len(rep.Events) < 5 {
		t.Fatalf("ok %v cut %v events %d error %q", rep.OK, rep.Cut, len(rep.Events), rep.Error)
	}
}

func TestQuantiles(t *testing.T) {
	var xs []float64
	for i := 20; i >= 1; i-- {
		xs = append(xs, float64(i))
	}
	if q := quantiles(xs); *q != (Quantiles{P50: 10, P95: 19, Max: 20}) {
		t.Fatalf("%+v", q)
	}
	if q := quantiles([]float64{7}); *q != (Quantiles{P50: 7, P95: 7, Max: 7}) {
		t.Fatalf("%+v", q)
	}
	if quantiles(nil) != nil {
		t.Fatal("quantiles of nothing")
	}
}
