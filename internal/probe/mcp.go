package probe

import (
	"encoding/json"
	"fmt"
)

// RPCError is a JSON-RPC error object.
type RPCError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("JSON-RPC error %d: %s", e.Code, e.Message) }

// RPCResponse is a JSON-RPC response: its id, and its result or error.
type RPCResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *RPCError       `json:"error,omitempty"`
}

// rpcMessage is any JSON-RPC message: a request or notification (method
// set) or a response (result or error set).
type rpcMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
}

func (m rpcMessage) isResponse() bool {
	return m.Method == "" && len(m.ID) > 0 && (len(m.Result) > 0 || m.Error != nil)
}

// progressParams are a notifications/progress's parameters. MCP has no
// room for a field of sseready's at the top of a message, so the test
// origin puts its send time in _meta, which the specification reserves
// for metadata a sender attaches.
type progressParams struct {
	ProgressToken json.RawMessage `json:"progressToken"`
	Progress      float64         `json:"progress"`
	Total         *float64        `json:"total"`
	Message       string          `json:"message"`
	Meta          struct {
		SentUnixNano int64 `json:"sent_unix_nano"`
	} `json:"_meta"`
}

// progressNotification is the method of MCP's progress notifications.
const progressNotification = "notifications/progress"

// readMCP reads an MCP message: a progress notification for the request
// is content; the response to the request completes the stream.
func (d *Dialect) readMCP(data string) Reading {
	var m rpcMessage
	if !jsonObject(data, &m) {
		return Reading{}
	}
	var r Reading
	switch {
	case m.Method == progressNotification:
		var p progressParams
		if json.Unmarshal(m.Params, &p) != nil || (d.token != "" && compactJSON(p.ProgressToken) != d.token) {
			return r
		}
		r.Content, r.SentUnixNano = true, p.Meta.SentUnixNano
		r.Text = fmt.Sprintf("progress %g", p.Progress)
		if p.Total != nil {
			r.Text += fmt.Sprintf("/%g", *p.Total)
		}
		if p.Message != "" {
			r.Text += ": " + p.Message
		}
	case m.isResponse() && (d.rpcID == "" || compactJSON(m.ID) == d.rpcID):
		r.Final = true
		r.Response = &RPCResponse{ID: m.ID, Result: m.Result, Error: m.Error}
		var meta struct {
			Meta struct {
				SentUnixNano int64 `json:"sent_unix_nano"`
			} `json:"_meta"`
		}
		if len(m.Result) > 0 && json.Unmarshal(m.Result, &meta) == nil {
			r.SentUnixNano = meta.Meta.SentUnixNano
		}
	}
	return r
}
