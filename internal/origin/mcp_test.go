package origin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// rpc POSTs a JSON-RPC message with the headers given (K, V, K, V...).
func rpc(t *testing.T, url, body string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type rpcOut struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		ProgressToken string  `json:"progressToken"`
		Progress      float64 `json:"progress"`
		Total         float64 `json:"total"`
		Meta          struct {
			SentUnixNano int64 `json:"sent_unix_nano"`
		} `json:"_meta"`
	} `json:"params"`
	Result *struct {
		ProtocolVersion string            `json:"protocolVersion"`
		ServerInfo      map[string]string `json:"serverInfo"`
		Content         []map[string]string
		Meta            struct {
			SentUnixNano int64 `json:"sent_unix_nano"`
		} `json:"_meta"`
	} `json:"result"`
	Error *rpcErr `json:"error"`
}

func decodeRPC(t *testing.T, data string) rpcOut {
	t.Helper()
	var m rpcOut
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return m
}

const (
	initBody = `{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}`
	callBody = `{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "count", "arguments": {"steps": 3}, "_meta": {"progressToken": "p1"}}}`
)

// Streamable HTTP: initialize gives a session; the call streams its
// progress one event at a time, then the response with the call's id.
func TestMCPStreamableHTTP(t *testing.T) {
	url := serve(t, Config{MCP: true, Events: 2, Interval: 20 * time.Millisecond}) + "/mcp"
	resp := rpc(t, url, initBody)
	sid := resp.Header.Get("Mcp-Session-Id")
	var init rpcOut
	if err := json.NewDecoder(resp.Body).Decode(&init); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || sid == "" || init.Result.ProtocolVersion != "2025-06-18" || init.Result.ServerInfo["name"] != MCPServerName {
		t.Fatalf("initialize: %d session %q %+v", resp.StatusCode, sid, init.Result)
	}
	session := []string{"Mcp-Session-Id", sid, "MCP-Protocol-Version", "2025-06-18"}
	if r := rpc(t, url, `{"jsonrpc": "2.0", "method": "notifications/initialized"}`, session...); r.StatusCode != http.StatusAccepted {
		t.Fatalf("initialized: %d", r.StatusCode)
	}
	resp = rpc(t, url, callBody, session...)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("tools/call: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var kinds []string
	var last int64
	for _, it := range readAll(t, resp) {
		m := decodeRPC(t, it.Event.Data)
		switch {
		case m.Method == "notifications/progress" && m.Params.ProgressToken == "p1" && m.Params.Total == 3 && m.Params.Meta.SentUnixNano > last:
			kinds = append(kinds, fmt.Sprintf("progress %g", m.Params.Progress))
			last = m.Params.Meta.SentUnixNano
		case string(m.ID) == "2" && m.Result != nil && m.Result.Meta.SentUnixNano >= last:
			kinds = append(kinds, m.Result.Content[0]["text"])
		default:
			t.Fatalf("unexpected %s", it.Event.Data)
		}
	}
	if got := strings.Join(kinds, ", "); got != "progress 1, progress 2, progress 3, counted to 3" {
		t.Fatalf("stream: %s", got)
	}
	// A list, an unknown tool, an unknown method: JSON answers.
	for body, want := range map[string]string{
		`{"jsonrpc": "2.0", "id": 3, "method": "tools/list"}`:                                                         `"name":"count"`,
		`{"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "nope"}}`:                             `"code":-32602`,
		`{"jsonrpc": "2.0", "id": 5, "method": "resources/list"}`:                                                     `"code":-32601`,
		`{"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "count", "arguments": {"steps": 0}}}`: `steps must be`,
	} {
		b, _ := io.ReadAll(rpc(t, url, body, session...).Body)
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: %s, want %s", body, b, want)
		}
	}
	// The session's end.
	req, _ := http.NewRequest(http.MethodDelete, url, nil)
	req.Header.Set("Mcp-Session-Id", sid)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("DELETE: %v %v", r, err)
	}
	if r := rpc(t, url, callBody, session...); r.StatusCode != http.StatusNotFound {
		t.Fatalf("after DELETE: %d", r.StatusCode)
	}
}

func TestMCPStreamableHTTPRefuses(t *testing.T) {
	url := serve(t, Config{MCP: true})
	for _, tt := range []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{"no session", callBody, nil, http.StatusBadRequest},
		{"unknown session", callBody, []string{"Mcp-Session-Id", "nope"}, http.StatusNotFound},
		{"JSON only", initBody, []string{"Accept", "application/json"}, http.StatusNotAcceptable},
		{"unknown version", initBody, []string{"MCP-Protocol-Version", "1999-01-01"}, http.StatusBadRequest},
		{"not JSON-RPC", `{"id": 1}`, nil, http.StatusBadRequest},
	} {
		if r := rpc(t, url, tt.body, tt.headers...); r.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, r.StatusCode, tt.status)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST, DELETE" {
		t.Fatalf("GET: %d %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// An old client's POST to the HTTP+SSE stream: 405, as the
	// specification's fallback expects.
	if r := rpc(t, url+MCPSSEPath, initBody); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST %s: %d", MCPSSEPath, r.StatusCode)
	}
}

// The HTTP+SSE transport: the endpoint event, 202 for each POST, and the
// answers as message events on the stream.
func TestMCPHTTPSSE(t *testing.T) {
	base := serve(t, Config{MCP: true, Interval: 20 * time.Millisecond, Heartbeat: 5 * time.Millisecond, Ending: EndError})
	resp, err := http.Get(base + MCPSSEPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := sse.NewReader(resp.Body)
	next := func() sse.Event {
		for {
			it, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if it.Kind == sse.KindEvent {
				return it.Event
			}
		}
	}
	ep := next()
	if ep.Type != "endpoint" || !strings.HasPrefix(ep.Data, MCPMessagesPath+"?sessionId=") {
		t.Fatalf("first event %+v", ep)
	}
	if r := rpc(t, base+MCPMessagesPath+"?sessionId=nope", initBody); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown session: %d", r.StatusCode)
	}
	for _, body := range []string{initBody, `{"jsonrpc": "2.0", "method": "notifications/initialized"}`, callBody} {
		if r := rpc(t, base+ep.Data, body); r.StatusCode != http.StatusAccepted {
			t.Fatalf("POST %s: %d", body, r.StatusCode)
		}
	}
	var got []string
	for len(got) == 0 || !strings.HasPrefix(got[len(got)-1], "error") {
		e := next()
		m := decodeRPC(t, e.Data)
		switch {
		case e.Type != "message":
			t.Fatalf("event %+v", e)
		case m.Result != nil:
			got = append(got, "initialize "+m.Result.ProtocolVersion)
		case m.Method != "":
			got = append(got, fmt.Sprintf("progress %g", m.Params.Progress))
		case m.Error != nil && string(m.ID) == "2":
			got = append(got, fmt.Sprintf("error %d", m.Error.Code))
		}
	}
	if s := strings.Join(got, ", "); s != "initialize 2025-06-18, progress 1, progress 2, progress 3, error -32603" {
		t.Fatalf("messages: %s", s)
	}
}
