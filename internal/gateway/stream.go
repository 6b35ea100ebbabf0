package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// framing is how a body is delimited on one side of the hop.
type framing int

const (
	noBody  framing = iota // HEAD, 1xx, 204, 304
	chunked                // Transfer-Encoding: chunked
	sized                  // Content-Length
	toClose                // until the connection closes
)

// stream is one response on its way from the upstream to the client,
// after the head: the client connection is the hop's (hijacked).
type stream struct {
	g *Gateway
	// b is what the hop does with this request's response.
	b  Behavior
	up *upstream
	// win is llm-content-safety's window (nil: none).
	win    *safetyWindow
	client net.Conn
	// clientRaw is the client's socket, for send (nil: write through
	// client).
	clientRaw syscall.RawConn
	name      string // method and URI, for the log
	// sendFn, pending, sent and sendErr carry send's callback and its
	// state without an allocation per write.
	sendFn  func(fd uintptr) bool
	pending []byte
	sent    int
	sendErr error
	// progress is when the client's socket last took bytes of a write
	// that then had to wait.
	progress time.Time

	in       framing
	dec      chunkedDecoder
	left     int64 // body bytes still to come when sized
	out      framing
	held     bytes.Buffer
	record   *bytes.Buffer // the body, for the cache
	entry    *cached       // the cache entry the body completes
	lastUp   time.Time
	lastDn   time.Time
	readDead time.Time // the read deadline set (zero: none yet)
	// handleFn is handle as a method value made once; failed is the
	// delivery error that stopped the reads.
	handleFn  func(buf *[]byte, n int) bool
	failed    error
	writeDead time.Time // the write deadline set (zero: none yet)

	// start is when the request was forwarded, for a Total clock.
	start time.Time
	// clientLeft closes when watchClient sees the client's connection end.
	clientLeft chan struct{}

	gone atomic.Bool // the client left
	once sync.Once
}

// bodyFraming is how the upstream delimits resp's body.
func bodyFraming(resp *http.Response) framing {
	switch {
	case resp.Request.Method == http.MethodHead || resp.StatusCode < 200 ||
		resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified:
		return noBody
	case len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked":
		return chunked
	case resp.ContentLength >= 0:
		return sized
	}
	return toClose
}

// writeHead sends the response head to the client and picks the client's
// framing: the upstream's length when it gave one, else chunked (HTTP/1.1
// clients) or until close. The hop closes the connection after the
// response.
func (s *stream) writeHead(r *http.Request, resp *http.Response, extra http.Header) error {
	h := http.Header{}
	copyHeader(h, resp.Header)
	for _, e := range s.b.Headers {
		e.apply(h) // <outbound>'s set-header
	}
	for k, vs := range extra {
		h[k] = append(h[k], vs...)
	}
	h.Del("Content-Length")
	switch {
	case s.in == noBody:
		s.out = noBody
		if resp.ContentLength >= 0 && r.Method == http.MethodHead {
			h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
		}
	case s.in == sized:
		s.out = sized
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	case r.ProtoAtLeast(1, 1):
		s.out = chunked
		h.Set("Transfer-Encoding", "chunked")
	default:
		s.out = toClose
	}
	h.Set("Connection", "close")
	bp := getBuf()
	defer putBuf(bp)
	w := bytes.NewBuffer((*bp)[:0])
	fmt.Fprintf(w, "HTTP/1.1 %03d %s\r\n", resp.StatusCode, statusText(resp))
	_ = h.Write(w)
	w.WriteString("\r\n")
	s.lastDn = time.Now()
	_, err := s.client.Write(w.Bytes())
	return err
}

func statusText(resp *http.Response) string {
	if t := http.StatusText(resp.StatusCode); t != "" {
		return t
	}
	return "status code " + strconv.Itoa(resp.StatusCode)
}

// run relays the body until it ends, the hop cuts it or the client leaves,
// logs a cut, then closes both connections: a cut body is left unended, so
// the client sees the connection drop, as from a gateway that cuts it.
func (s *stream) run(first []byte) {
	go s.watchClient()
	err := s.relay(first)
	var ce *cutError
	switch {
	case errors.As(err, &ce) && s.b.SilentCut:
		// The flow is dropped: the upstream goes, the client hears
		// nothing more and waits on its connection until it leaves.
		s.g.cut(Cut{Request: s.name, Reason: ce.reason, Silent: true})
		s.up.close()
		<-s.clientLeft
	case errors.As(err, &ce):
		s.g.cut(Cut{Request: s.name, Reason: ce.reason})
	case errors.Is(err, errBlocked):
		// It stops forwarding and returns no error status (FACTS.md):
		// the response ends where the window stopped it.
		s.g.cut(Cut{Request: s.name, Reason: fmt.Sprintf("llm-content-safety found a violation (the test word %q) and stopped forwarding; no error status", s.b.Block)})
		if s.out == chunked {
			_ = s.write([]byte("0\r\n\r\n"))
		}
	case err != nil && !errors.Is(err, errClientGone):
		s.g.logf("sseready gateway: %s: %v", s.name, err)
	}
	s.finish()
}

// cutError is a hop's clock running out.
type cutError struct{ reason string }

func (e *cutError) Error() string { return "cut: " + e.reason }

func (s *stream) relay(first []byte) error {
	s.lastUp = time.Now()
	if len(first) > 0 && !s.ended() {
		if err := s.take(first); err != nil {
			return err
		}
	} else if len(first) > 0 {
		s.g.logf("sseready gateway: %s: dropped %d bytes the upstream sent after a response without a body", s.name, len(first))
	}
	if s.handleFn == nil {
		s.handleFn = s.handle // one method value per stream
	}
	for !s.ended() {
		if err := s.setDeadline(); err != nil {
			return s.quiet(err)
		}
		err := s.up.each(s.handleFn)
		if s.failed != nil {
			return s.failed
		}
		if err != nil {
			if err := s.readError(err); err != nil {
				return err
			}
		}
	}
	if s.dec.extra > 0 {
		s.g.logf("sseready gateway: %s: dropped %d bytes the upstream sent after the end of the chunked body", s.name, s.dec.extra)
	}
	if s.win != nil {
		rest, err := s.win.end()
		if err != nil {
			return err
		}
		if err := s.pass(rest); err != nil {
			return err
		}
	}
	if err := s.release(true); err != nil {
		return err
	}
	// Stored before the client sees the end, so its next request hits.
	if s.record != nil {
		s.entry.body = s.record.Bytes()
		s.g.store(s.name, s.entry)
	}
	if s.out == chunked {
		return s.write([]byte("0\r\n\r\n"))
	}
	return nil
}

// handle delivers one chunk read from the upstream; it stops the reads
// when the body is complete or the delivery failed (s.failed).
func (s *stream) handle(buf *[]byte, n int) (stop bool) {
	if err := s.deliver(buf, n); err != nil {
		s.failed = err
		return true
	}
	// The upstream's silence is counted from here, not from the read:
	// while a slow client held the write, the upstream's bytes waited in
	// the socket, unread but sent.
	s.lastUp = time.Now()
	return s.ended()
}

// ended reports whether the upstream's body is complete.
func (s *stream) ended() bool {
	switch s.in {
	case noBody:
		return true
	case chunked:
		return s.dec.done()
	case sized:
		return s.left <= 0
	}
	return false
}

// take handles body bytes that did not come from read (those that arrived
// with the head), through a pooled buffer.
func (s *stream) take(p []byte) error {
	for len(p) > 0 {
		buf := getBuf()
		n := copy((*buf)[frameHead:frameHead+readSize], p)
		p = p[n:]
		err := s.deliver(buf, n)
		putBuf(buf)
		if err != nil {
			return err
		}
	}
	return nil
}

// deliver decodes the n bytes read into buf[frameHead:] and passes the
// body bytes on as the hop's behaviour says.
func (s *stream) deliver(buf *[]byte, n int) error {
	data := (*buf)[frameHead : frameHead+n]
	switch s.in {
	case chunked:
		m, err := s.dec.decode(data)
		if err != nil {
			return fmt.Errorf("the upstream broke off: %w", err)
		}
		data = data[:m]
	case sized:
		if int64(n) > s.left {
			// A proxy ends a response at its length: the rest is no body.
			s.g.logf("sseready gateway: %s: dropped %d bytes the upstream sent past its Content-Length", s.name, int64(n)-s.left)
			data = data[:s.left]
		}
		s.left -= int64(len(data))
	}
	if len(data) == 0 {
		return nil
	}
	if s.record != nil {
		if s.record.Len()+len(data) > s.g.cfg.BufferCap {
			// Too big to keep: relayed, not stored.
			s.g.logf("sseready gateway: %s: not cached: the response outgrew the cap of %d bytes", s.name, s.g.cfg.BufferCap)
			s.record, s.entry = nil, nil
		} else {
			s.record.Write(data)
		}
	}
	if s.win != nil {
		out, err := s.win.push(data)
		if err != nil {
			return err
		}
		return s.pass(out)
	}
	b := s.b
	if b.Unit == 0 && !b.HoldAll && s.held.Len() == 0 {
		// Streaming: frame the bytes where they lie and send them.
		return s.write(s.frame(*buf, len(data)))
	}
	return s.hold(data)
}

// pass sends body bytes on as the behaviour says (they are not in a
// pooled buffer: the window released them).
func (s *stream) pass(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if s.b.Unit == 0 && !s.b.HoldAll && s.held.Len() == 0 {
		return s.writeBody(data)
	}
	return s.hold(data)
}

// hold keeps body bytes and releases what the behaviour lets go of.
func (s *stream) hold(data []byte) error {
	s.held.Write(data)
	if s.b.HoldAll && s.held.Len() > s.g.cfg.BufferCap {
		return fmt.Errorf("the held response outgrew the cap of %d bytes", s.g.cfg.BufferCap)
	}
	return s.release(false)
}

// frame returns buf's n body bytes at [frameHead:] as the client's framing
// wants them, using the room around them.
func (s *stream) frame(buf []byte, n int) []byte {
	if s.out != chunked {
		return buf[frameHead : frameHead+n]
	}
	var size [16]byte
	hex := strconv.AppendInt(size[:0], int64(n), 16)
	start := frameHead - len(hex) - 2
	copy(buf[start:], hex)
	buf[frameHead-2], buf[frameHead-1] = '\r', '\n'
	buf[frameHead+n], buf[frameHead+n+1] = '\r', '\n'
	return buf[start : frameHead+n+2]
}

// release sends what the behaviour lets go of now: everything when
// streaming, whole units when buffering, nothing when holding (until the
// end, when all goes).
func (s *stream) release(end bool) error {
	b := s.b
	var unit int
	switch {
	case s.held.Len() == 0:
		return nil
	case end || (b.Unit == 0 && !b.HoldAll):
		unit = s.held.Len()
	case b.HoldAll:
		return nil
	default:
		unit = b.Unit
	}
	for s.held.Len() >= unit && s.held.Len() > 0 {
		if err := s.writeBody(s.held.Next(unit)); err != nil {
			return err
		}
	}
	if s.held.Len() == 0 {
		s.held = bytes.Buffer{} // let a held response's memory go
	}
	return nil
}

// writeBody frames p (of any size) and sends it.
func (s *stream) writeBody(p []byte) error {
	buf := getBuf()
	defer putBuf(buf)
	for len(p) > 0 {
		n := copy((*buf)[frameHead:frameHead+readSize], p)
		p = p[n:]
		if err := s.write(s.frame(*buf, n)); err != nil {
			return err
		}
	}
	return nil
}

// write sends p to the client. When the hop has an idle cut, a client
// that takes nothing for that long is cut too: nothing reaches it. The
// write deadline is set lazily (see setDeadline): when it passes early,
// it moves to the true one and the write goes on.
func (s *stream) write(p []byte) error {
	d := s.b.DownstreamIdle
	if d > 0 && s.writeDead.IsZero() {
		s.writeDead = s.lastDn.Add(d)
		_ = s.client.SetWriteDeadline(s.writeDead)
	}
	for {
		n, err := s.send(p)
		if err == nil {
			break
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return errClientGone // a write fails when the client has left
		}
		if n > 0 {
			s.lastDn = s.progress
		}
		if due := s.lastDn.Add(d); time.Now().Before(due) {
			s.writeDead = due
			_ = s.client.SetWriteDeadline(due)
			p = p[n:]
			continue
		}
		return s.downCut()
	}
	s.lastDn = time.Now()
	return nil
}

// send writes p to the client: itself (fdWrite) on a socket, where it
// can, else through the connection.
func (s *stream) send(p []byte) (int, error) {
	if s.clientRaw == nil {
		n, err := s.client.Write(p)
		if n > 0 {
			s.progress = time.Now() // at the deadline: the best known
		}
		return n, err
	}
	if s.sendFn == nil {
		s.sendFn = s.sendFD // one method value per stream, not one per write
	}
	s.pending, s.sent, s.sendErr = p, 0, nil
	err := s.clientRaw.Write(s.sendFn)
	if err == nil {
		err = s.sendErr
	}
	s.pending = nil
	return s.sent, err
}

// sendFD is send's callback from the poller: it writes what is pending,
// or returns false to wait until the socket takes more.
func (s *stream) sendFD(fd uintptr) bool {
	from := s.sent
	for s.sent < len(s.pending) {
		n, again, err := fdWrite(fd, s.pending[s.sent:])
		if again {
			if s.sent > from {
				s.progress = time.Now() // only a write that waits pays for the clock
			}
			return false
		}
		if err != nil {
			s.sendErr = err
			return true
		}
		s.sent += n
	}
	return true
}

func (s *stream) downCut() error {
	return &cutError{fmt.Sprintf("nothing reached the client for %s (idle timeout)", roundMS(s.b.DownstreamIdle))}
}

func (s *stream) upCut() error {
	clock := s.b.IdleClock
	if clock == "" {
		clock = "request timeout"
	}
	return &cutError{fmt.Sprintf("the upstream was silent for %s (%s)", roundMS(s.b.UpstreamIdle), clock)}
}

func (s *stream) totalCut() error {
	return &cutError{fmt.Sprintf("the response ran for %s (route timeout)", roundMS(s.b.Total))}
}

// roundMS rounds a scaled clock for people to read.
func roundMS(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d
	}
	return d.Round(time.Millisecond)
}

// due is when the hop's nearest clock runs out (zero: never).
func (s *stream) due() time.Time {
	b := s.b
	var d time.Time
	if b.UpstreamIdle > 0 {
		d = s.lastUp.Add(b.UpstreamIdle)
	}
	if b.DownstreamIdle > 0 {
		if dn := s.lastDn.Add(b.DownstreamIdle); d.IsZero() || dn.Before(d) {
			d = dn
		}
	}
	if b.Total > 0 {
		if end := s.start.Add(b.Total); d.IsZero() || end.Before(d) {
			d = end
		}
	}
	return d
}

// setDeadline arms the upstream read deadline, lazily: the clocks only
// move later, so a deadline set once is early at worst, and readError
// moves it when it passes early. A busy stream sets it once per period,
// not once per event.
func (s *stream) setDeadline() error {
	if !s.readDead.IsZero() {
		return nil
	}
	s.readDead = s.due()
	if s.readDead.IsZero() {
		return nil
	}
	return s.up.conn.SetReadDeadline(s.readDead)
}

// readError turns a failed upstream read into the stream's end.
func (s *stream) readError(err error) error {
	var ne net.Error
	switch {
	case s.gone.Load():
		return errClientGone
	case errors.As(err, &ne) && ne.Timeout():
		b := s.b
		if due := s.due(); time.Now().Before(due) {
			s.readDead = due
			return s.up.conn.SetReadDeadline(due)
		}
		if b.Total > 0 && !time.Now().Before(s.start.Add(b.Total)) {
			return s.totalCut()
		}
		if b.UpstreamIdle > 0 && !time.Now().Before(s.lastUp.Add(b.UpstreamIdle)) &&
			(b.DownstreamIdle == 0 || !s.lastUp.Add(b.UpstreamIdle).After(s.lastDn.Add(b.DownstreamIdle))) {
			return s.upCut()
		}
		return s.downCut()
	case errors.Is(err, io.EOF) && s.in == toClose:
		s.in = noBody // the body ended with the connection
		return nil
	case errors.Is(err, io.EOF):
		return fmt.Errorf("the upstream broke off: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("the upstream broke off: %w", err)
}

var errClientGone = errors.New("the client left")

// quiet reports err, or errClientGone when the client left (which is not
// worth a log line).
func (s *stream) quiet(err error) error {
	if s.gone.Load() {
		return errClientGone
	}
	return err
}

// watchClient waits for the client to close its connection (or send
// anything, which is dropped) without holding a buffer, and on a close
// ends the stream: the upstream connection closes with it.
func (s *stream) watchClient() {
	defer close(s.clientLeft)
	defer s.leave()
	sc, ok := s.client.(syscall.Conn)
	if !ok || !rawIO {
		_, _ = io.Copy(io.Discard, bufio.NewReaderSize(s.client, 16))
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	for {
		closed := false
		err := raw.Read(func(fd uintptr) bool {
			var b [64]byte
			n, again, err := fdRead(fd, b[:])
			if again {
				return false
			}
			closed = err != nil || n == 0
			return true
		})
		if err != nil || closed {
			return
		}
	}
}

// leave marks the client gone, unless the stream already finished, and
// closes the upstream so a waiting read returns.
func (s *stream) leave() {
	s.once.Do(func() {
		s.gone.Store(true)
		s.up.close()
	})
}

// finish closes both connections once the relay is done.
func (s *stream) finish() {
	s.once.Do(func() {})
	s.up.close()
	s.up.release()
	s.client.Close()
}
