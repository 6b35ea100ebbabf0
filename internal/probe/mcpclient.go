package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MCPProtocolVersion is the protocol version the probe initializes with.
const MCPProtocolVersion = "2025-06-18"

// MCPTransport is how an MCP client reaches the server (FACTS.md, "Added
// with issue 17").
type MCPTransport string

const (
	// MCPAuto tries Streamable HTTP and falls back to HTTP+SSE when the
	// POST of initialize fails with a 4xx status, as the 2025-06-18
	// specification's backwards compatibility section tells clients to.
	MCPAuto MCPTransport = "auto"
	// StreamableHTTP (2025-06-18): every message is a POST to the URL; a
	// request's answer is one JSON body or an event stream that ends with
	// the response.
	StreamableHTTP MCPTransport = "streamable_http"
	// HTTPSSE (2024-11-05): a GET of the URL opens an event stream whose
	// first event, endpoint, names where to POST; the server's messages
	// arrive on the stream as message events.
	HTTPSSE MCPTransport = "http_sse"
)

// ParseMCPTransport reads a transport's name ("" is auto).
func ParseMCPTransport(s string) (MCPTransport, error) {
	switch t := MCPTransport(s); t {
	case "", MCPAuto:
		return MCPAuto, nil
	case StreamableHTTP, HTTPSSE:
		return t, nil
	}
	return "", fmt.Errorf("MCP transport %q is not auto, streamable_http or http_sse", s)
}

// MCPCall is the tools/call the probe makes.
type MCPCall struct {
	Tool string
	// Args is the arguments object (nil: {}).
	Args      json.RawMessage
	Transport MCPTransport
}

// MCPReport is what an MCP session said.
type MCPReport struct {
	Transport       MCPTransport `json:"transport"`
	ProtocolVersion string       `json:"protocol_version"`
	ServerName      string       `json:"server_name"`
	ServerVersion   string       `json:"server_version"`
	// SessionGiven: the server assigned an Mcp-Session-Id (Streamable
	// HTTP), which every later request carried.
	SessionGiven bool `json:"session_given"`
	// Endpoint is where the HTTP+SSE transport's endpoint event said to
	// POST.
	Endpoint string `json:"endpoint,omitempty"`
	Tool     string `json:"tool,omitempty"`
	// Result is the call's result; CallError the JSON-RPC error it got
	// instead (the call failed; the stream may still have streamed).
	Result    json.RawMessage `json:"result"`
	CallError *RPCError       `json:"call_error"`
}

// SetupError says why an MCP session could not be set up: the outcome
// that gives, its fault when it is a hold or a cut, and the status of
// the response that refused it.
type SetupError struct {
	Outcome Outcome
	Fault   *Fault
	Status  int
	Message string
}

func (e *SetupError) Error() string { return string(e.Outcome) + ": " + e.Message }

// MCPSession is an initialized MCP session, for calls to go on.
type MCPSession struct {
	Info   MCPReport
	client *http.Client
	req    Request
	// post is where messages go: the URL (Streamable HTTP) or the
	// endpoint event's (HTTP+SSE).
	post      string
	sessionID string
	// stream is the HTTP+SSE transport's event stream.
	stream *sessionStream
	nextID int
	start  time.Time
}

// OpenMCP initializes a session at url: initialize (protocol version
// 2025-06-18) and notifications/initialized, over the transport given or,
// with MCPAuto, the one the server's answer shows. req's headers (keys)
// and Compressed go with every request. A session that cannot be set up
// is a *SetupError.
func OpenMCP(ctx context.Context, client *http.Client, url string, req Request, transport MCPTransport) (*MCPSession, error) {
	if client == nil {
		client = &http.Client{}
	}
	s := &MCPSession{client: client, req: req, post: url, start: time.Now()}
	init, err := s.initialize(ctx, url, transport)
	if err != nil {
		s.Close()
		return nil, err
	}
	var r struct {
		ProtocolVersion string `json:"protocolVersion"`
		ServerInfo      struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	if err := json.Unmarshal(init, &r); err != nil || r.ProtocolVersion == "" {
		s.Close()
		return nil, s.setupError(ctx, Error, 0, "the initialize result is not an MCP InitializeResult: %s", truncate(string(init), 200))
	}
	s.Info.ProtocolVersion, s.Info.ServerName, s.Info.ServerVersion = r.ProtocolVersion, r.ServerInfo.Name, r.ServerInfo.Version
	if err := s.notify(ctx, "notifications/initialized"); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// initialize sends initialize over the transport and returns its result.
func (s *MCPSession) initialize(ctx context.Context, url string, transport MCPTransport) (json.RawMessage, error) {
	if transport != HTTPSSE {
		s.Info.Transport = StreamableHTTP
		res, status, err := s.request(ctx, "initialize", initParams())
		if transport == StreamableHTTP || err == nil || status < 400 || status > 499 {
			return res, err
		}
	}
	s.Info.Transport = HTTPSSE
	if err := s.openStream(ctx, url); err != nil {
		return nil, err
	}
	res, _, err := s.request(ctx, "initialize", initParams())
	return res, err
}

func initParams() any {
	return map[string]any{
		"protocolVersion": MCPProtocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "sseready-probe", "version": "1"},
	}
}

// request sends a JSON-RPC request and returns its result; status is the
// POST's when it was not 2xx.
func (s *MCPSession) request(ctx context.Context, method string, params any) (json.RawMessage, int, error) {
	id := s.id()
	resp, err := s.send(ctx, rpcRequest(id, method, params))
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, resp.StatusCode, s.refused(ctx, resp, method)
	}
	var r *RPCResponse
	if s.stream != nil {
		r, err = s.stream.await(ctx, s, id)
	} else {
		if method == "initialize" {
			s.sessionID = resp.Header.Get("Mcp-Session-Id")
			s.Info.SessionGiven = s.sessionID != ""
		}
		r, err = s.answer(ctx, resp, id)
	}
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if r.Error != nil {
		return nil, resp.StatusCode, s.setupError(ctx, Error, resp.StatusCode, "%s: %v", method, r.Error)
	}
	return r.Result, resp.StatusCode, nil
}

// notify sends a notification, which the server accepts with 202.
func (s *MCPSession) notify(ctx context.Context, method string) error {
	resp, err := s.send(ctx, map[string]any{"jsonrpc": "2.0", "method": method})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return s.refused(ctx, resp, method)
	}
	return nil
}

func (s *MCPSession) id() json.RawMessage {
	s.nextID++
	return json.RawMessage(fmt.Sprint(s.nextID))
}

func rpcRequest(id json.RawMessage, method string, params any) map[string]any {
	return map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}
}

// Call sends a tools/call of tool with args and a progress token, and
// returns the call's stream of messages: on Streamable HTTP the answer to
// the POST, on HTTP+SSE the session's stream.
func (s *MCPSession) Call(ctx context.Context, tool string, args json.RawMessage) (*MCPStream, error) {
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	id, token := s.id(), fmt.Sprintf("sseready-%d", s.nextID)
	params := map[string]any{"name": tool, "arguments": args, "_meta": map[string]any{"progressToken": token}}
	resp, err := s.send(ctx, rpcRequest(id, "tools/call", params))
	if err != nil {
		return nil, err
	}
	d := NewDialect(MCP)
	tok, _ := json.Marshal(token)
	d.ExpectResponse(id, string(tok))
	st := &MCPStream{Response: resp, Dialect: d}
	if s.stream != nil {
		st.src = s.stream
	}
	return st, nil
}

// Close ends the session: a DELETE of a Streamable HTTP session, the end
// of the HTTP+SSE stream.
func (s *MCPSession) Close() {
	if s.stream != nil {
		s.stream.close()
	}
	if s.sessionID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.post, nil)
	if err != nil {
		return
	}
	addQuery(req.URL, s.req.Query)
	s.headers(req.Header)
	if resp, err := s.client.Do(req); err == nil {
		resp.Body.Close()
	}
	s.sessionID = ""
}

// headers are the user's and the session's headers.
func (s *MCPSession) headers(h http.Header) {
	for k, vs := range s.req.Header {
		if !strings.EqualFold(k, "Accept") && !strings.EqualFold(k, "Content-Type") {
			h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	if s.sessionID != "" {
		h.Set("Mcp-Session-Id", s.sessionID)
	}
	if s.Info.ProtocolVersion != "" {
		h.Set("MCP-Protocol-Version", s.Info.ProtocolVersion)
	}
}

// resolve reads the endpoint event's URI against the stream's URL.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	return b.ResolveReference(r).String(), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
