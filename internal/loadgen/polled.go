package loadgen

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// polled is a stream a poller reads (poller_linux.go): its connection,
// the body's framing, which the poller undoes itself, and where it sends
// how the reading ended.
type polled struct {
	s    *stream
	conn net.Conn
	// fd is the poller's own descriptor of conn's socket (a duplicate:
	// conn itself is closed once the poller has the socket, so that Go's
	// poller is not woken by its bytes too).
	fd int
	// framing: chunked, or a fixed length (remaining), or until close.
	chunked   bool
	chunks    chunkDecoder
	fixed     bool
	remaining int64
	// pending: body bytes read with the headers, at pendingAt, which the
	// poller feeds before any it reads.
	pending   []byte
	pendingAt time.Time
	ended     chan ending
}

var (
	// errNotPollable: the connection or the body is not one a poller
	// reads; the stream reads on its own goroutine.
	errNotPollable = errors.New("not a cleartext TCP stream with chunked or plain framing")
	// errRunOver: the run ended as the stream was handed over.
	errRunOver = errors.New("the run is over")
)

// newPolled is s's response body read from conn by a poller, or
// errNotPollable when its framing is one the poller does not undo.
func newPolled(s *stream, conn net.Conn, resp *http.Response) (*polled, error) {
	ps := &polled{s: s, conn: conn, ended: make(chan ending, 1)}
	switch {
	case len(resp.TransferEncoding) == 1 && resp.TransferEncoding[0] == "chunked":
		ps.chunked = true
	case len(resp.TransferEncoding) > 0:
		return nil, errNotPollable
	case resp.ContentLength >= 0:
		ps.fixed, ps.remaining = true, resp.ContentLength
	}
	return ps, nil
}

// wire takes bytes as the socket gave them in one read: it undoes the
// framing, feeds the events to the stream and says whether the reading
// has ended, and how. It does what stream.read does per read.
func (ps *polled) wire(now, rx time.Time, b []byte) (ending, bool) {
	s := ps.s
	s.lastByte = now
	s.reads++
	switch {
	case ps.chunked:
		if err := ps.chunks.feed(b, func(body []byte) { s.feed(now, rx, body) }); err != nil && !ps.chunks.done() {
			return endBroken, true
		}
		if ps.chunks.done() {
			return ps.eof(), true
		}
	case ps.fixed:
		n := int(min(int64(len(b)), ps.remaining))
		s.feed(now, rx, b[:n])
		if ps.remaining -= int64(n); ps.remaining == 0 {
			return ps.eof(), true
		}
	default:
		s.feed(now, rx, b)
	}
	if s.tally.goal() {
		return stopped, true
	}
	return 0, false
}

// eof is how a body that ended ends: inside an event, cleanly, or (a
// chunked body closed before its last chunk) broken off, as net/http's
// reader would have said.
func (ps *polled) eof() ending {
	switch {
	case ps.chunked && !ps.chunks.done(), ps.fixed && ps.remaining > 0:
		return endBroken
	case ps.s.parser.End():
		return endMidEvent
	}
	return endEOF
}
