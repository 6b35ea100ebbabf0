package gateway

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testslack"
)

// rawUpstream answers every connection with the bytes of reply, then
// closes it: for responses net/http would not send.
func rawUpstream(t *testing.T, reply string) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				// Read the request head before answering.
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				_, _ = io.WriteString(c, reply)
			}()
		}
	}()
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

// exchange sends a raw request to the gateway and returns the raw reply,
// read until the gateway closes the connection.
func exchange(t *testing.T, gw *url.URL, request string) string {
	t.Helper()
	c, err := net.Dial("tcp", gw.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testslack.Bound(5 * time.Second)))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply: %v (got %q)", err, b)
	}
	return string(b)
}

// TestFraming covers how bodies are delimited on each side: the relay
// decodes the upstream's framing and frames again for the client.
func TestFraming(t *testing.T) {
	get := "GET /x HTTP/1.1\r\nHost: gw\r\n\r\n"
	tests := []struct {
		name, upstream, request string
		status                  int
		// header are the reply's headers to check; "" means absent.
		header map[string]string
		body   string
	}{
		{"a sized body keeps its length",
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", get,
			200, map[string]string{"Content-Length": "5", "Transfer-Encoding": ""}, "hello"},
		{"a chunked body with extensions and trailers is decoded and framed again",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\nX-Sum: 1\r\n\r\n", get,
			200, map[string]string{"Transfer-Encoding": "chunked", "X-Sum": ""}, "hello"},
		{"a body delimited by the close is chunked for an HTTP/1.1 client",
			"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\n", get,
			200, map[string]string{"Transfer-Encoding": "chunked"}, "data: a\n\n"},
		{"an HTTP/1.0 client gets the body until the close",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "GET /x HTTP/1.0\r\n\r\n",
			200, map[string]string{"Transfer-Encoding": "", "Connection": "close"}, "hello"},
		{"HEAD keeps the length and sends no body",
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD /x HTTP/1.1\r\nHost: gw\r\n\r\n",
			200, map[string]string{"Content-Length": "5", "Transfer-Encoding": ""}, ""},
		{"204 has no body",
			"HTTP/1.1 204 No Content\r\n\r\n", get,
			204, map[string]string{"Transfer-Encoding": ""}, ""},
		{"interim responses are not relayed",
			"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", get,
			200, map[string]string{"Link": ""}, "ok"},
		{"bytes past the length are dropped",
			"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello", get,
			200, map[string]string{"Content-Length": "3"}, "hel"},
		{"hop headers are not relayed, the hop's own is added",
			"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nX-Kept: 1\r\nContent-Length: 0\r\n\r\n", get,
			200, map[string]string{"Keep-Alive": "", "X-Kept": "1", "X-Sseready-Gateway": "stream"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := startGateway(t, Config{Upstream: rawUpstream(t, tt.upstream), APIM: apim(streamingPolicy)})
			reply := exchange(t, gw, tt.request)
			req, _ := http.ReadRequest(bufio.NewReader(strings.NewReader(tt.request)))
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(reply)), req)
			if err != nil {
				t.Fatalf("reply %q: %v", reply, err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != tt.status || string(body) != tt.body {
				t.Fatalf("status %d, body %q (%v), want %d %q; reply %q", resp.StatusCode, body, err, tt.status, tt.body, reply)
			}
			// The raw head, as ReadResponse moves some headers to fields.
			head := strings.ToLower(reply[:strings.Index(reply, "\r\n\r\n")+2])
			for k, v := range tt.header {
				line := strings.ToLower("\r\n" + k + ": " + v + "\r\n")
				if v == "" && strings.Contains(head, strings.ToLower("\r\n"+k+":")) {
					t.Errorf("head %q has %s", head, k)
				} else if v != "" && !strings.Contains(head, line) {
					t.Errorf("head %q lacks %q", head, line)
				}
			}
		})
	}
}

// A chat API streams the answer to a POST: the body goes upstream.
func TestPostBodyIsForwarded(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s %s %s\n\n", r.Method, r.Header.Get("Content-Type"), b)
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	gw := startGateway(t, Config{Upstream: u, APIM: apim(streamingPolicy)})
	resp, err := http.Post(gw.String()+"/chat", "application/json", strings.NewReader(`{"prompt":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if want := "data: POST application/json {\"prompt\":\"hi\"}\n\n"; string(b) != want {
		t.Fatalf("body %q, want %q", b, want)
	}
}

// An idle stream holds no read buffer: the hop waits on the poller, and
// takes a buffer only when bytes arrive.
func TestIdleStreamsHoldNoBuffers(t *testing.T) {
	if !rawIO {
		t.Skip("this platform reads through a buffer per stream")
	}
	withBaseline(t, func(t *testing.T) {
		gw := startGateway(t, Config{Upstream: startOrigin(t, origin.Config{Interval: time.Hour}), APIM: apim(streamingPolicy)})
		const streams = 50
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		started := make(chan error, streams)
		for i := 0; i < streams; i++ {
			go func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, gw.String(), nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					started <- err
					return
				}
				defer resp.Body.Close()
				_, err = bufio.NewReader(resp.Body).ReadString('\n') // the first event's first line
				started <- err
				_, _ = io.Copy(io.Discard, resp.Body)
			}()
		}
		for i := 0; i < streams; i++ {
			if err := <-started; err != nil {
				t.Fatal(err)
			}
		}
		if !eventually(time.Second, func() bool { return buffersOut.Load() == 0 }) {
			n := buffersOut.Load()
			t.Fatalf("%d streams, idle, hold %d buffers", streams, n)
		}
		cancel()
	})
}

// A client that leaves early aborts the response; nothing is cached.
func TestClientLeavingIsNotCached(t *testing.T) {
	cachePolicy := strings.Replace(streamingPolicy, "<inbound><base />", `<inbound><base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />`, 1)
	h, err := origin.New(origin.Config{Events: 5, Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{}, 2)
	osrv, ou := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		ended <- struct{}{}
	}))
	defer osrv.Close()
	gw := startGateway(t, Config{Upstream: ou, APIM: apim(cachePolicy)})
	first := probe.Run(context.Background(), gw.String(), probe.Options{Events: 1})
	if !first.OK {
		t.Fatalf("first: %s", first.Error)
	}
	// The origin's stream is over (the hop let go of it) before asking again.
	select {
	case <-ended:
	case <-time.After(testslack.Bound(5 * time.Second)):
		t.Fatal("the origin's stream did not end after the client left")
	}
	second := probe.Run(context.Background(), gw.String(), probe.Options{})
	if second.Headers["X-Sseready-Cache"] != "miss" || len(second.Events) != 5 {
		t.Fatalf("second: cache %q, %d events", second.Headers["X-Sseready-Cache"], len(second.Events))
	}
}

// Close ends the streams in flight at once, and their goroutines.
func TestCloseEndsStreams(t *testing.T) {
	withBaseline(t, func(t *testing.T) {
		u := startOrigin(t, origin.Config{Interval: time.Hour})
		g, err := New(Config{Upstream: u, APIM: apim(streamingPolicy)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(g)
		defer srv.Close()
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		closed := make(chan struct{})
		go func() { g.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(testslack.Bound(time.Second)):
			t.Fatal("Close did not return within a second (scaled by testslack)")
		}
		if _, err := io.Copy(io.Discard, r); err == nil {
			t.Fatal("the stream ended cleanly; Close must cut it")
		}
		resp2, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("a closed gateway answered %d, want 503", resp2.StatusCode)
		}
	})
}

// An https upstream streams too, through a buffer of its own.
func TestHTTPSUpstream(t *testing.T) {
	h, _ := origin.New(ticker)
	up := httptest.NewTLSServer(h)
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	tr, ok := up.Client().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("the test server's client has a %T", up.Client().Transport)
	}
	tlsConfig := tr.TLSClientConfig
	gw := startGateway(t, Config{Upstream: u, APIM: apim(streamingPolicy), TLSConfig: tlsConfig})
	rep := probe.Run(context.Background(), gw.String(), probe.Options{Events: ticker.Events, MaxLatency: latencyFor(probe.Streamed)})
	if !rep.OK {
		t.Fatalf("%s", rep.Error)
	}
}
