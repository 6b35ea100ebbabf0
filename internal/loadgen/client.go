package loadgen

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/sse"
)

// target is where the streams connect.
type target struct {
	url     string
	addr    string // host:port
	tls     *tls.Config
	display string
	// client makes MCP sessions' requests (Options.MCP).
	client *http.Client
}

func newTarget(o Options) (*target, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, err
	}
	t := &target{url: o.URL, addr: u.Host, display: (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()}
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		t.addr = net.JoinHostPort(u.Hostname(), port)
	}
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if o.TLSConfig != nil {
			cfg = o.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		// One stream per connection, as EventSources on HTTP/1.1: no
		// HTTP/2 multiplexing the streams onto one.
		cfg.NextProtos = []string{"http/1.1"}
		t.tls = cfg
	}
	if o.MCP != nil {
		t.client = mcpClient(t, o)
	}
	return t, nil
}

// readBufferSize is the connection's buffered reader: response headers
// and chunk framing pass through it. Event data is read into a pooled
// buffer only once bytes are there.
const readBufferSize = 1024

// open connects, sends the request and reads the response headers. It
// returns the kind of failure when the stream did not open.
func (s *stream) open(ctx context.Context) (net.Conn, *bufio.Reader, *http.Response, Kind) {
	deadline := time.Now().Add(s.opts.HeadersTimeout)
	d := net.Dialer{Deadline: deadline}
	c, err := d.DialContext(ctx, "tcp", s.t.addr)
	if err != nil {
		return nil, nil, nil, classifyOpen(err, KindConnect)
	}
	if s.t.tls != nil {
		tc := tls.Client(c, s.t.tls)
		hctx, cancel := context.WithDeadline(ctx, deadline)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			c.Close()
			return nil, nil, nil, classifyOpen(err, KindTLS)
		}
		c = tc
	}
	c = &idleConn{Conn: c} // armed once the stream opens
	_ = c.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req, err := s.opts.Request.HTTP(ctx, s.t.url)
	if err != nil {
		c.Close()
		return nil, nil, nil, KindProtocol
	}
	if err := req.Write(c); err != nil {
		c.Close()
		return nil, nil, nil, classifyOpen(err, KindConnect)
	}
	br := bufio.NewReaderSize(c, readBufferSize)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		c.Close()
		return nil, nil, nil, classifyOpen(err, KindProtocol)
	}
	switch {
	case resp.StatusCode != http.StatusOK:
		c.Close()
		return nil, nil, nil, StatusKind(resp.StatusCode)
	case !sse.ContentTypeOK(resp.Header.Get("Content-Type")):
		c.Close()
		return nil, nil, nil, KindNotSSE
	}
	_ = c.SetDeadline(time.Time{})
	return c, br, resp, ""
}

// classifyOpen names a failure before the stream opened: a timeout is
// the headers timeout, the rest is the step's kind.
func classifyOpen(err error, step Kind) Kind {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return KindHeadersTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return KindHeadersTimeout
	}
	if step == KindProtocol && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)) {
		// Closed before any response: the server refused the stream by
		// hanging up.
		return KindConnect
	}
	return step
}
