package gateway

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoUpstream answers what f makes of each request, then its body; it
// also sends a header that its Connection header names.
func echoUpstream(t *testing.T, f func(r *http.Request) string) *url.URL {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Connection", "close, X-Hop")
		w.Header().Set("X-Hop", "secret")
		fmt.Fprintf(w, "%s|%s", f(r), b)
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	return u
}

func TestBytesAfterTheBodyAreDropped(t *testing.T) {
	for _, tt := range []struct{ name, up, req, want string }{
		{"after a chunked body's end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n\r\nstray", "GET /x HTTP/1.1\r\nHost: gw\r\n\r\n", "hello"},
		{"after a HEAD response", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "HEAD /x HTTP/1.1\r\nHost: gw\r\n\r\n", ""},
		{"after a 204", "HTTP/1.1 204 No Content\r\n\r\nhello", "GET /x HTTP/1.1\r\nHost: gw\r\n\r\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := startGateway(t, Config{Upstream: rawUpstream(t, tt.up), APIM: apim(streamingPolicy)})
			reply := exchange(t, gw, tt.req)
			method, _, _ := strings.Cut(tt.req, " ")
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(reply)), &http.Request{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || string(body) != tt.want || strings.Contains(reply, "stray") || (tt.want == "" && strings.Contains(reply, "hello")) {
				t.Fatalf("body %q err %v; reply %q", body, err, reply)
			}
		})
	}
}

func TestUpstreamURL(t *testing.T) {
	for _, tt := range []struct{ upstream, request, want string }{
		{"http://up/", "/items/a%2Fb?x=1", "/items/a%2Fb?x=1"},
		{"http://up/api", "/chat", "/api/chat"},
		{"http://up/api/", "/chat?x=1", "/api/chat?x=1"},
		{"https://fn.example/api?code=KEY", "/chat?x=1", "/api/chat?code=KEY&x=1"},
		{"https://fn.example/api?code=KEY", "/chat", "/api/chat?code=KEY"},
	} {
		u, _ := url.Parse(tt.upstream)
		g, err := New(Config{Upstream: u, APIM: apim(streamingPolicy)})
		if err != nil {
			t.Fatal(err)
		}
		if got := g.outgoing(httptest.NewRequest("GET", tt.request, nil)).URL.RequestURI(); got != tt.want {
			t.Errorf("%s + %s: %s, want %s", tt.upstream, tt.request, got, tt.want)
		}
	}
	// End to end: the escape reaches the upstream as the client wrote it.
	gw := startGateway(t, Config{Upstream: echoUpstream(t, func(r *http.Request) string { return r.RequestURI }), APIM: apim(streamingPolicy)})
	if reply := exchange(t, gw, "GET /items/a%2Fb HTTP/1.1\r\nHost: gw\r\n\r\n"); !strings.Contains(reply, "/items/a%2Fb|") {
		t.Fatalf("reply %q", reply)
	}
}

func TestXForwardedFor(t *testing.T) {
	g, _ := New(Config{Upstream: &url.URL{Scheme: "http", Host: "up"}, APIM: apim(streamingPolicy)})
	for addr, want := range map[string]string{"[2001:db8::1]:51234": "2001:db8::1", "192.0.2.7:4000": "192.0.2.7"} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.RemoteAddr = addr
		if got := g.outgoing(r).Header.Get("X-Forwarded-For"); got != want {
			t.Errorf("%s: X-Forwarded-For %q, want %q", addr, got, want)
		}
	}
}

// Headers a Connection header names are hop-by-hop (RFC 9110, 7.6.1), in
// both directions.
func TestConnectionListedHeadersStop(t *testing.T) {
	gw := startGateway(t, Config{Upstream: echoUpstream(t, func(r *http.Request) string { return "req-x-hop=" + r.Header.Get("X-Hop") }), APIM: apim(streamingPolicy)})
	reply := exchange(t, gw, "GET /x HTTP/1.1\r\nHost: gw\r\nConnection: X-Hop\r\nX-Hop: client-secret\r\n\r\n")
	if !strings.Contains(reply, "req-x-hop=|") {
		t.Errorf("request: X-Hop reached the upstream: %q", reply)
	}
	if strings.Contains(strings.ToLower(reply), "x-hop: secret") {
		t.Errorf("response: X-Hop reached the client: %q", reply)
	}
}

const cachePolicy = `<policies><inbound><base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /><cache-store duration="60" /></outbound></policies>`

// Only complete 200 responses to GET are stored.
func TestCacheKeepsGET200Only(t *testing.T) {
	var flaky atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/flaky" && flaky.Add(1) == 1 {
			http.Error(w, "transient", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	gw, g := startGatewayOf(t, Config{Upstream: u, APIM: apim(cachePolicy)})
	do := func(method, path, body string) (int, string, string) {
		req, _ := http.NewRequest(method, gw.String()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("X-Sseready-Cache"), string(b)
	}
	if _, c, b := do("POST", "/chat", "first"); c != "" || b != "POST /chat first" {
		t.Errorf("first POST: cache %q body %q", c, b)
	}
	if _, c, b := do("POST", "/chat", "second"); c != "" || b != "POST /chat second" {
		t.Errorf("second POST answered from the cache: cache %q body %q", c, b)
	}
	if s, c, _ := do("GET", "/flaky", ""); s != 500 || c != "miss" {
		t.Errorf("first GET /flaky: %d %q", s, c)
	}
	if s, c, b := do("GET", "/flaky", ""); s != 200 || c != "miss" || b != "GET /flaky " {
		t.Errorf("a 500 was replayed: %d %q %q", s, c, b)
	}
	// The hop stores the 200 once its handler has sent the end, which
	// can come after the client has read the body.
	if !eventually(5*time.Second, func() bool { return cachedEntries(g) == 1 }) {
		t.Fatalf("%d responses stored after the 200, want 1 (not the POSTs, not the 500)", cachedEntries(g))
	}
	if s, c, b := do("GET", "/flaky", ""); s != 200 || c != "hit" || b != "GET /flaky " {
		t.Errorf("the 200 was not replayed: %d %q %q", s, c, b)
	}
}

func TestResponseCacheIsBounded(t *testing.T) {
	c := responseCache{max: 10}
	c.put("a", &cached{body: []byte("aaaa")})
	c.put("b", &cached{body: []byte("bbbb")})
	c.put("c", &cached{body: []byte("cccc")}) // 12 bytes: a goes
	if c.get("a") != nil || c.get("b") == nil || c.get("c") == nil || c.size != 8 {
		t.Fatalf("after c: a %v b %v c %v size %d", c.get("a"), c.get("b"), c.get("c"), c.size)
	}
	c.put("b", &cached{body: []byte("bb")}) // replaced, now newest
	c.put("d", &cached{body: []byte("dddddd")})
	if c.get("c") != nil || c.get("b") == nil || c.size != 8 {
		t.Fatalf("after d: c %v b %v size %d", c.get("c"), c.get("b"), c.size)
	}
	c.put("huge", &cached{body: make([]byte, 11)})
	if c.get("huge") != nil || c.size != 8 {
		t.Fatalf("a response over the bound was stored (size %d)", c.size)
	}
	for i := 0; i < maxCacheEntries+10; i++ {
		c.put(fmt.Sprint(i), &cached{})
	}
	if len(c.entries) != maxCacheEntries || len(c.order) != maxCacheEntries {
		t.Fatalf("%d entries, want %d", len(c.entries), maxCacheEntries)
	}
}

// A closed hop forwards nothing.
func TestClosedGatewayForwardsNothing(t *testing.T) {
	var hits atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	g, err := New(Config{Upstream: u, APIM: apim(streamingPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	g.Logf = t.Logf
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	g.Close()
	resp, err := http.Post(srv.URL+"/orders", "text/plain", strings.NewReader("buy"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || hits.Load() != 0 {
		t.Fatalf("status %d, %d request(s) upstream", resp.StatusCode, hits.Load())
	}
}

// Close ends a request still waiting for the upstream's headers.
func TestCloseEndsWaitingRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() { // accepts, never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	g, err := New(Config{Upstream: &url.URL{Scheme: "http", Host: ln.Addr().String()}, APIM: apim(streamingPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	g.Logf = t.Logf
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	status := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	time.Sleep(100 * time.Millisecond)
	closed := make(chan struct{})
	go func() { g.Close(); close(closed) }()
	select {
	case s := <-status:
		if s != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503", s)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the waiting request did not end")
	}
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not return")
	}
}

func TestTimeScaleBounds(t *testing.T) {
	for _, s := range []float64{math.NaN(), math.Inf(1), -1, MaxTimeScale + 1} {
		if _, err := Derive(Config{Upstream: &url.URL{Scheme: "http", Host: "x"}, APIM: apim(streamingPolicy), TimeScale: s}); err == nil {
			t.Errorf("time scale %g accepted", s)
		}
	}
}

// smallSendBuf gives accepted connections a small send buffer, so a slow
// client blocks the hop's writes at once.
type smallSendBuf struct{ net.Listener }

func (l smallSendBuf) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		_ = c.Close()
		return nil, fmt.Errorf("accepted a %T, want a *net.TCPConn", c)
	}
	_ = tc.SetWriteBuffer(8192)
	return c, nil
}

// logRecorder keeps a hop's log lines and when the first came.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
	first time.Time
}

func (l *logRecorder) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first.IsZero() {
		l.first = time.Now()
	}
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// A slow client holds the relay's writes while the upstream's bytes wait
// in the socket: the upstream is not silent, and App Gateway's request
// timeout must not fire.
func TestSlowClientIsNotASilentUpstream(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		ev := []byte("data: " + strings.Repeat("x", 1000) + "\n\n")
		for i := 0; i < 8000; i++ {
			if _, err := w.Write(ev); err != nil {
				return
			}
		}
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	// request_timeout 30 s at 60x: 500 ms.
	g, err := New(Config{Upstream: u, AppGW: &AppGW{RequestTimeout: 30 * time.Second}, TimeScale: 60})
	if err != nil {
		t.Fatal(err)
	}
	var log logRecorder
	g.Logf = log.logf
	srv := httptest.NewUnstartedServer(g)
	srv.Listener = smallSendBuf{srv.Listener}
	srv.Start()
	t.Cleanup(func() { srv.Close(); g.Close() })
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc, ok := c.(*net.TCPConn)
	if !ok {
		t.Fatalf("dialled a %T, want a *net.TCPConn", c)
	}
	_ = tc.SetReadBuffer(4096)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: gw\r\n\r\n")
	// 2 KB every 100 ms: slow, but never 500 ms without reading.
	buf := make([]byte, 2048)
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := c.Read(buf); err != nil {
			break
		}
	}
	if strings.Contains(log.String(), "upstream was silent") {
		t.Fatalf("cut while the upstream had bytes waiting:\n%s", log.String())
	}
}
