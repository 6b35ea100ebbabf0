package probe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// Through an emulated API Management hop (internal/gateway, run by
// chainrun as the proof runs it): one that streams (buffer-response
// false) and one that buffers (forward-request with its default), each
// dialect, MCP over both transports, compression and the silence before
// the first token.
const (
	streamingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound></policies>`
	bufferingPolicy = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" /></backend><outbound><base /></outbound></policies>`
)

func chain(t *testing.T, o origin.Config, policy string) string {
	t.Helper()
	hop := chainrun.Hop{Name: "apim", Config: gateway.Config{APIM: &gateway.APIM{Policies: []gateway.Policy{{XML: []byte(policy)}}, SKU: "StandardV2_1"}}}
	c, err := chainrun.Start(o, []chainrun.Hop{hop}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.URL
}

func post(body string) probe.Request {
	return probe.Request{Method: http.MethodPost, Body: []byte(body)}
}

func TestThroughAHop(t *testing.T) {
	mcp := func(transport probe.MCPTransport) *probe.MCPCall {
		return &probe.MCPCall{Tool: origin.MCPTool, Args: json.RawMessage(`{"steps": 4}`), Transport: transport}
	}
	for _, tt := range []struct {
		name     string
		cfg      origin.Config
		path     string
		opts     probe.Options
		protocol probe.Protocol
		// held: through the buffering hop nothing arrives at all (the
		// stream never ends, so its buffer is never released).
		held bool
		// onePiece: the origin compresses the whole answer in one piece,
		// which no hop can stream.
		onePiece bool
	}{
		{name: "chat completions", cfg: origin.Config{ChatCompletions: true},
			opts: probe.Options{Request: post(`{"messages": [{"role": "user", "content": "hi"}], "stream": true}`)}, protocol: probe.ChatCompletions},
		{name: "Responses", cfg: origin.Config{Responses: true},
			opts: probe.Options{Request: post(`{"input": "hi", "stream": true}`)}, protocol: probe.Responses},
		{name: "Anthropic Messages", cfg: origin.Config{Messages: true},
			opts: probe.Options{Request: post(`{"max_tokens": 99, "messages": [{"role": "user", "content": "hi"}], "stream": true}`)}, protocol: probe.AnthropicMessages},
		{name: "MCP over Streamable HTTP", cfg: origin.Config{MCP: true}, path: "/mcp",
			opts: probe.Options{MCP: mcp(probe.StreamableHTTP)}, protocol: probe.MCP},
		{name: "MCP over HTTP+SSE", cfg: origin.Config{MCP: true}, path: origin.MCPSSEPath,
			opts: probe.Options{MCP: mcp(probe.MCPAuto)}, protocol: probe.MCP, held: true},
		{name: "gzip flushed per event", cfg: origin.Config{Compress: origin.CompressGzip},
			opts: probe.Options{Request: probe.Request{Compressed: true}}, protocol: probe.PlainSSE},
		{name: "deflate in one piece", cfg: origin.Config{Compress: origin.CompressDeflate, CompressMode: origin.CompressWhole},
			opts: probe.Options{Request: probe.Request{Compressed: true}}, protocol: probe.PlainSSE, onePiece: true},
		{name: "br flushed per event, asked for with a header", cfg: origin.Config{Compress: origin.CompressBrotli},
			opts: probe.Options{Request: probe.Request{Header: http.Header{"Accept-Encoding": {"br"}}}}, protocol: probe.PlainSSE},
	} {
		for _, hop := range []string{"streams", "buffers"} {
			t.Run(tt.name+", a hop that "+hop, func(t *testing.T) {
				t.Parallel()
				policy := streamingPolicy
				if hop == "buffers" {
					policy = bufferingPolicy
				}
				cfg := tt.cfg
				cfg.Events, cfg.Interval = 4, 40*time.Millisecond
				opts := tt.opts
				opts.Duration = 3 * time.Second
				if tt.held && hop == "buffers" {
					opts.Duration = time.Second
				}
				rep := probe.Run(context.Background(), chain(t, cfg, policy)+tt.path, opts)
				if rep.Protocol != tt.protocol {
					t.Fatalf("protocol %q, want %q", rep.Protocol, tt.protocol)
				}
				switch {
				case hop == "streams" && !tt.onePiece:
					if rep.Outcome != probe.Streamed || rep.Completed != tt.protocol.HasFinal() || rep.Coalescing.Events != 4 || rep.Coalescing.MaxEventsPerRead > 2 {
						t.Fatalf("outcome %q completed %v coalescing %+v: %s", rep.Outcome, rep.Completed, rep.Coalescing, rep.Error)
					}
				case tt.held:
					if rep.Outcome != probe.Held || rep.Fault.Kind != probe.NothingArrived || rep.MCP != nil {
						t.Fatalf("outcome %q fault %+v: %s", rep.Outcome, rep.Fault, rep.Error)
					}
				default:
					// The whole stream, complete, but in one piece.
					if !rep.BufferingSuspected || rep.Completed != tt.protocol.HasFinal() || rep.Coalescing.MaxEventsPerRead < 3 {
						t.Fatalf("outcome %q completed %v coalescing %+v: %s", rep.Outcome, rep.Completed, rep.Coalescing, rep.Error)
					}
				}
				if want := tt.cfg.Compress; rep.ContentEncoding != want {
					t.Fatalf("content encoding %q, want %q", rep.ContentEncoding, want)
				}
			})
		}
	}
}

// The silence before the first token through a hop: pings relayed as
// sent keep every silence short; held by a buffering hop, the whole
// silence reaches the client, pings and all at the end, which the probe
// calls buffered even when the few tokens after it look streamed.
func TestFirstSilenceThroughAHop(t *testing.T) {
	// The silence outlasts the latency bound three times over, however
	// far a busy machine widens the bound: a held event is late by the
	// silence, and must be judged late.
	maxLatency := testslack.Bound(200 * time.Millisecond)
	delay := max(time.Second, 3*maxLatency)
	var longest [2]float64
	for i, policy := range []string{streamingPolicy, bufferingPolicy} {
		cfg := origin.Config{Responses: true, Events: 2, Interval: 20 * time.Millisecond, FirstEventDelay: delay, Heartbeat: 50 * time.Millisecond}
		rep := probe.Run(context.Background(), chain(t, cfg, policy), probe.Options{Request: post(`{"input": "think first", "stream": true}`),
			MaxLatency: maxLatency, Duration: delay + 10*time.Second})
		if rep.KeepalivesBeforeContent < 4 || rep.LongestSilenceBeforeContentMS == nil || !rep.Completed || (i == 0) != rep.OK {
			silence := "none"
			if rep.LongestSilenceBeforeContentMS != nil {
				silence = fmt.Sprintf("%.1f ms", *rep.LongestSilenceBeforeContentMS)
			}
			t.Fatalf("policy %d: %q, %d keep-alives, longest silence %s: %s", i, rep.Outcome, rep.KeepalivesBeforeContent, silence, rep.Error)
		}
		if i == 1 && (rep.Outcome != probe.Buffered || rep.Fault.Kind != probe.Coalesced) {
			t.Fatalf("through the buffering hop: %q %+v", rep.Outcome, rep.Fault)
		}
		longest[i] = *rep.LongestSilenceBeforeContentMS
	}
	if longest[0] >= longest[1]/2 || longest[1] < float64(delay.Milliseconds())/2 {
		t.Fatalf("longest silence before the content: %.1f ms through the hop that streams, %.1f ms through the one that buffers", longest[0], longest[1])
	}
}
