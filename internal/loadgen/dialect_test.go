package loadgen

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

func post(body string) probe.Request {
	return probe.Request{Method: http.MethodPost, Body: []byte(body)}
}

// dialects are the origin's dialects, each with the request it answers.
var dialects = []struct {
	name     string
	cfg      origin.Config
	req      probe.Request
	protocol probe.Protocol
}{
	{"chat completions", origin.Config{ChatCompletions: true}, post(`{"messages": [{"role": "user", "content": "hi"}], "stream": true}`), probe.ChatCompletions},
	{"Responses", origin.Config{Responses: true}, post(`{"input": "hi", "stream": true}`), probe.Responses},
	{"Anthropic Messages", origin.Config{Messages: true}, post(`{"max_tokens": 99, "messages": [{"role": "user", "content": "hi"}], "stream": true}`), probe.AnthropicMessages},
}

// Each dialect through a hop that streams and one that buffers: the load
// recognises it, counts its content events (4 of each stream's many
// events), completes every stream at its final event, and the buffering
// hop shows as buffered streams, complete all the same.
func TestDialectStreamsThroughAHop(t *testing.T) {
	for _, d := range dialects {
		for _, hop := range []string{"streams", "buffers"} {
			t.Run(d.name+", a hop that "+hop, func(t *testing.T) {
				policy := streamingPolicy
				if hop == "buffers" {
					policy = bufferingPolicy
				}
				cfg := d.cfg
				interval := calmInterval(40 * time.Millisecond)
				cfg.Events, cfg.Interval = 4, interval
				url := startChain(t, cfg, apim(policy, "StandardV2_1"))
				res := run(t, Options{URL: url, Request: d.req, Streams: 20, Rate: 200, MaxLatency: calmLatency()})
				f := res.Protocols[d.protocol]
				if len(res.Protocols) != 1 || f == nil || f.Streams != 20 || f.Completed != 20 || f.ContentEvents != 80 {
					t.Fatalf("protocols %v; streams %+v; errors %v", protocolSummary(res), res.Streams, res.Errors)
				}
				if res.Streams.Completed != 20 || res.ContentEvents != 80 || res.Events <= res.ContentEvents || len(res.Errors) != 0 {
					t.Fatalf("streams %+v, %d events, %d with content, errors %v", res.Streams, res.Events, res.ContentEvents, res.Errors)
				}
				want := OutcomeStreamed
				if hop == "buffers" {
					want = OutcomeBuffered
				}
				if res.Outcome != want || f.FirstContentMS == nil || f.ContentPerS == nil || res.FirstContentMS == nil {
					t.Fatalf("outcome %s (want %s), first content %v, rate %v", res.Outcome, want, f.FirstContentMS, f.ContentPerS)
				}
				// 4 content events over the 3 intervals (120 ms on an idle
				// machine) from the request to the last, whether streamed or
				// released at the end: about 33 a second, never more than 4
				// in the 3 gaps.
				if r := f.ContentPerS; r.Max > 4/(3*interval).Seconds()*1.01 || r.Min < 4/testslack.Bound(time.Second).Seconds() || r.Min > r.P10 || r.P10 > r.P50 || r.P50 > r.Max {
					t.Fatalf("content events per second %+v, want about 33", *r)
				}
			})
		}
	}
}

func protocolSummary(r *Result) string {
	s := ""
	for p, f := range r.Protocols {
		s += fmt.Sprintf("%s: %d streams, %d completed, %d content; ", p, f.Streams, f.Completed, f.ContentEvents)
	}
	return s
}

// A dialect's stream that ends without its final event is cut, of the
// kind that names the protocol; one that sends its error event is an
// error; --protocol sse reads the cut one as a plain stream, which may
// end.
func TestDialectStreamEndings(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			cfg := d.cfg
			cfg.Events, cfg.Interval, cfg.Ending = 3, 10*time.Millisecond, origin.EndNone
			res := run(t, Options{URL: startChain(t, cfg), Request: d.req, Streams: 10, Rate: 500})
			if res.Outcome != OutcomeCut || res.Errors[NoFinalKind(d.protocol)] != 10 || res.Streams.Cut != 10 || res.ContentEvents != 30 {
				t.Fatalf("ending none: outcome %s, errors %v, streams %+v, %d content", res.Outcome, res.Errors, res.Streams, res.ContentEvents)
			}
			res = run(t, Options{URL: startChain(t, cfg), Request: d.req, Streams: 10, Rate: 500, Protocol: probe.PlainSSE})
			if res.Outcome != OutcomeStreamed || res.Streams.Ended != 10 || res.Protocols[probe.PlainSSE].Streams != 10 {
				t.Fatalf("forced to sse: outcome %s, streams %+v, %s", res.Outcome, res.Streams, protocolSummary(res))
			}
			if d.protocol == probe.ChatCompletions {
				return // chat completions has no error event
			}
			cfg.Ending = origin.EndError
			res = run(t, Options{URL: startChain(t, cfg), Request: d.req, Streams: 10, Rate: 500})
			if res.Outcome != OutcomeError || res.Errors[KindErrorEvent] != 10 || res.Streams.ErrorEvent != 10 || res.Streams.Failed != 0 || res.Streams.Opened != 10 {
				t.Fatalf("ending error: outcome %s, errors %v, streams %+v", res.Outcome, res.Errors, res.Streams)
			}
		})
	}
}

// The time to the first content is not the time to the first event: the
// Responses API's opening events, comments and events before the
// protocol shows are not content. A stream's first events are read again
// once its protocol is recognised, as the probe reads them again.
func TestStreamFirstContentIsNotTheFirstEvent(t *testing.T) {
	const think = 400 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f := http.NewResponseController(w)
		write := func(s string) { _, _ = w.Write([]byte(s)); _ = f.Flush() }
		write("data: {\"status\": \"connected\"}\n\n")
		write("event: response.created\ndata: {\"type\": \"response.created\", \"sequence_number\": 0}\n\n")
		for i := 0; i < 4; i++ {
			time.Sleep(think / 4)
			write(": thinking\n\n")
		}
		for i := 1; i <= 3; i++ {
			write(fmt.Sprintf("event: response.output_text.delta\ndata: {\"type\": \"response.output_text.delta\", \"sequence_number\": %d, \"delta\": \"w\"}\n\n", i))
			time.Sleep(20 * time.Millisecond)
		}
		write("event: response.completed\ndata: {\"type\": \"response.completed\", \"sequence_number\": 9, \"response\": {\"status\": \"completed\"}}\n\n")
	}))
	defer srv.Close()
	res := run(t, Options{URL: srv.URL, Streams: 10, Rate: 100})
	f := res.Protocols[probe.Responses]
	if f == nil || f.Streams != 10 || f.Completed != 10 || f.ContentEvents != 30 || res.Events != 60 {
		t.Fatalf("%s; %d events", protocolSummary(res), res.Events)
	}
	if res.FirstEventMS.P99 >= f.FirstContentMS.P50 || f.FirstContentMS.P50 < float64(think.Milliseconds()) {
		t.Fatalf("first event %+v, first content %+v: the content comes after %s of thinking", *res.FirstEventMS, *f.FirstContentMS, think)
	}
	if *res.FirstContentMS != *f.FirstContentMS {
		t.Fatalf("first content over all protocols %+v, of the one protocol %+v", *res.FirstContentMS, *f.FirstContentMS)
	}
}

// MCP: each stream one session and one tools/call, over both transports,
// through a hop that streams and one that buffers. Through the buffering
// hop a Streamable HTTP call's stream arrives whole at its end; the
// HTTP+SSE session's stream never ends, so its endpoint event never
// arrives and no session is set up within the headers timeout.
func TestMCPStreamsThroughAHop(t *testing.T) {
	for _, tt := range []struct {
		transport probe.MCPTransport
		path      string
	}{{probe.StreamableHTTP, "mcp"}, {probe.MCPAuto, origin.MCPSSEPath[1:]}} {
		for _, hop := range []string{"streams", "buffers"} {
			t.Run(string(tt.transport)+", a hop that "+hop, func(t *testing.T) {
				policy := streamingPolicy
				if hop == "buffers" {
					policy = bufferingPolicy
				}
				url := startChain(t, origin.Config{MCP: true, Events: 4, Interval: calmInterval(40 * time.Millisecond)}, apim(policy, "StandardV2_1")) + tt.path
				call := &probe.MCPCall{Tool: origin.MCPTool, Args: json.RawMessage(`{"steps": 4}`), Transport: tt.transport}
				res := run(t, Options{URL: url, MCP: call, Streams: 10, Rate: 100, HeadersTimeout: time.Second, MaxLatency: calmLatency()})
				f := res.Protocols[probe.MCP]
				switch {
				case hop == "buffers" && tt.path != "mcp":
					if res.Outcome != OutcomeError || res.Errors[KindHeadersTimeout] != 10 || res.Streams.Opened != 0 {
						t.Fatalf("outcome %s, errors %v, streams %+v", res.Outcome, res.Errors, res.Streams)
					}
					return
				case f == nil || f.Streams != 10 || f.Completed != 10 || f.ContentEvents != 40 || len(res.Protocols) != 1:
					t.Fatalf("%s; errors %v", protocolSummary(res), res.Errors)
				case hop == "streams" && res.Outcome != OutcomeStreamed, hop == "buffers" && res.Outcome != OutcomeBuffered:
					t.Fatalf("outcome %s, streams %+v, errors %v", res.Outcome, res.Streams, res.Errors)
				}
				if res.LatencyMS == nil || f.FirstContentMS == nil {
					t.Fatal("the progress notifications carry their send time in _meta: latency and first content measured")
				}
			})
		}
	}
}

// Compressed streams are decoded and judged read by read: a compressor
// flushed per event streams, one that sends the whole answer in one
// piece does not. An Accept-Encoding given as a header is honoured.
func TestCompressedStreams(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cfg    origin.Config
		req    probe.Request
		coding string
		want   Outcome
	}{
		{"gzip flushed per event", origin.Config{Compress: origin.CompressGzip}, probe.Request{Compressed: true}, "gzip", OutcomeStreamed},
		{"br asked for with a header", origin.Config{Compress: origin.CompressBrotli}, probe.Request{Header: http.Header{"Accept-Encoding": {"br"}}}, "br", OutcomeStreamed},
		{"deflate in one piece", origin.Config{Compress: origin.CompressDeflate, CompressMode: origin.CompressWhole}, probe.Request{Compressed: true}, "deflate", OutcomeBuffered},
		{"not asked for", origin.Config{Compress: origin.CompressGzip}, probe.Request{}, "identity", OutcomeStreamed},
		{"Responses, gzip flushed per event", origin.Config{Responses: true, Compress: origin.CompressGzip},
			probe.Request{Method: http.MethodPost, Body: []byte(`{"input": "hi", "stream": true}`), Compressed: true}, "gzip", OutcomeStreamed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Events, cfg.Interval = 5, calmInterval(40*time.Millisecond)
			res := run(t, Options{URL: startChain(t, cfg, apim(streamingPolicy, "StandardV2_1")), Request: tt.req, Streams: 20, Rate: 200, Events: 5, MaxLatency: calmLatency()})
			if res.Outcome != tt.want || res.ContentEncodings[tt.coding] != 20 || len(res.ContentEncodings) != 1 || res.ContentEvents != 100 {
				t.Fatalf("outcome %s (want %s), content encodings %v, %d content events, errors %v", res.Outcome, tt.want, res.ContentEncodings, res.ContentEvents, res.Errors)
			}
		})
	}
	// A coding the load does not decode is an error, not a cut.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Content-Encoding", "zstd")
		_, _ = w.Write([]byte("not zstd"))
	}))
	defer srv.Close()
	res := run(t, Options{URL: srv.URL, Streams: 5, Rate: 100})
	if res.Outcome != OutcomeError || res.Errors[KindEncoding] != 5 {
		t.Fatalf("outcome %s, errors %v", res.Outcome, res.Errors)
	}
}

// A MCP call and a compressed stream: the MCP session asks for the
// codings, and its stream is decoded.
func TestMCPCompressedStreams(t *testing.T) {
	url := startChain(t, origin.Config{MCP: true, Events: 3, Interval: calmInterval(30 * time.Millisecond), Compress: origin.CompressGzip})
	for _, path := range []string{"mcp", origin.MCPSSEPath[1:]} {
		res := run(t, Options{URL: url + path, MCP: &probe.MCPCall{Tool: origin.MCPTool, Transport: probe.MCPAuto},
			Request: probe.Request{Compressed: true}, Streams: 5, Rate: 100, MaxLatency: calmLatency()})
		if res.Outcome != OutcomeStreamed || res.ContentEncodings["gzip"] != 5 || res.Protocols[probe.MCP].Completed != 5 {
			t.Fatalf("%s: outcome %s, content encodings %v, %s, errors %v", path, res.Outcome, res.ContentEncodings, protocolSummary(res), res.Errors)
		}
	}
}
