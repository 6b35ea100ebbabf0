package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// mcpAccept is the Accept of every POST (the 2025-06-18 transports page).
const mcpAccept = "application/json, text/event-stream"

// send POSTs one JSON-RPC message to the session's URL.
func (s *MCPSession) send(ctx context.Context, msg any) (*http.Response, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	s.headers(h)
	h.Set("Accept", mcpAccept)
	h.Set("Content-Type", "application/json")
	req, err := Request{Method: http.MethodPost, Body: body, Header: h, Query: s.req.Query, Compressed: s.req.Compressed}.HTTP(ctx, s.post)
	if err != nil {
		return nil, s.setupError(ctx, Error, 0, "the request cannot be made: %s", redactError(err, s.req.Query))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, s.noResponse(ctx, err)
	}
	return resp, nil
}

// noResponse is a request that got no response: held when the probe
// stopped first.
func (s *MCPSession) noResponse(ctx context.Context, err error) error {
	after := float64(time.Since(s.start).Microseconds()) / 1000
	if ctx.Err() != nil {
		return &SetupError{Outcome: Held, Fault: &Fault{Kind: NoHeaders, AfterMS: after, SilenceMS: after},
			Message: fmt.Sprintf("no response headers arrived in %.0f ms", after)}
	}
	return s.setupError(ctx, Error, 0, "request failed: %s", redactError(err, s.req.Query))
}

func (s *MCPSession) setupError(_ context.Context, o Outcome, status int, format string, args ...any) error {
	return &SetupError{Outcome: o, Status: status, Message: "MCP: " + fmt.Sprintf(format, args...)}
}

// refused is a POST answered with another status than 2xx.
func (s *MCPSession) refused(ctx context.Context, resp *http.Response, what string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return s.setupError(ctx, Refused, resp.StatusCode, "%s %s: status %d (%s)", resp.Request.Method, what, resp.StatusCode, strings.TrimSpace(string(body)))
}

// mediaType is a Content-Type's essence, lower case.
func mediaType(ct string) string {
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return t
}

// answer reads the response to request id from a Streamable HTTP answer:
// one JSON body, or an event stream that carries it.
func (s *MCPSession) answer(ctx context.Context, resp *http.Response, id json.RawMessage) (*RPCResponse, error) {
	switch mediaType(resp.Header.Get("Content-Type")) {
	case "application/json":
		r, err := decodeResponse(resp)
		if err != nil {
			return nil, s.setupError(ctx, Error, resp.StatusCode, "the answer is not a JSON-RPC response: %v", err)
		}
		return r, nil
	case "text/event-stream":
		sr, err := NewStreamReader(resp.Body, resp.Header.Get("Content-Encoding"))
		if err != nil {
			return nil, s.setupError(ctx, Error, resp.StatusCode, "%v", err)
		}
		d := NewDialect(MCP)
		d.ExpectResponse(id, "")
		return s.awaitOn(ctx, sr, d)
	}
	return nil, s.setupError(ctx, NotSSE, resp.StatusCode, "the answer's Content-Type %q is neither application/json nor text/event-stream", resp.Header.Get("Content-Type"))
}

// decodeResponse reads a JSON-RPC response from a JSON body.
func decodeResponse(resp *http.Response) (*RPCResponse, error) {
	_, body, err := decoder(resp.Body, resp.Header.Get("Content-Encoding"))
	if err != nil {
		return nil, err
	}
	var m rpcMessage
	if err := json.NewDecoder(io.LimitReader(body, 4<<20)).Decode(&m); err != nil {
		return nil, err
	}
	if !m.isResponse() {
		return nil, errors.New("no result or error")
	}
	return &RPCResponse{ID: m.ID, Result: m.Result, Error: m.Error}, nil
}

// awaitOn reads events until the response d expects.
func (s *MCPSession) awaitOn(ctx context.Context, src source, d *Dialect) (*RPCResponse, error) {
	for {
		it, err := src.Next()
		switch {
		case err != nil && ctx.Err() != nil:
			after := float64(time.Since(s.start).Microseconds()) / 1000
			return nil, &SetupError{Outcome: Held, Fault: &Fault{Kind: NothingArrived, AfterMS: after, SilenceMS: after},
				Message: fmt.Sprintf("MCP: no response arrived on the stream in %.0f ms", after)}
		case err != nil:
			return nil, s.setupError(ctx, Cut, 0, "the stream ended before the response: %v", err)
		case it.Kind != sse.KindEvent:
			continue
		}
		if r := d.Read(it.Event.Type, it.Event.Data); r.Response != nil {
			return r.Response, nil
		}
	}
}

// sessionStream is the HTTP+SSE transport's event stream. A goroutine
// reads it as it arrives, so each item keeps its own arrival, also while
// the probe waits for a POST's answer.
type sessionStream struct {
	ctx     context.Context
	cancel  context.CancelFunc
	resp    *http.Response
	items   chan streamItem
	done    chan struct{}
	once    sync.Once
	ended   error
	discard bool
}

type streamItem struct {
	it        sse.Received
	err       error
	discarded bool
}

// openStream GETs the HTTP+SSE stream and waits for its endpoint event.
func (s *MCPSession) openStream(ctx context.Context, u string) error {
	sctx, cancel := context.WithCancel(ctx)
	h := http.Header{}
	s.headers(h)
	h.Set("Accept", "text/event-stream")
	req, err := Request{Header: h, Query: s.req.Query, Compressed: s.req.Compressed}.HTTP(sctx, u)
	if err != nil {
		cancel()
		return s.setupError(ctx, Error, 0, "the request cannot be made: %s", redactError(err, s.req.Query))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		cancel()
		return s.noResponse(ctx, err)
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		defer cancel()
		defer resp.Body.Close()
		return s.refused(ctx, resp, "of the HTTP+SSE stream")
	case !sse.ContentTypeOK(resp.Header.Get("Content-Type")):
		cancel()
		resp.Body.Close()
		return s.setupError(ctx, NotSSE, resp.StatusCode, "the HTTP+SSE stream's Content-Type %q is not text/event-stream", resp.Header.Get("Content-Type"))
	}
	sr, err := NewStreamReader(resp.Body, resp.Header.Get("Content-Encoding"))
	if err != nil {
		cancel()
		resp.Body.Close()
		return s.setupError(ctx, Error, resp.StatusCode, "%v", err)
	}
	st := &sessionStream{ctx: sctx, cancel: cancel, resp: resp, items: make(chan streamItem, 64), done: make(chan struct{})}
	s.stream = st
	go st.pump(sr)
	for {
		it, err := st.Next()
		switch {
		case err != nil && ctx.Err() != nil:
			after := float64(time.Since(s.start).Microseconds()) / 1000
			return &SetupError{Outcome: Held, Status: resp.StatusCode, Fault: &Fault{Kind: NothingArrived, AfterMS: after, SilenceMS: after},
				Message: fmt.Sprintf("MCP: no endpoint event arrived on the HTTP+SSE stream in %.0f ms", after)}
		case err != nil:
			return s.setupError(ctx, Cut, resp.StatusCode, "the HTTP+SSE stream ended before its endpoint event: %v", err)
		case it.Kind != sse.KindEvent:
			continue
		case it.Event.Type != "endpoint":
			return s.setupError(ctx, Error, resp.StatusCode, "the HTTP+SSE stream's first event is %q, not endpoint", it.Event.Type)
		}
		post, err := resolve(u, it.Event.Data)
		if err != nil {
			return s.setupError(ctx, Error, resp.StatusCode, "the endpoint event's URI %q: %v", it.Event.Data, err)
		}
		s.post = post
		if p, err := url.Parse(post); err == nil {
			s.Info.Endpoint = p.Path // its query may hold the session's id
		}
		return nil
	}
}

// await reads the session's stream until the response to id.
func (st *sessionStream) await(ctx context.Context, s *MCPSession, id json.RawMessage) (*RPCResponse, error) {
	d := NewDialect(MCP)
	d.ExpectResponse(id, "")
	return s.awaitOn(ctx, st, d)
}

func (st *sessionStream) pump(sr *StreamReader) {
	for {
		it, err := sr.Next()
		select {
		case st.items <- streamItem{it: it, err: err, discarded: err != nil && sr.Discarded()}:
		case <-st.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Next returns the stream's next item, as it arrived.
func (st *sessionStream) Next() (sse.Received, error) {
	if st.ended != nil {
		return sse.Received{}, st.ended
	}
	select {
	case x := <-st.items:
		if x.err != nil {
			st.ended, st.discard = x.err, x.discarded
		}
		return x.it, x.err
	case <-st.ctx.Done():
		return sse.Received{}, st.ctx.Err()
	}
}

func (st *sessionStream) Discarded() bool { return st.discard }

func (st *sessionStream) close() {
	st.once.Do(func() {
		close(st.done)
		st.cancel()
		st.resp.Body.Close()
	})
}

// MCPStream is one call's stream of messages.
type MCPStream struct {
	// Response answered the call's POST: on Streamable HTTP, the stream
	// (or one JSON body); on HTTP+SSE, the 202 that accepted the call,
	// whose messages arrive on the session's stream.
	Response *http.Response
	// Dialect reads the call's events: MCP, expecting the call's response
	// and its progress token.
	Dialect *Dialect
	src     source
}

// Next returns the call's next item: from the answer's event stream
// (Streamable HTTP), or from the session's stream (HTTP+SSE).
func (m *MCPStream) Next() (sse.Received, error) {
	if m.src == nil {
		sr, err := NewStreamReader(m.Response.Body, m.Response.Header.Get("Content-Encoding"))
		if err != nil {
			return sse.Received{}, err
		}
		m.src = sr
	}
	return m.src.Next()
}

// Discarded reports, at the end of the stream, whether it ended inside
// an event.
func (m *MCPStream) Discarded() bool { return m.src != nil && m.src.Discarded() }

// Close closes the call's answer.
func (m *MCPStream) Close() { m.Response.Body.Close() }
