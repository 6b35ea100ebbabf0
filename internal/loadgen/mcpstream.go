package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// dialFailed is the context key of a stream's flag that a dial failed.
type dialFailed struct{}

// mcpClient makes the MCP sessions' requests: HTTP/1.1 only (t.tls asks
// for nothing else), no compression of its own (the probe's request asks
// for identity unless told), the headers timeout on the connection, the
// TLS handshake and each response's headers. Connections are kept for
// the next request of any session.
func mcpClient(t *target, o Options) *http.Client {
	d := &net.Dialer{Timeout: o.HeadersTimeout}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if f, ok := ctx.Value(dialFailed{}).(*atomic.Bool); ok && err != nil {
				f.Store(true)
			}
			return c, err
		},
		TLSClientConfig:       t.tls,
		TLSHandshakeTimeout:   o.HeadersTimeout,
		ResponseHeaderTimeout: o.HeadersTimeout,
		DisableCompression:    true,
		MaxIdleConnsPerHost:   max(2, o.Planned()),
	}}
}

// runMCP is one stream as one MCP session and one tools/call: the
// session is set up, the tool called, the call's stream read, the session
// closed. The setup, until the call's answer, must complete within the
// headers timeout; the times count from the call.
func (s *stream) runMCP(ctx context.Context) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var dialed, timedOut atomic.Bool
	sctx = context.WithValue(sctx, dialFailed{}, &dialed)
	setup := time.AfterFunc(s.opts.HeadersTimeout, func() { timedOut.Store(true); cancel() })
	fail := func(kind Kind) {
		setup.Stop()
		switch {
		case timedOut.Load():
			kind = KindHeadersTimeout
		case dialed.Load():
			kind = KindConnect
		}
		s.failed(ctx, kind)
	}
	call := s.opts.MCP
	sess, err := probe.OpenMCP(sctx, s.t.client, s.t.url, s.opts.Request, call.Transport)
	if err != nil {
		fail(setupKind(err))
		return
	}
	defer sess.Close()
	s.start = time.Now()
	st, err := sess.Call(sctx, call.Tool, call.Args)
	if err != nil {
		fail(setupKind(err))
		return
	}
	defer st.Close()
	if kind := answerKind(sess, st.Response); kind != "" {
		fail(kind)
		return
	}
	if !setup.Stop() {
		s.failed(ctx, KindHeadersTimeout)
		return
	}
	s.opened(time.Now())
	s.tally = newTally(s.opts, st.Dialect, s.start)

	var last atomic.Int64
	var silent atomic.Bool
	last.Store(time.Now().UnixNano())
	done := make(chan struct{})
	defer close(done)
	go s.watchIdle(done, &last, &silent, cancel)

	how := stopped
	for !s.tally.goal() {
		it, err := st.Next()
		if err != nil {
			switch {
			case ctx.Err() != nil:
			case silent.Load():
				how = endSilent
			case errors.Is(err, io.EOF) && st.Discarded():
				how = endMidEvent
			case errors.Is(err, io.EOF):
				how = endEOF
			default:
				how = endBroken
			}
			break
		}
		last.Store(time.Now().UnixNano())
		if it.Kind == sse.KindEvent {
			s.tally.event(it.Event.Type, it.Event.Data, it.Arrived, time.Time{}, it.Read)
			s.flush()
		}
	}
	kind, ended := s.tally.endKind(how)
	s.flush()
	s.ended(s.tally.summary(time.Now(), kind, ended, st.ContentEncoding()))
}

// watchIdle cancels the call when nothing arrived on it for the idle
// timeout, until done.
func (s *stream) watchIdle(done <-chan struct{}, last *atomic.Int64, silent *atomic.Bool, cancel func()) {
	idle := s.opts.IdleTimeout
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			since := time.Since(time.Unix(0, last.Load()))
			if since >= idle {
				silent.Store(true)
				cancel()
				return
			}
			t.Reset(idle - since)
		}
	}
}

// setupKind is the kind of a session that could not be set up, or a call
// that could not be made.
func setupKind(err error) Kind {
	var se *probe.SetupError
	if !errors.As(err, &se) {
		return KindMCPSetup
	}
	switch {
	case se.Outcome == probe.Refused && se.Status != 0:
		return StatusKind(se.Status)
	case se.Outcome == probe.NotSSE:
		return KindNotSSE
	case se.Outcome == probe.Held:
		return KindHeadersTimeout
	}
	return KindMCPSetup
}

// answerKind judges the answer to the call's POST: on Streamable HTTP a
// 200 event stream (one JSON body is not_sse, as the probe says: no
// progress could arrive before the result); on HTTP+SSE a 2xx, the
// messages arriving on the session's stream.
func answerKind(sess *probe.MCPSession, resp *http.Response) Kind {
	if sess.Info.Transport == probe.HTTPSSE {
		if resp.StatusCode/100 != 2 {
			return StatusKind(resp.StatusCode)
		}
		return ""
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		return StatusKind(resp.StatusCode)
	case !sse.ContentTypeOK(resp.Header.Get("Content-Type")):
		return KindNotSSE
	}
	return ""
}
