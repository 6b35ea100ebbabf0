// Package chainrun runs a whole emulated path on loopback: the test
// origin and, in front of it, emulated gateway hops, each pointing at the
// next (client, App Gateway, API Management, origin). The acceptance
// tests and `sseready prove` run their chains with it.
package chainrun

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// Hop is one emulated gateway; its Config's Upstream is set by Start.
type Hop struct {
	// Name names the hop in the log, such as "app_gateway" or "apim".
	Name   string
	Config gateway.Config
}

// Chain is a running path.
type Chain struct {
	// URL is the entry: the first hop's, or the origin's without hops.
	URL string
	// Hops are the running hops, client side first; names are theirs.
	Hops  []*gateway.Gateway
	names []string

	servers []*http.Server
	mu      sync.Mutex
	log     []string
	cuts    []Cut
	logf    func(string)
	// silent closes at the first silent cut.
	silent     chan struct{}
	silentOnce sync.Once
	// rec records when each event passed each server (nil: no trace).
	rec *recorder
}

// Cut is a cut one of the chain's hops made.
type Cut struct {
	// Hop is the hop's name.
	Hop string `json:"hop"`
	gateway.Cut
}

func (c Cut) String() string { return c.Hop + ": " + c.Cut.String() }

// Start runs the origin and the hops, given client side first, on
// 127.0.0.1. logf, when not nil, receives each line a hop logs, prefixed
// with the hop's name; it is called from the hops' goroutines.
func Start(o origin.Config, hops []Hop, logf func(line string)) (*Chain, error) {
	return start(o, hops, logf, nil)
}

// start is Start, with the taps of a trace when rec is not nil.
func start(o origin.Config, hops []Hop, logf func(line string), rec *recorder) (*Chain, error) {
	c := &Chain{logf: logf, silent: make(chan struct{}), rec: rec}
	oh, err := origin.New(o)
	if err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	next, err := c.serve(oh, originName)
	if err != nil {
		return nil, err
	}
	// Build from the origin outwards: each hop's upstream is the next.
	gws := make([]*gateway.Gateway, len(hops))
	for i := len(hops) - 1; i >= 0; i-- {
		cfg := hops[i].Config
		cfg.Upstream = next
		g, err := gateway.New(cfg)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: %w", hops[i].Name, err)
		}
		name := hops[i].Name
		g.Logf = func(format string, args ...any) { c.record(name, fmt.Sprintf(format, args...)) }
		g.OnCut = func(cut gateway.Cut) { c.recordCut(Cut{Hop: name, Cut: cut}) }
		gws[i] = g
		if next, err = c.serve(g, name); err != nil {
			c.Close()
			return nil, err
		}
	}
	c.Hops = gws
	for _, h := range hops {
		c.names = append(c.names, h.Name)
	}
	c.URL = next.String()
	return c, nil
}

func (c *Chain) serve(h http.Handler, name string) (*url.URL, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if c.rec != nil {
		ln = tapListener{Listener: ln, rec: c.rec, server: name}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	c.servers = append(c.servers, srv)
	go func() { _ = srv.Serve(ln) }()
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}, nil
}

// record keeps a hop's log line, without the gateway's own prefix.
func (c *Chain) record(hop, line string) {
	line = hop + ": " + strings.TrimPrefix(line, "sseready gateway: ")
	c.mu.Lock()
	c.log = append(c.log, line)
	c.mu.Unlock()
	if c.logf != nil {
		c.logf(line)
	}
}

// Log returns the lines the hops logged so far, in order.
func (c *Chain) Log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

func (c *Chain) recordCut(cut Cut) {
	if c.rec != nil {
		c.rec.cut(cut, time.Now())
	}
	c.mu.Lock()
	c.cuts = append(c.cuts, cut)
	c.mu.Unlock()
	if cut.Silent {
		c.silentOnce.Do(func() { close(c.silent) })
	}
}

// Cuts returns the cuts so far, the first hop to cut first.
func (c *Chain) Cuts() []Cut {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Cut(nil), c.cuts...)
}

// SilentCut closes when a hop drops a flow silently: its client will hear
// nothing more, so a probe waiting on it can stop.
func (c *Chain) SilentCut() <-chan struct{} { return c.silent }

// Close stops the hops and the origin, ending the streams in flight.
func (c *Chain) Close() {
	for _, g := range c.Hops {
		if g != nil {
			g.Close()
		}
	}
	for _, s := range c.servers {
		_ = s.Close()
	}
}
