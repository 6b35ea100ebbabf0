package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLoadDialectFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "--protocol", "grpc", "http://127.0.0.1/"}, `--protocol: protocol "grpc" is not auto, chat_completions`},
		{[]string{"load", "--mcp-args", `{"steps": 2}`, "http://127.0.0.1/"}, "--mcp-args and --mcp-transport go with --mcp-tool"},
		{[]string{"load", "--mcp-tool", "count", "--data", "{}", "http://127.0.0.1/"}, "--mcp-tool sends the MCP session's own requests"},
		{[]string{"load", "--mcp-tool", "count", "--mcp-args", "[1]", "http://127.0.0.1/"}, "--mcp-args must be a JSON object"},
		{[]string{"load", "--mcp-tool", "count", "--mcp-transport", "grpc", "http://127.0.0.1/"}, `--mcp-transport: MCP transport "grpc" is not auto`},
		{[]string{"load", "--mcp-tool", "count", "--protocol", "responses", "http://127.0.0.1/"}, "not --protocol responses"},
		{[]string{"load", "--warmup", "-1s", "http://127.0.0.1/"}, `invalid value "-1s" for flag -warmup: negative`},
		{[]string{"load", "--warmup", "10s", "--duration", "10s", "http://127.0.0.1/"}, "--warmup 10s must end before --duration 10s"},
		{[]string{"load", "--warmup", "1s", "--rate", "0", "http://127.0.0.1/"}, "--warmup needs a --rate"},
		{[]string{"load", "--warmup", "1s", "--streams", "10", "--rate", "100", "http://127.0.0.1/"}, "--warmup 1s: every stream opens within it (the last at 0.09s at --rate 100)"},
	} {
		code, out, errs := runArgs(tc.args...)
		if code != exitInput || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
}

// sseready load against sseready backend in each dialect, MCP over both
// transports, compressed, cut without a final event, with a warmup.
func TestLoadDialectsOnTheBackend(t *testing.T) {
	responses := start(t, "backend", "--listen", "127.0.0.1:0", "--responses", "--events", "4", "--interval", "30ms", "--first-event-delay", "200ms", "--heartbeat", "50ms")
	messages := start(t, "backend", "--listen", "127.0.0.1:0", "--messages", "--events", "3", "--interval", "20ms", "--ending", "none")
	mcp := start(t, "backend", "--listen", "127.0.0.1:0", "--mcp", "--events", "3", "--interval", "30ms", "--compress", "gzip")
	chat := start(t, "backend", "--listen", "127.0.0.1:0", "--chat-completions", "--events", "5", "--interval", "20ms", "--compress", "br", "--compress-mode", "whole")
	const responsesBody = `{"input": "four words", "stream": true}`
	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"Responses, thinking first, with a warmup", []string{"--streams", "20", "--rate", "20", "--warmup", "500ms", "--duration", "5s", "--data", responsesBody, responses}, 0,
			[]string{"10 streams planned, 10 opened, 0 failed, 0 cut, 0 buffered, 0 ended by the server, 10 completed, 0 ended by an error event",
				"warmup: 10 more streams opened in the first 0.5 s, not counted", "(40 with content)", "events/s after the warmup",
				"first content p50 2", "protocol responses: 10 streams, 10 completed, 40 content events; first content p50 2", "ok: streamed"}},
		{"Anthropic Messages without message_stop", []string{"--streams", "5", "--data", `{"max_tokens": 9, "messages": [{"role": "user", "content": "hi"}], "stream": true}`, messages}, 1,
			[]string{"5 cut", "protocol anthropic_messages: 5 streams, 0 completed, 15 content events", "errors: cut_no_final_anthropic_messages 5", "not ok: cut"}},
		{"MCP over Streamable HTTP, gzip", []string{"--streams", "5", "--compressed", "--mcp-tool", "count", "--mcp-args", `{"steps": 4}`, "--mcp-transport", "streamable_http", mcp + "/mcp"}, 0,
			[]string{"5 completed", "protocol mcp: 5 streams, 5 completed, 20 content events", "content encodings (decoded): gzip 5", "ok: streamed"}},
		{"MCP over HTTP+SSE", []string{"--streams", "5", "--mcp-tool", "count", mcp + "/sse"}, 0,
			[]string{"protocol mcp: 5 streams, 5 completed, 15 content events", "ok: streamed"}},
		{"chat completions compressed in one piece", []string{"--streams", "5", "--header", "Accept-Encoding: br", "--data", `{"messages": [{"role": "user", "content": "hi"}], "stream": true}`, chat}, 1,
			[]string{"5 buffered", "protocol chat_completions: 5 streams, 5 completed, 25 content events", "content encodings (decoded): br 5", "not ok: buffered"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"load"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			inOrder(t, out, tt.want...)
		})
	}

	// The JSON: the protocols seen, completed streams, content events.
	code, out, errOut := runCLI(t, "", "load", "--format", "json", "--streams", "4", "--data", responsesBody, responses)
	var res struct {
		Streams          struct{ Completed, Warmup int }
		ContentEvents    int                    `json:"content_events"`
		FirstContentMS   *struct{ P50 float64 } `json:"first_content_ms"`
		ContentEncodings map[string]int         `json:"content_encodings"`
		Protocols        map[string]struct {
			Streams, Completed int
			ContentEvents      int                              `json:"content_events"`
			FirstContentMS     *struct{ P50, P99 float64 }      `json:"first_content_ms"`
			ContentPerS        *struct{ Min, P10, P50 float64 } `json:"content_events_per_s"`
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v: %s%s", code, err, out, errOut)
	}
	p := res.Protocols["responses"]
	if len(res.Protocols) != 1 || p.Streams != 4 || p.Completed != 4 || p.ContentEvents != 16 || p.FirstContentMS == nil || p.ContentPerS == nil ||
		res.Streams.Completed != 4 || res.ContentEvents != 16 || res.FirstContentMS == nil || res.ContentEncodings["identity"] != 4 {
		t.Fatalf("%+v", res)
	}
	// The first content came after the origin's 200 ms of thinking, and
	// 4 content events over more than that are fewer than 20 a second.
	if p.FirstContentMS.P50 < 200 || p.ContentPerS.P50 >= 20 {
		t.Fatalf("first content %+v, content events per second %+v", *p.FirstContentMS, *p.ContentPerS)
	}
}
