package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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

var bufPool = sync.Pool{New: func() any { b := make([]byte, frameHead+readSize+2); return &b }}

// buffersOut counts pooled buffers in use, so tests can tell that idle
// streams hold none.
var buffersOut atomic.Int64

func getBuf() *[]byte {
	buffersOut.Add(1)
	return bufPool.Get().(*[]byte)
}

func putBuf(b *[]byte) {
	buffersOut.Add(-1)
	bufPool.Put(b)
}

var headPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4<<10) }}

var errHeaderTimeout = errors.New("the upstream sent no response headers in time")

// upstream is the connection to the next hop, one per request: streams are
// long, so the hop does not pool connections.
type upstream struct {
	conn net.Conn
	raw  syscall.RawConn // nil when reads must go through conn (TLS)
	// buf is the read buffer when raw is nil.
	buf *[]byte
	// readFn and got* carry read's callback and its result without an
	// allocation per read.
	readFn func(fd uintptr) bool
	got    *[]byte
	gotN   int
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

// read waits for bytes (or the read deadline) and returns a buffer holding
// n of them at [frameHead:frameHead+n]. The caller puts the buffer back in
// bufPool unless it is the connection's own. On a plain TCP connection
// the wait holds no buffer: the read happens inside the poller's callback.
func (u *upstream) read() (buf *[]byte, n int, err error) {
	if u.raw == nil {
		n, err = u.conn.Read((*u.buf)[frameHead : frameHead+readSize])
		return u.buf, n, err
	}
	if u.readFn == nil {
		u.readFn = u.readFD // one method value per stream, not one per read
	}
	u.got, u.gotN, u.gotErr = nil, 0, nil
	if err := u.raw.Read(u.readFn); err != nil {
		return nil, 0, err
	}
	buf, n = u.got, u.gotN
	switch {
	case u.gotErr != nil:
		putBuf(buf)
		return nil, 0, u.gotErr
	case n == 0:
		putBuf(buf)
		return nil, 0, io.EOF
	}
	return buf, n, nil
}

// readFD is read's callback from the poller: it reads into a pooled
// buffer, or returns false to wait when there is nothing to read. It must
// try the read before it waits: RawConn.Read forgets a readiness the
// poller saw before the call, so waiting first could wait for bytes that
// are already there (and a sender blocked on a full window would never
// send the edge that wakes it).
func (u *upstream) readFD(fd uintptr) bool {
	b := getBuf()
	n, again, err := fdRead(fd, (*b)[frameHead:frameHead+readSize])
	if again {
		putBuf(b)
		return false
	}
	u.got, u.gotN, u.gotErr = b, n, err
	return true
}

// ownsBuffer reports whether buf is the connection's own (not pooled).
func (u *upstream) ownsBuffer(buf *[]byte) bool { return buf == u.buf }

// forward sends the request upstream and reads the response head, within
// the hop's header timeout. It returns the head and the body bytes that
// arrived with it.
func (g *Gateway) forward(r *http.Request) (*upstream, *http.Response, []byte, error) {
	up, err := g.dial(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	fail := func(err error) (*upstream, *http.Response, []byte, error) {
		up.close()
		up.release()
		return nil, nil, nil, err
	}
	// The client leaving while the hop waits ends the wait.
	stop := context.AfterFunc(r.Context(), up.close)
	defer stop()
	if t := g.behavior.HeaderTimeout; t > 0 {
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
			return fail(fmt.Errorf("%w (%s)", errHeaderTimeout, g.behavior.HeaderTimeout))
		}
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	br := headPool.Get().(*bufio.Reader)
	br.Reset(up.conn)
	defer func() { br.Reset(nil); headPool.Put(br) }()
	var resp *http.Response
	for {
		resp, err = http.ReadResponse(br, out)
		if err != nil {
			if timedOut(err) {
				return fail(fmt.Errorf("%w (%s)", errHeaderTimeout, g.behavior.HeaderTimeout))
			}
			return fail(fmt.Errorf("reading the response head: %w", err))
		}
		// Interim responses (103 Early Hints) are not relayed.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	if !stop() {
		return fail(r.Context().Err())
	}
	_ = up.conn.SetDeadline(time.Time{})
	rest, _ := br.Peek(br.Buffered())
	return up, resp, append([]byte(nil), rest...), nil
}

// outgoing is the request to send upstream: the client's, minus the hop
// headers, with X-Forwarded-For, closing the connection after the response.
func (g *Gateway) outgoing(r *http.Request) *http.Request {
	target := *g.cfg.Upstream
	target.Path = strings.TrimSuffix(target.Path, "/") + r.URL.Path
	target.RawPath = ""
	target.RawQuery = r.URL.RawQuery
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
	out.Header.Add("X-Forwarded-For", strings.Split(r.RemoteAddr, ":")[0])
	return out
}
