package streamcheck

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

func TestStreamParseProtocolAndMCP(t *testing.T) {
	tests := []struct {
		raw  Raw
		want string // the first error, "" for none
		spec func(Spec) bool
	}{
		{raw: Raw{URL: "https://a.example/", Protocol: "responses", Compressed: true}, spec: func(s Spec) bool {
			return s.Protocol == probe.Responses && s.Request.Compressed && s.MCP == nil
		}},
		{raw: Raw{URL: "https://a.example/", Protocol: "auto"}, want: "protocol: leave protocol out to have it recognised"},
		{raw: Raw{URL: "https://a.example/mcp", MCPTool: "count", MCPArgs: `{"steps": 3}`, MCPTransport: "http_sse"}, spec: func(s Spec) bool {
			return s.MCP != nil && s.MCP.Tool == "count" && string(s.MCP.Args) == `{"steps": 3}` && s.MCP.Transport == probe.HTTPSSE
		}},
		{raw: Raw{URL: "https://a.example/mcp", MCPTool: "count"}, spec: func(s Spec) bool { return s.MCP.Transport == probe.MCPAuto && s.MCP.Args == nil }},
		{raw: Raw{URL: "https://a.example/", Protocol: "grpc"}, want: `protocol: protocol "grpc" is not chat_completions, responses`},
		{raw: Raw{URL: "https://a.example/", MCPArgs: "{}"}, want: "mcp_args: goes with mcp_tool"},
		{raw: Raw{URL: "https://a.example/", MCPTool: "count", MCPArgs: "[1]"}, want: "mcp_args: must be a JSON object"},
		{raw: Raw{URL: "https://a.example/", MCPTool: "count", MCPTransport: "ws"}, want: `mcp_transport: MCP transport "ws" is not auto`},
		{raw: Raw{URL: "https://a.example/", MCPTool: "count", Body: "{}"}, want: "mcp_tool: an MCP call sends the session's own requests: drop body"},
		{raw: Raw{URL: "https://a.example/", MCPTool: "count", Protocol: "responses"}, want: "protocol: mcp_tool reads an MCP stream, not responses"},
	}
	for _, tt := range tests {
		s, errs := Parse(tt.raw)
		switch {
		case tt.want == "" && len(errs) > 0:
			t.Errorf("%+v: %v", tt.raw, errs)
		case tt.want != "" && (len(errs) == 0 || !strings.HasPrefix(errs[0].Error(), tt.want)):
			t.Errorf("%+v: errors %v, want %q", tt.raw, errs, tt.want)
		case tt.spec != nil && !tt.spec(s):
			t.Errorf("%+v: spec %+v", tt.raw, s)
		}
	}
}

// min_events counts content events: a Responses stream of 3 deltas has
// many more events, and passes min_events 3 only. A stream without its
// final event fails, and so does an MCP call whose tool fails.
func TestStreamRunCountsContent(t *testing.T) {
	serve := func(cfg origin.Config) string {
		h, err := origin.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	responses := serve(origin.Config{Responses: true, Events: 3, Interval: 10 * time.Millisecond})
	cut := serve(origin.Config{Responses: true, Events: 3, Interval: 10 * time.Millisecond, Ending: origin.EndNone})
	mcp := serve(origin.Config{MCP: true, Events: 2, Interval: 10 * time.Millisecond})
	body := `{"input": "hi", "stream": true}`
	for _, tt := range []struct {
		name      string
		raw       Raw
		problems  string
		protocol  probe.Protocol
		completed bool
	}{
		{"3 deltas meet min_events 3", Raw{URL: responses, Body: body, MinEvents: ptr(3)}, "", probe.Responses, true},
		{"3 deltas miss min_events 4", Raw{URL: responses, Body: body, MinEvents: ptr(4)}, "min_events: 3 content events arrived", probe.Responses, true},
		{"no response.completed", Raw{URL: cut, Body: body}, "cut: the Responses stream ended after", probe.Responses, false},
		{"an MCP call", Raw{URL: mcp + "/mcp", MCPTool: origin.MCPTool, MinEvents: ptr(2)}, "", probe.MCP, true},
		{"an MCP call that fails", Raw{URL: mcp + "/mcp", MCPTool: origin.MCPTool, MCPArgs: `{"steps": "many"}`, MCPTransport: "streamable_http"}, "mcp_tool: the tools/call of count failed", probe.MCP, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.Duration = "5s"
			s, errs := Parse(tt.raw)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			res := Run(context.Background(), s)
			var got []string
			for _, p := range res.Problems {
				got = append(got, p.String())
			}
			if all := strings.Join(got, "\n"); (tt.problems == "") != (all == "") || !strings.Contains(all, tt.problems) {
				t.Fatalf("problems %q, want %q", all, tt.problems)
			}
			if res.Report.Protocol != tt.protocol || res.Report.Completed != tt.completed {
				t.Fatalf("protocol %q completed %v", res.Report.Protocol, res.Report.Completed)
			}
		})
	}
}

func ptr(n int64) *int64 { return &n }
