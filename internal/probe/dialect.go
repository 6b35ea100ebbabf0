package probe

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Protocol is the dialect a stream speaks: what its first content is,
// which event completes it and which says it failed (FACTS.md, "Chat
// completions streams" and "Added with issue 17").
type Protocol string

const (
	// ChatCompletions: OpenAI's and Azure OpenAI's chat completions.
	// Content is a chunk with a delta's content or a tool call's; data:
	// [DONE] completes the stream. It has no error event.
	ChatCompletions Protocol = "chat_completions"
	// Responses: OpenAI's Responses API. Content is
	// response.output_text.delta (and the refusal and function call
	// argument deltas); response.completed completes the stream, and so
	// does response.incomplete: the model stopped early (max_output_tokens,
	// a content filter) but the stream delivered its response whole, which
	// is what the path is judged on; stop_reason says why. response.failed
	// and error are error events.
	Responses Protocol = "responses"
	// AnthropicMessages: Anthropic's Messages API. Content is
	// content_block_delta; message_stop completes the stream; error is an
	// error event; ping is a keep-alive.
	AnthropicMessages Protocol = "anthropic_messages"
	// MCP: Model Context Protocol JSON-RPC messages. Content is a
	// notifications/progress; the response whose id is the request's
	// completes the stream, a JSON-RPC error response too (the call
	// failed, not the stream: the report carries the error). It has no
	// error event.
	MCP Protocol = "mcp"
	// PlainSSE: any other event stream. Every event is content; nothing
	// completes it and nothing says it failed.
	PlainSSE Protocol = "sse"
)

// Protocols are the protocols the probe reads, for flags and messages.
var Protocols = []Protocol{ChatCompletions, Responses, AnthropicMessages, MCP, PlainSSE}

// ParseProtocol reads a protocol's name; "" and "auto" give "", which
// lets the probe recognise the protocol from the events.
func ParseProtocol(s string) (Protocol, error) {
	if s == "" || s == "auto" {
		return "", nil
	}
	for _, p := range Protocols {
		if string(p) == s {
			return p, nil
		}
	}
	names := make([]string, len(Protocols))
	for i, p := range Protocols {
		names[i] = string(p)
	}
	return "", fmt.Errorf("protocol %q is not auto, %s", s, strings.Join(names, ", "))
}

// finalEvent names each protocol's final event, for messages.
var finalEvent = map[Protocol]string{
	ChatCompletions:   "data: [DONE]",
	Responses:         "response.completed",
	AnthropicMessages: "message_stop",
	MCP:               "the JSON-RPC response to its request",
}

// HasFinal reports whether a stream of the protocol ends with a final
// event, without which it was cut.
func (p Protocol) HasFinal() bool { return finalEvent[p] != "" }

// StreamError is an error event: what the stream's protocol said went
// wrong, as the sender put it.
type StreamError struct {
	// Event is the event's type: error, response.failed.
	Event string `json:"event"`
	// Code is the error's code or type: server_error, overloaded_error.
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Reading is what one event is in its stream's protocol.
type Reading struct {
	// Content: the event carries output (a token, a tool call's delta, a
	// progress notification). The first content, the gaps and the
	// coalescing count these.
	Content bool
	// Text is the output it carries, for people to read.
	Text string
	// Final: the protocol's last event. The stream is complete; what
	// follows is not its.
	Final bool
	// Keepalive: the protocol's own keep-alive event (Anthropic's ping),
	// counted with comments.
	Keepalive bool
	// Error is set for an error event, which ends the stream.
	Error *StreamError
	// Usage is the token count so far, when this event carried one.
	Usage *Usage
	// StopReason is why the output stopped, when this event said
	// (finish_reason, stop_reason, a Responses status or incomplete
	// reason).
	StopReason string
	// Response is the JSON-RPC response that completed an MCP stream.
	Response *RPCResponse
	// SentUnixNano is the sender's timestamp, when the event carries one
	// (sseready backend's do).
	SentUnixNano int64
}

// Dialect reads one stream's events in turn and says what each is in its
// protocol: the forced one, or the one it recognises from the events
// (PlainSSE until one does). The probe reads with it; so can any client
// of a stream that parses events itself.
type Dialect struct {
	forced, found Protocol
	// rpcID is the JSON of the id whose response completes an MCP stream
	// ("": any response); token is the progress token of the request.
	rpcID, token string
	// usage adds Anthropic's input and output tokens up.
	usage Usage
}

// NewDialect reads a stream of protocol p, or of the protocol its events
// show when p is "".
func NewDialect(p Protocol) *Dialect { return &Dialect{forced: p} }

// ExpectResponse says which request an MCP stream answers: its response
// (by JSON-RPC id) completes the stream, and only its progress
// notifications (by token; "" for any) are content.
func (d *Dialect) ExpectResponse(id json.RawMessage, progressToken string) {
	d.rpcID, d.token = compactJSON(id), progressToken
}

// Protocol is the protocol forced or recognised so far.
func (d *Dialect) Protocol() Protocol {
	switch {
	case d.forced != "":
		return d.forced
	case d.found != "":
		return d.found
	}
	return PlainSSE
}

// Recognised reports whether the protocol is forced or was recognised.
func (d *Dialect) Recognised() bool { return d.forced != "" || d.found != "" }

// Read says what the event of that type (the event field: "message"
// unless it set one) and data is.
func (d *Dialect) Read(eventType, data string) Reading {
	if !d.Recognised() {
		d.found = recognise(eventType, data)
	}
	var r Reading
	switch d.Protocol() {
	case ChatCompletions:
		r = readChat(data)
	case Responses:
		r = readResponses(eventType, data)
	case AnthropicMessages:
		r = d.readAnthropic(eventType, data)
	case MCP:
		r = d.readMCP(data)
	default:
		r = Reading{Content: true}
	}
	if r.SentUnixNano == 0 {
		r.SentUnixNano = sentUnixNano(data)
	}
	return r
}

// shape is what recognising a protocol needs of an event's data.
type shape struct {
	JSONRPC        string          `json:"jsonrpc"`
	Object         string          `json:"object"`
	Type           string          `json:"type"`
	Choices        json.RawMessage `json:"choices"`
	Error          json.RawMessage `json:"error"`
	SequenceNumber *int64          `json:"sequence_number"`
}

// anthropicTypes are the Messages API's event types (FACTS.md).
var anthropicTypes = map[string]bool{
	"message_start": true, "message_delta": true, "message_stop": true,
	"content_block_start": true, "content_block_delta": true, "content_block_stop": true,
}

// recognise says which protocol an event shows ("" when it shows none).
func recognise(eventType, data string) Protocol {
	if isDone(data) {
		return ChatCompletions
	}
	var s shape
	if !jsonObject(data, &s) {
		return ""
	}
	typ := s.Type
	if typ == "" && eventType != "message" {
		typ = eventType
	}
	switch {
	case s.JSONRPC == "2.0":
		return MCP
	case s.Object == chunkObject || (s.Object == "" && s.Type == "" && len(s.Choices) > 0 && s.Choices[0] == '['):
		// Azure OpenAI's content filter chunk has an empty object.
		return ChatCompletions
	case strings.HasPrefix(typ, "response."):
		return Responses
	case anthropicTypes[typ] || (typ == "ping" && eventType == "ping"):
		return AnthropicMessages
	case typ == "error" && len(s.Error) > 0 && s.Error[0] == '{':
		return AnthropicMessages // {"type": "error", "error": {"type": ..., "message": ...}}
	case typ == "error" && s.SequenceNumber != nil:
		return Responses // {"type": "error", "code": ..., "message": ..., "sequence_number": n}
	case typ == "" && s.Object == "" && len(s.Error) > 0 && s.Error[0] == '{':
		return ChatCompletions // {"error": {"message": ..., "type": ..., "code": ...}} in place of a chunk
	}
	return ""
}

// jsonObject decodes data into v when it is a JSON object.
func jsonObject(data string, v any) bool {
	t := strings.TrimSpace(data)
	return strings.HasPrefix(t, "{") && json.Unmarshal([]byte(t), v) == nil
}

// sentUnixNano is the test origin's send time in an event's data (a
// top-level sent_unix_nano; 0 without).
func sentUnixNano(data string) int64 {
	if !strings.Contains(data, `"sent_unix_nano"`) {
		return 0
	}
	var p struct {
		SentUnixNano int64 `json:"sent_unix_nano"`
	}
	if !jsonObject(data, &p) {
		return 0
	}
	return p.SentUnixNano
}

// compactJSON is v's JSON without insignificant space, so ids compare.
func compactJSON(v json.RawMessage) string {
	var m any
	if len(v) == 0 || json.Unmarshal(v, &m) != nil {
		return string(v)
	}
	out, _ := json.Marshal(m)
	return string(out)
}
