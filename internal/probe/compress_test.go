package probe

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// Compressed streams, judged on the decoded stream read by read: a
// compressor flushed per event streams, one that sends the whole answer
// in one piece holds it to the end. Asked for with Compressed or with an
// Accept-Encoding header; without either, the request asks for identity.
func TestCompressed(t *testing.T) {
	for _, tt := range []struct {
		coding, mode string
		req          Request
		encoding     string
		outcome      Outcome
	}{
		{origin.CompressGzip, origin.CompressFlush, Request{Compressed: true}, "gzip", Streamed},
		{origin.CompressBrotli, origin.CompressFlush, Request{Compressed: true}, "br", Streamed},
		{origin.CompressDeflate, origin.CompressFlush, Request{Compressed: true}, "deflate", Streamed},
		{origin.CompressGzip, origin.CompressFlush, Request{Header: http.Header{"Accept-Encoding": {"gzip"}}}, "gzip", Streamed},
		{origin.CompressBrotli, origin.CompressFlush, Request{Header: http.Header{"Accept-Encoding": {"br"}}}, "br", Streamed},
		{origin.CompressGzip, origin.CompressFlush, Request{}, "", Streamed},
		{origin.CompressGzip, origin.CompressWhole, Request{Compressed: true}, "gzip", Held},
		{origin.CompressBrotli, origin.CompressWhole, Request{Compressed: true}, "br", Held},
		{origin.CompressDeflate, origin.CompressWhole, Request{Header: http.Header{"Accept-Encoding": {"deflate"}}}, "deflate", Held},
	} {
		t.Run(fmt.Sprintf("%s %s %v %v", tt.coding, tt.mode, tt.req.Compressed, tt.req.Header), func(t *testing.T) {
			t.Parallel()
			// The events go out further apart as the bound widens, so a late read
			// joins no more of them, and one piece still outlasts the bound.
			url := originURL(t, origin.Config{Events: 5, Interval: testslack.Bound(40 * time.Millisecond), Compress: tt.coding, CompressMode: tt.mode})
			rep := Run(context.Background(), url, Options{Events: 5, Request: tt.req, MaxLatency: testslack.Bound(100 * time.Millisecond)})
			// In one piece: held to the end, or (with the race detector's
			// wider bound) coalesced; either way not streamed.
			if got := rep.Outcome; (got != tt.outcome && (tt.outcome != Held || got != Buffered)) || rep.ContentEncoding != tt.encoding || len(rep.Events) != 5 {
				t.Fatalf("outcome %q encoding %q with %d events: %s", rep.Outcome, rep.ContentEncoding, len(rep.Events), rep.Error)
			}
			for i, e := range rep.Events {
				if !strings.HasPrefix(e.Data, fmt.Sprintf(`{"seq":%d,`, i+1)) || e.LatencyMS == nil {
					t.Fatalf("event %d: %+v", i, e)
				}
			}
			switch tt.outcome {
			case Streamed: // read apart (one late read may join two)
				if c := rep.Coalescing; c.Reads < 4 || c.MaxEventsPerRead > 2 {
					t.Fatalf("coalescing %+v", c)
				}
			case Held: // all in the last reads, after the last was sent
				if (rep.Fault.Kind != ReleasedAtEnd && rep.Fault.Kind != Coalesced) || rep.Coalescing.MaxEventsPerRead < 3 {
					t.Fatalf("fault %+v coalescing %+v", rep.Fault, rep.Coalescing)
				}
			}
		})
	}
}

// A server that compresses what was not asked for, or with a coding the
// probe does not know: decoded, not read as a cut stream; named.
func TestCompressedAnyway(t *testing.T) {
	gz := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Encoding", "gzip")
		z := gzip.NewWriter(w)
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(z, "data: %d\n\n", i)
			_ = z.Flush()
			_ = http.NewResponseController(w).Flush()
			time.Sleep(20 * time.Millisecond)
		}
		_ = z.Close()
	})
	rep := Run(context.Background(), serve(t, gz), Options{})
	if rep.Outcome != Streamed || rep.ContentEncoding != "gzip" || len(rep.Events) != 3 || rep.Events[2].Data != "3" {
		t.Fatalf("%q %q %d events: %s", rep.Outcome, rep.ContentEncoding, len(rep.Events), rep.Error)
	}
	zstd := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Encoding", "zstd")
		fmt.Fprint(w, "\x28\xb5\x2f\xfd")
	})
	rep = Run(context.Background(), serve(t, zstd), Options{})
	if rep.Outcome != Error || rep.ContentEncoding != "zstd" || !strings.Contains(rep.Error, `Content-Encoding "zstd" is not one the probe decodes`) {
		t.Fatalf("%q %q: %s", rep.Outcome, rep.ContentEncoding, rep.Error)
	}
}

// The silence before the first token: with pings, counted and short
// gaps; without, one long silence; the first content after it either way.
func TestFirstSilence(t *testing.T) {
	const delay = 400 * time.Millisecond
	for _, tt := range []struct {
		name string
		cfg  origin.Config
		body string
	}{
		{"plain", origin.Config{}, ""},
		{"chat completions", origin.Config{ChatCompletions: true}, chatBody},
		{"Responses", origin.Config{Responses: true}, responsesBody},
		{"Anthropic Messages", origin.Config{Messages: true}, messagesBody},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var longest [2]float64
			for i, ping := range []time.Duration{0, 40 * time.Millisecond} {
				cfg := tt.cfg
				cfg.Events, cfg.Interval, cfg.FirstEventDelay, cfg.Heartbeat = 2, 20*time.Millisecond, delay, ping
				req := Request{}
				if tt.body != "" {
					req = postReq(tt.body)
				}
				rep := Run(context.Background(), originURL(t, cfg), Options{Request: req, Duration: 10 * time.Second})
				// On the client's clock the wait can only look shorter by
				// how late the probe read the headers.
				if rep.Outcome != Streamed || rep.LongestSilenceBeforeContentMS == nil || *rep.FirstContentMS-rep.HeadersMS < float64(delay.Milliseconds())/2 {
					t.Fatalf("ping %v: %q, first content %v after headers %.1f ms: %s", ping, rep.Outcome, rep.FirstContentMS, rep.HeadersMS, rep.Error)
				}
				pings := rep.KeepalivesBeforeContent
				if tt.cfg.Messages {
					pings-- // Anthropic's own ping event, after message_start
				}
				if (ping == 0) != (pings == 0) || (ping > 0 && pings < 3) {
					t.Fatalf("ping %v: %d keep-alives before the content", ping, rep.KeepalivesBeforeContent)
				}
				longest[i] = *rep.LongestSilenceBeforeContentMS
			}
			// Pings cut the silence into pieces; none leaves it whole.
			if longest[1] >= longest[0]/2 || longest[0] < float64(delay.Milliseconds())/2 {
				t.Fatalf("longest silence %.1f ms without pings, %.1f ms with", longest[0], longest[1])
			}
		})
	}
}

// Decoder, for a client that parses the stream itself.
func TestDecoder(t *testing.T) {
	var b strings.Builder
	z := gzip.NewWriter(&b)
	_, _ = z.Write([]byte("data: 1\n\n"))
	_ = z.Close()
	for _, tt := range []struct{ body, coding, want string }{
		{b.String(), "GZIP", "data: 1\n\n"},
		{"data: 2\n\n", "identity", "data: 2\n\n"},
		{"data: 3\n\n", "", "data: 3\n\n"},
	} {
		r, err := Decoder(strings.NewReader(tt.body), tt.coding)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %q %v", tt.coding, got, err)
		}
	}
	if _, err := Decoder(strings.NewReader(""), "compress"); err == nil {
		t.Error("the compress coding decoded")
	}
}
