package origin

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The MCP server (FACTS.md, "Added with issue 17"): the Streamable HTTP
// transport (2025-06-18) on every path but MCPSSEPath and
// MCPMessagesPath, which serve the HTTP+SSE transport (2024-11-05). Its
// one tool, count, sends a notifications/progress per step Interval apart
// (after FirstEventDelay) when the call gives a progressToken, then its
// result. MCP messages have no room at the top for a field of sseready's:
// the send time goes in _meta.sent_unix_nano, which the specification
// reserves for metadata a sender attaches.

// DefaultMCPSteps is how many steps count takes when Config.Events is 0
// and the call gives no steps.
const DefaultMCPSteps = 5

// The HTTP+SSE transport's paths: a GET of MCPSSEPath opens the stream,
// whose endpoint event names MCPMessagesPath?sessionId=... to POST to.
const (
	MCPSSEPath      = "/sse"
	MCPMessagesPath = "/messages"
)

// MCPTool is the name of the origin's tool; MCPServerName and
// MCPServerVersion its serverInfo.
const (
	MCPTool          = "count"
	MCPServerName    = "sseready-backend"
	MCPServerVersion = "1.0.0"
)

// mcpVersions are the protocol versions the server speaks, latest first.
var mcpVersions = []string{"2025-06-18", "2025-03-26", "2024-11-05"}

// maxSessions bounds the Streamable HTTP sessions kept; the oldest go.
const maxSessions = 10000

type rpcIn struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

func (m rpcIn) isRequest() bool { return m.Method != "" && len(m.ID) > 0 && string(m.ID) != "null" }

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// mcpServer keeps the sessions of both transports.
type mcpServer struct {
	mu       sync.Mutex
	sessions map[string]bool
	order    []string
	streams  map[string]*sseSession
}

func newMCPServer() *mcpServer {
	return &mcpServer{sessions: map[string]bool{}, streams: map[string]*sseSession{}}
}

func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *mcpServer) newSession() string {
	id := newSessionID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = true
	s.order = append(s.order, id)
	for len(s.order) > maxSessions {
		delete(s.sessions, s.order[0])
		s.order = s.order[1:]
	}
	return id
}

func (s *mcpServer) session(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

func (s *mcpServer) endSession(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.sessions[id]
	delete(s.sessions, id)
	return ok
}

func (h *Handler) serveMCP(w http.ResponseWriter, r *http.Request, f http.Flusher) {
	switch r.URL.Path {
	case MCPSSEPath:
		h.serveSSEStream(w, r, f)
	case MCPMessagesPath:
		h.serveSSEPost(w, r)
	default:
		h.serveStreamable(w, r, f)
	}
}

// writeRPC answers one JSON-RPC response as a JSON body.
func writeRPC(w http.ResponseWriter, status int, id json.RawMessage, result any, e *rpcErr) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(response(id, result, e))
}

func response(id json.RawMessage, result any, e *rpcErr) map[string]any {
	if id == nil {
		id = json.RawMessage("null")
	}
	m := map[string]any{"jsonrpc": "2.0", "id": id}
	if e != nil {
		m["error"] = e
	} else {
		m["result"] = result
	}
	return m
}

// readRPC reads one JSON-RPC message, or answers 400.
func readRPC(w http.ResponseWriter, r *http.Request) (rpcIn, bool) {
	var m rpcIn
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	switch {
	case err != nil:
		writeRPC(w, http.StatusBadRequest, nil, nil, &rpcErr{Code: -32700, Message: "Parse error: " + err.Error()})
	case m.JSONRPC != "2.0":
		writeRPC(w, http.StatusBadRequest, nil, nil, &rpcErr{Code: -32600, Message: `Invalid Request: one JSON-RPC 2.0 message ("jsonrpc": "2.0")`})
	default:
		return m, true
	}
	return m, false
}

// initialize answers initialize with the version asked for when the
// server speaks it, else its latest.
func initialize(params json.RawMessage) map[string]any {
	var p struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	_ = json.Unmarshal(params, &p)
	version := mcpVersions[0]
	for _, v := range mcpVersions {
		if v == p.ProtocolVersion {
			version = v
		}
	}
	return map[string]any{"protocolVersion": version, "capabilities": map[string]any{"tools": map[string]any{"listChanged": false}},
		"serverInfo": map[string]string{"name": MCPServerName, "version": MCPServerVersion}}
}

// toolCall is a call of count to stream.
type toolCall struct {
	id    json.RawMessage
	steps int
	token json.RawMessage
}

// answer is what the server answers a request other than initialize: a
// result or an error at once, or a call to stream.
func (h *Handler) answer(m rpcIn) (result any, e *rpcErr, call *toolCall) {
	switch m.Method {
	case "ping":
		return map[string]any{}, nil, nil
	case "tools/list":
		return map[string]any{"tools": []map[string]any{{"name": MCPTool,
			"description": "Counts to steps (default: the origin's events), one progress notification per step, the origin's interval apart, then answers.",
			"inputSchema": map[string]any{"type": "object", "properties": map[string]any{"steps": map[string]any{"type": "integer", "minimum": 1}}}}}}, nil, nil
	case "tools/call":
	default:
		return nil, &rpcErr{Code: -32601, Message: "Method not found: " + m.Method}, nil
	}
	var p struct {
		Name      string `json:"name"`
		Arguments struct {
			Steps *int `json:"steps"`
		} `json:"arguments"`
		Meta struct {
			ProgressToken json.RawMessage `json:"progressToken"`
		} `json:"_meta"`
	}
	if err := json.Unmarshal(m.Params, &p); err != nil {
		return nil, &rpcErr{Code: -32602, Message: "Invalid params: " + err.Error()}, nil
	}
	if p.Name != MCPTool {
		return nil, &rpcErr{Code: -32602, Message: fmt.Sprintf("Unknown tool: %q (this server has %q)", p.Name, MCPTool)}, nil
	}
	c := &toolCall{id: m.ID, steps: DefaultMCPSteps, token: p.Meta.ProgressToken}
	if h.cfg.Events > 0 {
		c.steps = h.cfg.Events
	}
	if s := p.Arguments.Steps; s != nil {
		if *s < 1 || *s > 100000 {
			return nil, &rpcErr{Code: -32602, Message: "Invalid params: steps must be 1 to 100000"}, nil
		}
		c.steps = *s
	}
	return nil, nil, c
}

// run streams a call: its progress notifications, then its result (or,
// by Ending, an error or nothing). emit sends a message; wait waits with
// the transport's heartbeats. Both report false when the client left.
func (h *Handler) run(c *toolCall, emit func(msg any) bool, wait func(time.Duration) bool) {
	if h.cfg.FirstEventDelay > 0 && !wait(h.cfg.FirstEventDelay) {
		return
	}
	for i := 1; i <= c.steps; i++ {
		if i > 1 && !wait(h.gapBefore(i)) {
			return
		}
		if len(c.token) == 0 || string(c.token) == "null" {
			continue
		}
		if !emit(map[string]any{"jsonrpc": "2.0", "method": "notifications/progress", "params": map[string]any{
			"progressToken": c.token, "progress": i, "total": c.steps, "message": fmt.Sprintf("step %d of %d", i, c.steps),
			"_meta": map[string]int64{"sent_unix_nano": h.now().UnixNano()}}}) {
			return
		}
	}
	switch h.cfg.Ending {
	case EndNone:
	case EndError:
		emit(response(c.id, nil, &rpcErr{Code: -32603, Message: fmt.Sprintf("Internal error: count failed after %d steps (the test origin's Ending error)", c.steps)}))
	default:
		emit(response(c.id, map[string]any{"content": []map[string]string{{"type": "text", "text": fmt.Sprintf("counted to %d", c.steps)}},
			"isError": false, "_meta": map[string]int64{"sent_unix_nano": h.now().UnixNano()}}, nil))
	}
}

// serveStreamable serves the Streamable HTTP transport's endpoint.
func (h *Handler) serveStreamable(w http.ResponseWriter, r *http.Request, f http.Flusher) {
	switch r.Method {
	case http.MethodPost:
	case http.MethodDelete:
		switch sid := r.Header.Get("Mcp-Session-Id"); {
		case sid == "":
			http.Error(w, "Bad Request: Mcp-Session-Id header is required", http.StatusBadRequest)
		case !h.mcp.endSession(sid):
			http.Error(w, "Not Found: no such session", http.StatusNotFound)
		}
		return
	default:
		// A GET stream for the server's own messages is optional: 405
		// says this server offers none.
		w.Header().Set("Allow", "POST, DELETE")
		http.Error(w, "Method Not Allowed: this MCP endpoint takes POST (and DELETE of a session); the HTTP+SSE transport is at "+MCPSSEPath, http.StatusMethodNotAllowed)
		return
	}
	if a := strings.ToLower(r.Header.Get("Accept")); !strings.Contains(a, "application/json") || !strings.Contains(a, "text/event-stream") {
		writeRPC(w, http.StatusNotAcceptable, nil, nil, &rpcErr{Code: -32000, Message: "Not Acceptable: the client must accept both application/json and text/event-stream"})
		return
	}
	if v := r.Header.Get("MCP-Protocol-Version"); v != "" && !supportedVersion(v) {
		writeRPC(w, http.StatusBadRequest, nil, nil, &rpcErr{Code: -32000, Message: fmt.Sprintf("Bad Request: unsupported MCP-Protocol-Version %q", v)})
		return
	}
	m, ok := readRPC(w, r)
	if !ok {
		return
	}
	if m.Method == "initialize" && m.isRequest() {
		w.Header().Set("Mcp-Session-Id", h.mcp.newSession())
		writeRPC(w, http.StatusOK, m.ID, initialize(m.Params), nil)
		return
	}
	switch sid := r.Header.Get("Mcp-Session-Id"); {
	case sid == "":
		writeRPC(w, http.StatusBadRequest, nil, nil, &rpcErr{Code: -32000, Message: "Bad Request: Mcp-Session-Id header is required"})
		return
	case !h.mcp.session(sid):
		writeRPC(w, http.StatusNotFound, nil, nil, &rpcErr{Code: -32001, Message: "Session not found"})
		return
	}
	if !m.isRequest() {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	result, e, call := h.answer(m)
	if call == nil {
		writeRPC(w, http.StatusOK, m.ID, result, e)
		return
	}
	h.writeStreamHeaders(w, f)
	s := h.sender(w, r, f)
	emit := func(msg any) bool {
		data, _ := json.Marshal(msg)
		if s.sw.Event("", "", string(data)) != nil {
			return false
		}
		f.Flush()
		return r.Context().Err() == nil
	}
	h.run(call, emit, s.wait)
}

func supportedVersion(v string) bool {
	for _, s := range mcpVersions {
		if s == v {
			return true
		}
	}
	return false
}
