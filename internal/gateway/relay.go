package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Gateway is one emulated hop.
type Gateway struct {
	cfg      Config
	behavior Behavior
	client   *http.Client
	// Logf reports cuts and failures (default log.Printf; nil: silent).
	Logf func(format string, args ...any)

	mu    sync.Mutex
	cache map[string]*cached
}

type cached struct {
	status int
	header http.Header
	body   []byte
}

// New builds a hop from its configuration.
func New(cfg Config) (*Gateway, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	b, err := Derive(cfg)
	if err != nil {
		return nil, err
	}
	return &Gateway{
		cfg:      cfg,
		behavior: b,
		// No client timeout: the hop's own clocks decide, and a stream may
		// last forever. Proxy settings from the environment are ignored:
		// hops talk to each other directly.
		client: &http.Client{Transport: &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 64}},
		Logf:   log.Printf,
		cache:  map[string]*cached{},
	}, nil
}

// Behavior is what the hop does with a stream.
func (g *Gateway) Behavior() Behavior { return g.behavior }

// Close releases idle upstream connections.
func (g *Gateway) Close() { g.client.CloseIdleConnections() }

func (g *Gateway) logf(format string, args ...any) {
	if g.Logf != nil {
		g.Logf(format, args...)
	}
}

// hopHeaders are not forwarded (RFC 9110, 7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := g.behavior
	switch {
	case b.Refuse != "":
		w.Header().Set("X-Sseready-Gateway", b.String())
		http.Error(w, "refused: "+b.Refuse, http.StatusServiceUnavailable)
		return
	case b.NoForward != "":
		w.Header().Set("X-Sseready-Gateway", b.String())
		http.Error(w, "not forwarded: "+b.NoForward, http.StatusInternalServerError)
		return
	}
	key := r.Method + " " + r.URL.RequestURI()
	if b.Cache {
		if c := g.cached(key); c != nil {
			copyHeader(w.Header(), c.header)
			w.Header().Add("X-Sseready-Gateway", b.String())
			w.Header().Set("X-Sseready-Cache", "hit")
			w.WriteHeader(c.status)
			_, _ = w.Write(c.body)
			return
		}
	}

	resp, err := g.forward(r)
	if err != nil {
		if errors.Is(err, errHeaderTimeout) {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		if r.Context().Err() == nil {
			http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
		}
		return
	}
	defer resp.Body.Close()
	copyHeader(w.Header(), resp.Header)
	// Hops nearer the client add theirs after the upstream hops'.
	w.Header().Add("X-Sseready-Gateway", b.String())
	w.WriteHeader(resp.StatusCode)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	var record *bytes.Buffer
	if b.Cache {
		record = &bytes.Buffer{}
	}
	if err := g.relay(w, resp.Body, record); err != nil {
		if r.Context().Err() != nil {
			return // the client left; the upstream request is cancelled with it
		}
		g.logf("sseready gateway: %s %s: %v", r.Method, r.URL.RequestURI(), err)
		// Abort the response without ending it: the client sees the
		// connection drop, as from a gateway that cuts it.
		panic(http.ErrAbortHandler)
	}
	if record != nil {
		g.store(key, &cached{status: resp.StatusCode, header: resp.Header.Clone(), body: record.Bytes()})
	}
}

var errHeaderTimeout = errors.New("the upstream sent no response headers in time")

// forward sends the request upstream and waits for the response headers
// no longer than the hop's header timeout.
func (g *Gateway) forward(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(r.Context())
	target := *g.cfg.Upstream
	target.Path = strings.TrimSuffix(target.Path, "/") + r.URL.Path
	target.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(ctx, r.Method, target.String(), r.Body)
	if err != nil {
		cancel()
		return nil, err
	}
	copyHeader(out.Header, r.Header)
	out.Header.Add("X-Forwarded-For", strings.Split(r.RemoteAddr, ":")[0])

	var timedOut atomic.Bool
	var timer *time.Timer
	if t := g.behavior.HeaderTimeout; t > 0 {
		timer = time.AfterFunc(t, func() { timedOut.Store(true); cancel() })
	}
	resp, err := g.client.Do(out)
	if timer != nil && !timer.Stop() && timedOut.Load() {
		if resp != nil {
			resp.Body.Close()
		}
		cancel()
		return nil, fmt.Errorf("%w (%s)", errHeaderTimeout, g.behavior.HeaderTimeout)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	// The request context stays live with the body; closing it cancels.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// chunk is one read from upstream.
type chunk struct {
	data []byte
	err  error
}

// relay copies the body as the hop's behaviour says, and returns an error
// when the hop cuts the stream (a clock ran out, the upstream broke off,
// a held response outgrew the cap).
func (g *Gateway) relay(w http.ResponseWriter, body io.Reader, record *bytes.Buffer) error {
	b := g.behavior
	flush := func() {}
	if f, ok := w.(http.Flusher); ok {
		flush = f.Flush
	}
	// One reader goroutine; its channel holds at most one read, so a slow
	// client slows the upstream reads down (memory stays bounded).
	reads := make(chan chunk)
	done := make(chan struct{})
	defer close(done)
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := body.Read(buf)
			data := append([]byte(nil), buf[:n]...)
			select {
			case reads <- chunk{data, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	var held bytes.Buffer
	write := func(p []byte) error {
		if record != nil {
			if record.Len()+len(p) > g.cfg.BufferCap {
				return fmt.Errorf("the response outgrew the cache cap of %d bytes", g.cfg.BufferCap)
			}
			record.Write(p)
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
		flush()
		return nil
	}
	timer := func(d time.Duration) (<-chan time.Time, func()) {
		if d <= 0 {
			return nil, func() {}
		}
		t := time.NewTimer(d)
		return t.C, func() {
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			t.Reset(d)
		}
	}
	upIdle, upReset := timer(b.UpstreamIdle)
	downIdle, downReset := timer(b.DownstreamIdle)
	for {
		select {
		case <-upIdle:
			return fmt.Errorf("cut: the upstream was silent for %s (request timeout)", b.UpstreamIdle)
		case <-downIdle:
			return fmt.Errorf("cut: nothing reached the client for %s (idle timeout)", b.DownstreamIdle)
		case c := <-reads:
			upReset()
			if len(c.data) > 0 {
				held.Write(c.data)
				if b.HoldAll && held.Len() > g.cfg.BufferCap {
					return fmt.Errorf("the held response outgrew the cap of %d bytes", g.cfg.BufferCap)
				}
				sent, err := g.release(&held, write, false)
				if err != nil {
					return err
				}
				if sent {
					downReset()
				}
			}
			if c.err == io.EOF {
				_, err := g.release(&held, write, true)
				return err
			}
			if c.err != nil {
				return fmt.Errorf("the upstream broke off: %w", c.err)
			}
		}
	}
}

// release sends what the behaviour lets go of now: everything when
// streaming, whole units when buffering, nothing when holding (until the
// end, when all goes).
func (g *Gateway) release(held *bytes.Buffer, write func([]byte) error, end bool) (bool, error) {
	b := g.behavior
	sent := false
	switch {
	case end || (b.Unit == 0 && !b.HoldAll):
		if held.Len() > 0 {
			if err := write(held.Bytes()); err != nil {
				return false, err
			}
			held.Reset()
			sent = true
		}
	case b.HoldAll:
	default:
		for held.Len() >= b.Unit {
			if err := write(held.Next(b.Unit)); err != nil {
				return sent, err
			}
			sent = true
		}
	}
	return sent, nil
}

func (g *Gateway) cached(key string) *cached {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cache[key]
}

func (g *Gateway) store(key string, c *cached) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cache[key] = c
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		skip := false
		for _, h := range hopHeaders {
			skip = skip || strings.EqualFold(k, h)
		}
		if !skip {
			dst[k] = append([]string(nil), vs...)
		}
	}
}
