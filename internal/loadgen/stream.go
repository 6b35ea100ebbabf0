package loadgen

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// stream is one client's stream.
type stream struct {
	t    *target
	rec  *recorder
	opts *Options
	// polls read plain streams for the run (nil: each reads on its own
	// goroutine).
	polls *pollers
	// warm: the stream opens during the warmup, and counts nowhere.
	warm bool

	start       time.Time
	lastByte    time.Time
	reads       int // reads from the connection that returned bytes
	parser      sse.Parser
	tally       *tally
	deadlineSet time.Time
}

// bufPool holds the buffers streams read event data into, taken only
// while bytes are there: an idle stream holds none.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 16*1024); return &b }}

func getBuf() *[]byte {
	if bp, ok := bufPool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 16*1024)
	return &b
}

// The recorder hears of a warmup stream nothing.
func (s *stream) opened(at time.Time) {
	if !s.warm {
		s.rec.openedAt(at)
	}
}

func (s *stream) ended(e streamEnd) {
	if !s.warm {
		s.rec.end(e)
	}
}

// failed records a stream that did not open, unless the run ending while
// it connected was why.
func (s *stream) failed(ctx context.Context, kind Kind) {
	if ctx.Err() == nil {
		s.ended(streamEnd{at: time.Now(), kind: kind})
	}
}

func (s *stream) flush() {
	if evs := s.tally.take(); len(evs) > 0 && !s.warm {
		s.rec.received(evs)
	}
}

func (s *stream) run(ctx context.Context) {
	s.start = time.Now()
	if s.opts.MCP != nil {
		s.runMCP(ctx)
		return
	}
	c, br, resp, kind := s.open(ctx)
	if kind != "" {
		s.failed(ctx, kind)
		return
	}
	defer c.Close()
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	if encoding == "identity" {
		encoding = ""
	}
	body, err := probe.Decoder(resp.Body, encoding)
	if err != nil {
		s.failed(ctx, KindEncoding)
		return
	}
	s.opened(time.Now())
	// The run's end (or ctx) wakes a blocked read with a past deadline.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	s.tally = newTally(s.opts, probe.NewDialect(s.opts.Protocol), s.start)
	s.lastByte = time.Now()
	how, polled := s.readPolled(c, br, resp, encoding)
	if !polled {
		if ic, ok := c.(*idleConn); ok {
			ic.arm(ctx, s)
		}
		how = s.read(br, body, encoding != "")
	}
	if ctx.Err() != nil {
		how = stopped // the run is over: whatever broke was us
	}
	kind, ended := s.tally.endKind(how)
	s.flush()
	s.ended(s.tally.summary(time.Now(), kind, ended, encoding))
}

// read reads events until the stream's goal, its end, or a cut.
func (s *stream) read(br interface{ Peek(int) ([]byte, error) }, body io.Reader, decoded bool) ending {
	for {
		// Wait for bytes with no buffer of ours (a decoder may hold
		// decoded bytes the connection no longer has: read it). The
		// connection times out only when idle (idleConn). Another error
		// falls through to the body, which tells a clean end from one
		// inside the framing.
		if !decoded {
			if _, err := br.Peek(1); err != nil && isTimeout(err) {
				return endSilent
			}
		}
		bp := getBuf()
		n, err := body.Read(*bp)
		if n > 0 {
			s.feed(time.Now(), time.Time{}, (*bp)[:n])
		}
		bufPool.Put(bp)
		switch {
		case s.tally.goal():
			return stopped
		case err == nil:
		case errors.Is(err, io.EOF) && s.parser.End():
			return endMidEvent
		case errors.Is(err, io.EOF):
			return endEOF
		case isTimeout(err):
			return endSilent
		default:
			return endBroken
		}
	}
}

// readPolled hands a cleartext stream without content coding to the
// run's pollers and waits for how its reading ended. polled is false
// when the stream is not one they read: it then reads on its own.
func (s *stream) readPolled(c net.Conn, br *bufio.Reader, resp *http.Response, encoding string) (how ending, polled bool) {
	ic, ok := c.(*idleConn)
	if s.polls == nil || encoding != "" || s.t.tls != nil || !ok {
		return 0, false
	}
	ps, err := newPolled(s, ic.Conn, resp)
	if err != nil {
		return 0, false
	}
	// Body bytes that came with the headers are in br: the poller feeds
	// them first, as read when the headers were.
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		ps.pending, ps.pendingAt = append([]byte(nil), b...), s.lastByte
	}
	switch err := s.polls.add(ps); {
	case errors.Is(err, errRunOver):
		return stopped, true
	case err != nil:
		return 0, false // br still holds its bytes: read them here
	}
	if s.opts.onPolled != nil {
		s.opts.onPolled()
	}
	return <-ps.ended, true
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// feed parses what one read returned at now (its kernel receive stamp
// rx, zero where not measured) and records its events.
func (s *stream) feed(now, rx time.Time, b []byte) {
	for _, it := range s.parser.Feed(b) {
		if it.Kind == sse.KindEvent {
			s.tally.event(it.Event.Type, it.Event.Data, now, rx, s.reads)
		}
	}
	s.flush()
}

// idleConn is a stream's connection. Once armed, a read that times out
// while bytes arrived within the idle timeout waits on (the deadline is
// set lazily: only when it fires is it checked against the last byte,
// and moved), so no reader above it sees a timeout but the idle cut or
// the run's end: a decoder keeps the first error it sees.
type idleConn struct {
	net.Conn
	ctx context.Context
	s   *stream
}

func (c *idleConn) arm(ctx context.Context, s *stream) {
	c.ctx, c.s = ctx, s
	s.deadlineSet = s.lastByte.Add(s.opts.IdleTimeout)
	_ = c.SetReadDeadline(s.deadlineSet)
}

func (c *idleConn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if c.s == nil {
			return n, err
		}
		if n > 0 {
			c.s.lastByte = time.Now()
			c.s.reads++
		}
		if err == nil || n > 0 || !isTimeout(err) || c.ctx.Err() != nil || time.Since(c.s.lastByte) >= c.s.opts.IdleTimeout {
			return n, err
		}
		c.arm(c.ctx, c.s)
	}
}
