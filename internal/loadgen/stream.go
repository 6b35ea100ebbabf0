package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// stream is one client's stream.
type stream struct {
	t    *target
	rec  *recorder
	opts *Options

	start       time.Time
	events      int
	lastEvent   time.Time
	lastByte    time.Time
	arrivals    arrivals
	parser      sse.Parser
	batch       []received
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

func (s *stream) run(ctx context.Context) {
	s.start = time.Now()
	c, br, resp, kind := s.open(ctx)
	if kind != "" {
		if ctx.Err() == nil { // not the run ending while it connected
			s.rec.end(time.Now(), false, kind, false, false)
		}
		return
	}
	defer c.Close()
	s.rec.openedAt(time.Now())
	// The run's end (or ctx) wakes a blocked read with a past deadline.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	s.lastByte = time.Now()
	s.armIdle(c)

	kind, ended := s.read(ctx, c, br, resp.Body)
	if ctx.Err() != nil {
		kind, ended = "", false // the run is over: whatever broke was us
	}
	s.rec.end(time.Now(), true, kind, looksBuffered(&s.arrivals), ended)
}

// armIdle sets the read deadline for the idle timeout. It is set lazily:
// only when it fires is it checked against the last byte, and moved.
func (s *stream) armIdle(c net.Conn) {
	s.deadlineSet = s.lastByte.Add(s.opts.IdleTimeout)
	_ = c.SetReadDeadline(s.deadlineSet)
}

// read reads events until the stream's goal, its end, or a cut.
func (s *stream) read(ctx context.Context, c net.Conn, br interface{ Peek(int) ([]byte, error) }, body io.Reader) (kind Kind, ended bool) {
	for {
		// Wait for bytes with no buffer of ours.
		// Another error falls through to the body, which tells a clean
		// end from one inside the framing.
		if _, err := br.Peek(1); err != nil && isTimeout(err) {
			if ctx.Err() != nil {
				return "", false
			}
			if time.Since(s.lastByte) < s.opts.IdleTimeout {
				s.armIdle(c)
				continue
			}
			return KindCutSilent, false
		}
		bp := getBuf()
		n, err := body.Read(*bp)
		now := time.Now()
		if n > 0 {
			s.lastByte = now
			s.feed(now, (*bp)[:n])
		}
		bufPool.Put(bp)
		if s.opts.Events > 0 && s.events >= s.opts.Events {
			return "", false
		}
		if err != nil {
			if isTimeout(err) && ctx.Err() == nil {
				return KindCutSilent, false
			}
			return s.endKind(err)
		}
	}
}

// endKind judges the end of a stream before its goal.
func (s *stream) endKind(err error) (Kind, bool) {
	discarded := s.parser.End()
	switch {
	case errors.Is(err, io.EOF) && !discarded && s.opts.Events > 0:
		return KindCutEOF, false
	case errors.Is(err, io.EOF) && !discarded:
		return "", true // a stream may end
	}
	return KindCutBroken, false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// feed parses what one read returned and records its events.
func (s *stream) feed(now time.Time, b []byte) {
	s.batch = s.batch[:0]
	for _, it := range s.parser.Feed(b) {
		if it.Kind != sse.KindEvent || (s.opts.Events > 0 && s.events >= s.opts.Events) {
			continue
		}
		e := received{sent: sentTime(it.Event.Data)}
		if s.events == 0 {
			e.isFirst, e.first = true, now.Sub(s.start)
		} else {
			e.hasGap, e.gap = true, now.Sub(s.lastEvent)
		}
		s.events++
		s.lastEvent = now
		s.arrivals.add(e.sent, now, s.opts.MaxLatency)
		s.batch = append(s.batch, e)
	}
	if len(s.batch) > 0 {
		s.arrivals.read(len(s.batch))
		s.rec.received(now, s.batch)
	}
	if cap(s.batch) > 64 {
		s.batch = nil // a burst's batch is not kept while idle
	}
}

const sentKey = `"sent_unix_nano":`

// sentTime reads sent_unix_nano from an event's JSON data (the test
// origin's, or any sender's that adds it), without decoding the rest.
func sentTime(data string) time.Time {
	i := strings.Index(data, sentKey)
	if i < 0 {
		return time.Time{}
	}
	rest := data[i+len(sentKey):]
	j := 0
	for j < len(rest) && rest[j] == ' ' {
		j++
	}
	k := j
	for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
		k++
	}
	n, err := strconv.ParseInt(rest[j:k], 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
