package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// inOrder fails unless out holds each of want, in order.
func inOrder(t *testing.T, out string, want ...string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (in order):\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

// sseready probe against sseready backend in each dialect, MCP over both
// transports, compressed and thinking before its first token.
func TestProbeDialectsOnTheBackend(t *testing.T) {
	responses := start(t, "backend", "--listen", "127.0.0.1:0", "--responses", "--events", "4", "--interval", "30ms")
	cut := start(t, "backend", "--listen", "127.0.0.1:0", "--responses", "--events", "3", "--interval", "10ms", "--ending", "none")
	messages := start(t, "backend", "--listen", "127.0.0.1:0", "--messages", "--events", "3", "--interval", "30ms", "--first-event-delay", "300ms", "--heartbeat", "30ms")
	mcp := start(t, "backend", "--listen", "127.0.0.1:0", "--mcp", "--events", "3", "--interval", "30ms")
	gzip := start(t, "backend", "--listen", "127.0.0.1:0", "--events", "4", "--interval", "30ms", "--compress", "gzip")
	whole := start(t, "backend", "--listen", "127.0.0.1:0", "--events", "5", "--interval", "100ms", "--compress", "br", "--compress-mode", "whole")
	const responsesBody = `{"input": "four words", "stream": true}`
	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"Responses", []string{"--data", responsesBody, responses}, 0,
			[]string{"response.output_text.delta", `content "Server-sent"`, "protocol responses: completed, stop reason completed", "usage: 2 prompt + 4 completion = 6 tokens", "outcome: streamed\n"}},
		{"Responses without response.completed", []string{"--data", responsesBody, cut}, 1,
			[]string{"protocol responses: not completed", "outcome: cut (no_final_event after", "not ok: cut: the Responses stream ended after 7 events without response.completed"}},
		{"Responses forced to plain SSE", []string{"--protocol", "sse", "--data", responsesBody, cut}, 0,
			[]string{"protocol sse\n", "outcome: streamed\n"}},
		{"Anthropic Messages, thinking first", []string{"--data", `{"max_tokens": 9, "messages": [{"role": "user", "content": "hi"}], "stream": true}`, messages}, 0,
			[]string{"message_start", "protocol anthropic_messages: completed, stop reason end_turn", "before the first content: ", " keep-alives, the longest silence ", "outcome: streamed\n"}},
		{"MCP over Streamable HTTP", []string{"--mcp-tool", "count", "--mcp-args", `{"steps": 4}`, mcp + "/mcp"}, 0,
			[]string{"MCP over streamable_http: server sseready-backend 1.0.0, protocol 2025-06-18, session given; tools/call count", `content "progress 1/4: step 1 of 4"`,
				"protocol mcp: completed", `result: {"_meta":`, `counted to 4`, "outcome: streamed\n"}},
		{"MCP over HTTP+SSE, by the server's answer", []string{"--mcp-tool", "count", mcp + "/sse"}, 0,
			[]string{"MCP over http_sse: server sseready-backend 1.0.0, protocol 2025-06-18, endpoint /messages; tools/call count", "reads: 3 events in ", "counted to 3", "outcome: streamed\n"}},
		{"MCP, an unknown tool", []string{"--mcp-tool", "nope", "--mcp-transport", "streamable_http", mcp}, 1,
			[]string{"status 200, Content-Type \"application/json\"", "the call failed: JSON-RPC error -32602: Unknown tool", "outcome: not_sse\n"}},
		{"gzip, flushed per event", []string{"--compressed", "--events", "4", gzip}, 0,
			[]string{`Content-Encoding gzip (decoded)`, "4 events, 0 heartbeats", "outcome: streamed\n"}},
		{"gzip, asked for with a header", []string{"--header", "Accept-Encoding: gzip", "--events", "4", gzip}, 0,
			[]string{`Content-Encoding gzip (decoded)`, "outcome: streamed\n"}},
		{"br in one piece", []string{"--compressed", "--events", "5", "--max-latency", "200ms", whole}, 1,
			[]string{`Content-Encoding br (decoded)`, "outcome: held (released_at_end"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, "", append([]string{"probe"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			inOrder(t, out, tt.want...)
		})
	}

	// The JSON of an MCP call.
	code, out, errOut := runCLI(t, "", "probe", "--format", "json", "--mcp-tool", "count", mcp)
	var rep struct {
		Outcome, Protocol string
		Completed         bool
		MCP               struct {
			Transport    string
			ServerName   string `json:"server_name"`
			SessionGiven bool   `json:"session_given"`
			Result       json.RawMessage
			CallError    any `json:"call_error"`
		} `json:"mcp"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || rep.Outcome != "streamed" || rep.Protocol != "mcp" || !rep.Completed ||
		rep.MCP.ServerName != "sseready-backend" || rep.MCP.Transport != "streamable_http" || !rep.MCP.SessionGiven || rep.MCP.CallError != nil || !strings.Contains(string(rep.MCP.Result), "counted to 3") {
		t.Fatalf("exit %d %v: %+v\n%s%s", code, err, rep, out, errOut)
	}
	for _, k := range []string{`"protocol"`, `"completed"`, `"content_encoding"`, `"keepalives_before_content"`, `"longest_silence_before_content_ms"`, `"stream_error"`} {
		if !strings.Contains(out, k) {
			t.Errorf("JSON has no %s", k)
		}
	}
}

func TestProbeAndBackendDialectFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"probe", "--protocol", "grpc", "http://127.0.0.1:1"}, `--protocol: protocol "grpc" is not auto, chat_completions`},
		{[]string{"probe", "--mcp-args", "{}", "http://127.0.0.1:1"}, "--mcp-args and --mcp-transport go with --mcp-tool"},
		{[]string{"probe", "--mcp-tool", "t", "--data", "{}", "http://127.0.0.1:1"}, "drop --data, --data-file and --method"},
		{[]string{"probe", "--mcp-tool", "t", "--mcp-args", "[1]", "http://127.0.0.1:1"}, "--mcp-args must be a JSON object"},
		{[]string{"probe", "--mcp-tool", "t", "--mcp-transport", "ws", "http://127.0.0.1:1"}, `--mcp-transport: MCP transport "ws" is not auto`},
		{[]string{"probe", "--mcp-tool", "t", "--protocol", "responses", "http://127.0.0.1:1"}, "not --protocol responses"},
		{[]string{"backend", "--chat-completions", "--ending", "incomplete"}, `ending "incomplete" is not one the chat-completions dialect has`},
		{[]string{"backend", "--responses", "--mcp"}, "one dialect at a time, not mcp and responses"},
		{[]string{"backend", "--compress", "zstd"}, `compress "zstd" is not gzip, br or deflate`},
		{[]string{"backend", "--compress-mode", "whole"}, "a compress mode needs a coding"},
		{[]string{"backend", "--ending", "none"}, "a plain stream has no final event"},
	} {
		code, _, stderr := runCLI(t, "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}
