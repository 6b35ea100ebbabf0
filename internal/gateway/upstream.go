package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The relay reads into pooled buffers, leaving frameHead bytes in front
// for a chunk-size line and 2 behind for its CRLF, so a read goes out as
// one write without a copy. A stream holds a buffer only while it moves
// bytes: an idle stream holds none.
const (
	readSize  = 16 << 10
	frameHead = 18 // 16 hex digits and CRLF
)

var bufPool = sync.Pool{New: func() any { return newBuf() }}

func newBuf() *[]byte { b := make([]byte, frameHead+readSize+2); return &b }

// buffersOut counts pooled buffers in use, so tests can tell that idle
// streams hold none.
var buffersOut atomic.Int64

func getBuf() *[]byte {
	buffersOut.Add(1)
	if b, ok := bufPool.Get().(*[]byte); ok {
		return b
	}
	return newBuf() // not reached: the pool holds *[]byte only
}

func putBuf(b *[]byte) {
	buffersOut.Add(-1)
	bufPool.Put(b)
}

var headPool = sync.Pool{New: func() any { return newHeadReader() }}

func newHeadReader() *bufio.Reader { return bufio.NewReaderSize(nil, 4<<10) }

var errHeaderTimeout = errors.New("the upstream sent no response headers in time")

// upstream is the connection to the next hop, one per request: streams are
// long, so the hop does not pool connections.
type upstream struct {
	conn net.Conn
	raw  syscall.RawConn // nil when reads must go through conn (TLS)
	// buf is the read buffer when raw is nil.
	buf *[]byte
	// eachFD, handle and gotErr carry each's callbacks and its result
	// without an allocation per read.
	eachFD func(fd uintptr) bool
	handle func(buf *[]byte, n int) (stop bool)
	gotErr error
}

// dial connects to the upstream, over TLS for https.
func (g *Gateway) dial(ctx context.Context) (*upstream, error) {
	u := g.cfg.Upstream
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	conn, err := (&net.Dialer{Timeout: 30 * time.Second}).DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if g.cfg.TLSConfig != nil {
			cfg = g.cfg.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return &upstream{conn: tc, buf: getBuf()}, nil
	}
	up := &upstream{conn: conn}
	if sc, ok := conn.(syscall.Conn); ok && rawIO {
		up.raw, _ = sc.SyscallConn()
	}
	if up.raw == nil {
		up.buf = getBuf()
	}
	return up, nil
}

func (u *upstream) close() {
	u.conn.Close()
}

// release returns the connection's own buffer, if it has one.
func (u *upstream) release() {
	if u.buf != nil {
		putBuf(u.buf)
		u.buf = nil
	}
}

// each reads the upstream and hands every chunk to handle, in a buffer
// handle must not keep (n bytes at [frameHead:frameHead+n]), until handle
// says stop, the read fails, or the read deadline passes (the error).
//
// On a plain TCP connection the whole run is one poller wait loop
// (RawConn.Read), and no buffer is held while it waits. A read shorter
// than the buffer drained the socket, so the loop goes straight back to
// waiting: the poller's next edge wakes it, with no empty read between
// events (nginx does the same; see BENCHMARKS.md). Only a new RawConn.Read
// forgets a readiness the poller saw before it, which is why every call
// starts with a read: a wait first could wait for bytes already there,
// and a sender blocked on a full window would never send the edge.
func (u *upstream) each(handle func(buf *[]byte, n int) (stop bool)) error {
	if u.raw == nil {
		n, err := u.conn.Read((*u.buf)[frameHead : frameHead+readSize])
		if n > 0 && handle(u.buf, n) {
			return nil
		}
		return err
	}
	if u.eachFD == nil {
		u.eachFD = u.readLoop // one method value per stream, not one per wait
	}
	u.handle, u.gotErr = handle, nil
	if err := u.raw.Read(u.eachFD); err != nil {
		return err
	}
	return u.gotErr
}

// readLoop is each's callback from the poller: it returns false to wait
// for the next edge, true to end the RawConn.Read.
func (u *upstream) readLoop(fd uintptr) bool {
	for {
		b := getBuf()
		n, again, err := fdRead(fd, (*b)[frameHead:frameHead+readSize])
		switch {
		case again:
			putBuf(b)
			return false
		case err != nil:
			putBuf(b)
			u.gotErr = err
			return true
		case n == 0:
			putBuf(b)
			u.gotErr = io.EOF
			return true
		}
		stop := u.handle(b, n)
		putBuf(b)
		if stop {
			return true
		}
		if n < readSize {
			return false
		}
	}
}

// forward sends the request upstream and reads the response head, within
// the hop's header timeout. It returns the head and the body bytes that
// arrived with it.
func (g *Gateway) forward(r *http.Request, b Behavior) (*upstream, *http.Response, []byte, error) {
	// Connecting counts against the header timeout too, so an upstream
	// that never answers is a 504 on the hop's clock.
	wait := 30 * time.Second
	if t := b.HeaderTimeout; t > 0 {
		wait = min(wait, t)
	}
	dialCtx, cancel := context.WithTimeout(r.Context(), wait)
	stopDial := context.AfterFunc(g.done, cancel)
	up, err := g.dial(dialCtx)
	stopDial()
	cancel()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil && g.done.Err() == nil {
			return nil, nil, nil, fmt.Errorf("%w (%s): connecting", errHeaderTimeout, b.HeaderTimeout)
		}
		return nil, nil, nil, err
	}
	fail := func(err error) (*upstream, *http.Response, []byte, error) {
		up.close()
		up.release()
		return nil, nil, nil, err
	}
	// The client leaving, or the hop closing, ends the wait.
	stop := context.AfterFunc(r.Context(), up.close)
	defer stop()
	stopOnClose := context.AfterFunc(g.done, up.close)
	defer stopOnClose()
	if t := b.HeaderTimeout; t > 0 {
		_ = up.conn.SetDeadline(time.Now().Add(t))
	}
	timedOut := func(err error) bool {
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}

	out := g.outgoing(r)
	bw := bufio.NewWriterSize(up.conn, 4<<10)
	if err := out.Write(bw); err != nil {
		if timedOut(err) {
			return fail(fmt.Errorf("%w (%s)", errHeaderTimeout, b.HeaderTimeout))
		}
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	br, ok := headPool.Get().(*bufio.Reader)
	if !ok {
		br = newHeadReader() // not reached: the pool holds *bufio.Reader only
	}
	// Go's reader drops a response's Connection header when it says
	// close, and with it the headers it names: keep the head's bytes to
	// read them.
	rec := &headRecorder{r: up.conn}
	br.Reset(rec)
	defer func() { br.Reset(nil); headPool.Put(br) }()
	var resp *http.Response
	for {
		resp, err = http.ReadResponse(br, out)
		if err != nil {
			if timedOut(err) {
				return fail(fmt.Errorf("%w (%s)", errHeaderTimeout, b.HeaderTimeout))
			}
			return fail(fmt.Errorf("reading the response head: %w", err))
		}
		// Interim responses (103 Early Hints) are not relayed.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	for _, name := range connectionTokens(rec.buf) {
		resp.Header.Del(name)
	}
	if !stop() {
		return fail(r.Context().Err())
	}
	if !stopOnClose() {
		return fail(errClosed)
	}
	_ = up.conn.SetDeadline(time.Time{})
	rest, _ := br.Peek(br.Buffered())
	return up, resp, append([]byte(nil), rest...), nil
}

// headRecorder keeps the first bytes read through it: the response head.
type headRecorder struct {
	r   io.Reader
	buf []byte
}

func (h *headRecorder) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if len(h.buf) < maxHeadBytes {
		h.buf = append(h.buf, p[:n]...)
	}
	return n, err
}

// maxHeadBytes bounds the head kept for its Connection header.
const maxHeadBytes = 64 << 10

// connectionTokens returns the header names the Connection headers of the
// response heads in head list (RFC 9110, 7.6.1).
func connectionTokens(head []byte) []string {
	var out []string
	for len(head) > 0 {
		line, rest, _ := bytes.Cut(head, []byte("\n"))
		head = rest
		name, value, ok := bytes.Cut(bytes.TrimRight(line, "\r"), []byte(":"))
		if !ok || !strings.EqualFold(string(name), "Connection") {
			continue
		}
		for _, tok := range strings.Split(string(value), ",") {
			if tok = strings.TrimSpace(tok); tok != "" && !strings.EqualFold(tok, "close") && !strings.EqualFold(tok, "keep-alive") {
				out = append(out, tok)
			}
		}
	}
	return out
}

// outgoing is the request to send upstream: the client's, minus the hop
// headers, with X-Forwarded-For, closing the connection after the response.
func (g *Gateway) outgoing(r *http.Request) *http.Request {
	target := *g.cfg.Upstream
	target.Path, target.RawPath = joinPath(g.cfg.Upstream, r.URL)
	switch {
	case target.RawQuery == "":
		target.RawQuery = r.URL.RawQuery
	case r.URL.RawQuery != "":
		// The upstream's own query (an Azure Functions ?code=) stays.
		target.RawQuery += "&" + r.URL.RawQuery
	}
	out := &http.Request{
		Method:        r.Method,
		URL:           &target,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          r.Body,
		ContentLength: r.ContentLength,
		Host:          target.Host,
		Close:         true,
	}
	if r.ContentLength == 0 {
		out.Body = nil
	}
	copyHeader(out.Header, r.Header)
	// The server in front has answered any Expect: 100-continue already.
	out.Header.Del("Expect")
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = nil // as a proxy: add none of Go's
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		out.Header.Add("X-Forwarded-For", host)
	}
	return out
}

// joinPath puts the request's path under the upstream's, keeping escapes
// such as %2F as the client wrote them.
func joinPath(up, req *url.URL) (path, rawPath string) {
	base := strings.TrimSuffix(up.Path, "/")
	if up.RawPath == "" && req.RawPath == "" {
		return base + req.Path, ""
	}
	return base + req.Path, strings.TrimSuffix(up.EscapedPath(), "/") + req.EscapedPath()
}
