package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
)

// Gateway is one emulated hop. It relays HTTP/1.x: after the response
// head it takes the client connection over (http.Hijacker), so an idle
// stream costs two goroutines and no buffers.
type Gateway struct {
	cfg Config
	// behavior is the hop's, for DefaultRequest; an API Management hop
	// (apim) derives each request's own.
	behavior Behavior
	apim     *apimHop
	// Logf reports cuts and failures (default log.Printf; nil: silent).
	Logf func(format string, args ...any)
	// OnCut, when set, receives each cut, from the stream's goroutine.
	OnCut func(Cut)

	// done ends with Close: waits for upstreams stop.
	done  context.Context
	close context.CancelFunc

	mu     sync.Mutex
	cache  responseCache
	active map[*stream]struct{}
	closed bool
	wg     sync.WaitGroup // requests in flight and streams
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
	var h *apimHop
	var b Behavior
	var err error
	if cfg.APIM != nil {
		if h, err = newAPIMHop(cfg); err != nil {
			return nil, err
		}
		b = h.behaviorFor(DefaultRequest())
	} else if b, err = Derive(cfg); err != nil {
		return nil, err
	}
	g := &Gateway{
		cfg:      cfg,
		behavior: b,
		apim:     h,
		Logf:     log.Printf,
		cache:    responseCache{max: cacheBytes(cfg.BufferCap)},
		active:   map[*stream]struct{}{},
	}
	g.done, g.close = context.WithCancel(context.Background())
	return g, nil
}

// Behavior is what the hop does with DefaultRequest, an EventSource's
// GET.
func (g *Gateway) Behavior() Behavior { return g.behavior }

// BehaviorFor is what the hop does with req: on an API Management hop,
// the request's path through the policy decides.
func (g *Gateway) BehaviorFor(req apimcheck.Request) Behavior {
	if g.apim == nil {
		return g.behavior
	}
	return g.apim.behaviorFor(req)
}

// Close ends the requests and streams in flight, as if their clients
// left, and waits for them. The hop answers 503 afterwards and forwards
// nothing.
func (g *Gateway) Close() {
	g.mu.Lock()
	g.closed = true
	g.close()
	for s := range g.active {
		s.leave()
		s.client.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

// enter counts a request in, unless the hop is closed.
func (g *Gateway) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

var errClosed = errors.New("the gateway closed")

func (g *Gateway) track(s *stream) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.active[s] = struct{}{}
	g.wg.Add(1)
	return true
}

func (g *Gateway) untrack(s *stream) {
	g.mu.Lock()
	delete(g.active, s)
	g.mu.Unlock()
	g.wg.Done()
}

// Cut is a response a hop's clock cut.
type Cut struct {
	// Request is the request's method and URI.
	Request string `json:"request"`
	// Reason says which clock ran out after how long.
	Reason string `json:"reason"`
	// Silent: the hop dropped the flow and told the client nothing.
	Silent bool `json:"silent"`
}

func (c Cut) String() string {
	s := c.Request + ": cut: " + c.Reason
	if c.Silent {
		s += "; " + silentNote
	}
	return s
}

// silentNote ends a silent cut's description.
const silentNote = "the flow was dropped silently: the client's connection stays open and hears nothing more"

// cut logs a cut and hands it to OnCut.
func (g *Gateway) cut(c Cut) {
	g.logf("sseready gateway: %s", c)
	if g.OnCut != nil {
		g.OnCut(c)
	}
}

func (g *Gateway) logf(format string, args ...any) {
	if g.Logf != nil {
		g.Logf(format, args...)
	}
}

// hopHeaders are not forwarded (RFC 9110, 7.6.1), nor are the headers
// a Connection header names.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.enter() {
		http.Error(w, "the gateway is closing", http.StatusServiceUnavailable)
		return
	}
	defer g.wg.Done()
	b, preq, ok := g.behaviorOf(w, r)
	if !ok {
		return
	}
	switch {
	case b.Refuse != "":
		w.Header().Set("X-Sseready-Gateway", b.String())
		http.Error(w, "refused: "+b.Refuse, http.StatusServiceUnavailable)
		return
	case b.Answer != nil && !b.Answer.AfterBackend:
		writeAnswer(w, b)
		return
	}
	key := r.Method + " " + r.URL.RequestURI()
	// APIM's cache-store keeps GET responses only (FACTS.md caching; see
	// Assumptions), and only 200s.
	cacheable := b.Cache && r.Method == http.MethodGet
	if cacheable {
		if c := g.cached(key); c != nil {
			copyHeader(w.Header(), c.header)
			for _, e := range b.Headers {
				e.apply(w.Header())
			}
			w.Header().Add("X-Sseready-Gateway", b.String())
			w.Header().Set("X-Sseready-Cache", "hit")
			w.WriteHeader(c.status)
			_, _ = w.Write(c.body)
			return
		}
	}
	hj, ok := w.(http.Hijacker)
	if !ok || r.ProtoMajor != 1 {
		http.Error(w, "the sseready gateway relays HTTP/1.x only", http.StatusHTTPVersionNotSupported)
		return
	}

	start := time.Now()
	up, resp, rest, err := g.forward(r, b)
	if err != nil {
		switch {
		case errors.Is(err, errHeaderTimeout) && b.SilentCut:
			g.dropSilently(hj, key, err)
		case errors.Is(err, errHeaderTimeout):
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
		case errors.Is(err, errClosed) || g.done.Err() != nil:
			http.Error(w, "the gateway is closing", http.StatusServiceUnavailable)
		case r.Context().Err() == nil:
			http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
		}
		return
	}
	if b.AwaitsResponse {
		// <outbound> runs for this response: a cache-store in a branch it
		// does not take stores nothing.
		preq.Response = &apimcheck.Response{StatusCode: resp.StatusCode, StatusReason: statusReason(resp), Header: resp.Header}
		b = g.apim.behaviorFor(preq)
		cacheable = cacheable && b.Cache
	}
	if b.Answer != nil {
		// An <outbound> answer: the backend answered, and its response
		// is dropped.
		up.close()
		up.release()
		writeAnswer(w, b)
		return
	}
	conn, _, err := hj.Hijack() // bytes the client sent after its request are not served
	if err != nil {
		up.close()
		up.release()
		g.logf("sseready gateway: %s: %v", key, err)
		return
	}
	// The server's deadlines stay on a hijacked connection; the hop's
	// clocks are its own.
	_ = conn.SetDeadline(time.Time{})
	s := &stream{g: g, b: b, up: up, client: conn, name: key, in: bodyFraming(resp), left: resp.ContentLength,
		start: start, clientLeft: make(chan struct{})}
	if b.Window > 0 {
		s.win = newSafetyWindow(b.Window, b.Block, g.cfg.BufferCap)
	}
	if sc, ok := conn.(syscall.Conn); ok && rawIO {
		s.clientRaw, _ = sc.SyscallConn()
	}
	if cacheable && resp.StatusCode == http.StatusOK {
		s.record = &bytes.Buffer{}
		s.entry = &cached{status: resp.StatusCode, header: resp.Header.Clone()}
	}
	if !g.track(s) {
		s.finish()
		return
	}
	// Hops nearer the client add theirs after the upstream hops'.
	extra := http.Header{"X-Sseready-Gateway": {b.String()}}
	if cacheable {
		extra.Set("X-Sseready-Cache", "miss")
	}
	if err := s.writeHead(r, resp, extra); err != nil {
		s.finish()
		g.untrack(s)
		return
	}
	// The relay goes on in a goroutine of its own, so the server's, with
	// its deeper stack, ends here.
	go func() {
		defer g.untrack(s)
		s.run(rest)
	}()
}

// behaviorOf is what the hop does with r, and the request the policy ran
// for. An API Management hop reads the request's body first (up to
// BufferCap), to run the policy for it, and forwards the same body.
func (g *Gateway) behaviorOf(w http.ResponseWriter, r *http.Request) (Behavior, apimcheck.Request, bool) {
	if g.apim == nil {
		return g.behavior, apimcheck.Request{}, true
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(g.cfg.BufferCap)+1))
	switch {
	case err != nil:
		http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
		return Behavior{}, apimcheck.Request{}, false
	case len(body) > g.cfg.BufferCap:
		http.Error(w, fmt.Sprintf("the request body outgrew the cap of %d bytes", g.cfg.BufferCap), http.StatusRequestEntityTooLarge)
		return Behavior{}, apimcheck.Request{}, false
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	req := apimcheck.Request{Method: r.Method, Header: r.Header, Body: body}
	return g.apim.behaviorFor(req), req, true
}

// statusReason is the reason phrase of resp's status line ("OK").
func statusReason(resp *http.Response) string {
	return strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
}

// dropSilently answers a request whose flow the hop dropped with nothing:
// the client's connection stays open, hearing nothing, until the client
// leaves or the hop closes.
func (g *Gateway) dropSilently(hj http.Hijacker, key string, cause error) {
	g.cut(Cut{Request: key, Reason: cause.Error(), Silent: true})
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Time{})
	left := make(chan struct{})
	go func() {
		defer close(left)
		_, _ = io.Copy(io.Discard, conn)
	}()
	select {
	case <-left:
	case <-g.done.Done():
	}
}

func (g *Gateway) cached(key string) *cached {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cache.get(key)
}

func (g *Gateway) store(key string, c *cached) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cache.put(key, c)
}

// copyHeader copies src's end-to-end headers into dst.
func copyHeader(dst, src http.Header) {
	var named []string
	for _, v := range src["Connection"] {
		for _, tok := range strings.Split(v, ",") {
			named = append(named, strings.TrimSpace(tok))
		}
	}
	for k, vs := range src {
		skip := false
		for _, h := range hopHeaders {
			skip = skip || strings.EqualFold(k, h)
		}
		for _, h := range named {
			skip = skip || strings.EqualFold(k, h)
		}
		if !skip {
			dst[k] = append([]string(nil), vs...)
		}
	}
}
