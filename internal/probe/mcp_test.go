package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
)

// An MCP tool call over each transport, picked by flag or by the
// server's answer: the session set up, the progress notifications the
// content, the response with the call's id its end, the server and the
// result reported.
func TestMCPCall(t *testing.T) {
	srv := originURL(t, origin.Config{MCP: true, Events: 4, Interval: 40 * time.Millisecond, Heartbeat: 5 * time.Millisecond})
	for _, tt := range []struct {
		name      string
		path      string
		transport MCPTransport
		want      MCPTransport
	}{
		{"Streamable HTTP", "/mcp", StreamableHTTP, StreamableHTTP},
		{"Streamable HTTP, by the answer", "/mcp", MCPAuto, StreamableHTTP},
		{"HTTP+SSE", origin.MCPSSEPath, HTTPSSE, HTTPSSE},
		// POST initialize to /sse gets 405: the probe falls back to a GET.
		{"HTTP+SSE, by the answer", origin.MCPSSEPath, MCPAuto, HTTPSSE},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := Run(context.Background(), srv+tt.path, Options{Duration: 10 * time.Second,
				MCP: &MCPCall{Tool: origin.MCPTool, Args: json.RawMessage(`{"steps": 5}`), Transport: tt.transport}})
			m := rep.MCP
			if rep.Outcome != Streamed || rep.Protocol != MCP || !rep.Completed || m == nil {
				t.Fatalf("outcome %q protocol %q completed %v mcp %+v: %s", rep.Outcome, rep.Protocol, rep.Completed, m, rep.Error)
			}
			if m.Transport != tt.want || m.ServerName != origin.MCPServerName || m.ServerVersion != origin.MCPServerVersion || m.ProtocolVersion != MCPProtocolVersion ||
				m.SessionGiven != (tt.want == StreamableHTTP) || (m.Endpoint == origin.MCPMessagesPath) != (tt.want == HTTPSSE) || m.Tool != origin.MCPTool {
				t.Fatalf("mcp %+v", m)
			}
			if !strings.Contains(string(m.Result), `"text":"counted to 5"`) || m.CallError != nil {
				t.Fatalf("result %s error %v", m.Result, m.CallError)
			}
			// Five progress notifications, read apart, each stamped in
			// _meta, the first after the call was sent.
			c := rep.Coalescing
			if c.Events != 5 || c.MaxEventsPerRead > 2 || rep.Events[len(rep.Events)-1].content || *rep.FirstContentMS < 0 {
				t.Fatalf("coalescing %+v", c)
			}
			for _, e := range rep.contentEvents() {
				if e.LatencyMS == nil || !strings.HasPrefix(e.Content, "progress ") {
					t.Fatalf("event %+v", e)
				}
			}
		})
	}
}

// The call's error, and a call whose stream ends without its response.
func TestMCPEndings(t *testing.T) {
	for _, tt := range []struct {
		ending    string
		transport MCPTransport
		outcome   Outcome
	}{
		{origin.EndError, StreamableHTTP, Streamed},
		{origin.EndError, HTTPSSE, Streamed},
		{origin.EndNone, StreamableHTTP, Cut},
	} {
		url := originURL(t, origin.Config{MCP: true, Events: 3, Interval: 10 * time.Millisecond, Ending: tt.ending})
		rep := Run(context.Background(), url+origin.MCPSSEPath, Options{Duration: 5 * time.Second, MCP: &MCPCall{Tool: "count", Transport: tt.transport}})
		if tt.transport == StreamableHTTP {
			rep = Run(context.Background(), url, Options{Duration: 5 * time.Second, MCP: &MCPCall{Tool: "count", Transport: tt.transport}})
		}
		if rep.Outcome != tt.outcome || rep.Coalescing.Events != 3 {
			t.Fatalf("%s over %s: %q %+v: %s", tt.ending, tt.transport, rep.Outcome, rep.Coalescing, rep.Error)
		}
		switch tt.ending {
		case origin.EndError:
			if !rep.Completed || rep.MCP.CallError == nil || rep.MCP.CallError.Code != -32603 || rep.MCP.Result != nil {
				t.Fatalf("%s: completed %v, error %+v", tt.transport, rep.Completed, rep.MCP.CallError)
			}
		case origin.EndNone:
			if rep.Completed || rep.Fault.Kind != NoFinalEvent || !strings.Contains(rep.Error, "without the JSON-RPC response") {
				t.Fatalf("completed %v, fault %+v", rep.Completed, rep.Fault)
			}
		}
	}
}

// The session as the probe keeps it: the headers it sends with each
// request, and a server that refuses or does not speak MCP.
func TestMCPSession(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	o, err := origin.New(origin.Config{MCP: true, Events: 1})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, strings.Join([]string{r.Method, r.Header.Get("Accept"), fmt.Sprint(r.Header.Get("Mcp-Session-Id") != ""), r.Header.Get("MCP-Protocol-Version"), r.Header.Get("Api-Key")}, "|"))
		mu.Unlock()
		o.ServeHTTP(w, r)
	}))
	rep := Run(context.Background(), url, Options{Request: Request{Header: http.Header{"Api-Key": {"k"}}}, MCP: &MCPCall{Tool: "count", Transport: StreamableHTTP}})
	if rep.Outcome != Streamed {
		t.Fatalf("%q: %s", rep.Outcome, rep.Error)
	}
	accept := "application/json, text/event-stream"
	want := []string{"POST|" + accept + "|false||k", "POST|" + accept + "|true|2025-06-18|k", "POST|" + accept + "|true|2025-06-18|k", "DELETE||true|2025-06-18|k"}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}

	// A server that refuses the POST; a plain SSE origin, whose first
	// event is not endpoint.
	refusing := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
	}))
	plain := originURL(t, origin.Config{Events: 1})
	for _, tt := range []struct {
		url       string
		transport MCPTransport
		outcome   Outcome
		status    int
	}{
		{refusing, StreamableHTTP, Refused, http.StatusMethodNotAllowed},
		{refusing, MCPAuto, Refused, http.StatusMethodNotAllowed},
		{plain, HTTPSSE, Error, http.StatusOK},
	} {
		rep := Run(context.Background(), tt.url, Options{Duration: 5 * time.Second, MCP: &MCPCall{Tool: "count", Transport: tt.transport}})
		if rep.Outcome != tt.outcome || rep.Status != tt.status || rep.MCP != nil || !strings.HasPrefix(rep.Error, string(tt.outcome)+": MCP: ") {
			t.Errorf("%s: %q status %d: %s", tt.transport, rep.Outcome, rep.Status, rep.Error)
		}
	}
}
