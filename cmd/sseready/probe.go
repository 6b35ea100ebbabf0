package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

const probeUsage = `Usage: sseready probe [flags] URL

Connects to an SSE endpoint as an EventSource would, as an LLM API client
does (--data '{"stream": true, ...}' POSTs the request), or as an MCP
client does (--mcp-tool NAME), and reports how the stream arrives: the
outcome (streamed, buffered, held, cut, refused, not_sse, error) and what
went wrong, the time to the response headers, to the first event and to
the first content, the keep-alives (comments, Anthropic pings) during the
silence before it, the gaps between events, how many arrived in one read
(several per read is what a buffering hop looks like, even without the
sender's timestamps), each event's arrival and (when the data carries
sent_unix_nano, as sseready backend's does) its relay latency.

The protocol is recognised from the events, or forced with --protocol:
chat completions (content: a delta; complete at data: [DONE]), the
Responses API (response.output_text.delta; response.completed or
response.incomplete; error events response.failed and error), Anthropic
Messages (content_block_delta; message_stop; error), MCP (a progress
notification; the JSON-RPC response to the request) or plain SSE (every
event is content; nothing completes it). A stream that ends without its
protocol's final event was cut; one that sends an error event is error.

--mcp-tool NAME calls an MCP server's tool: initialize (protocol version
2025-06-18), notifications/initialized, then tools/call with --mcp-args
and a progress token, over Streamable HTTP (every message a POST to URL,
the Mcp-Session-Id kept and MCP-Protocol-Version sent) or the 2024-11-05
HTTP+SSE transport (a GET of URL whose endpoint event says where to
POST); --mcp-transport auto tries Streamable HTTP and falls back to
HTTP+SSE when the POST gets a 4xx. The call streamed when its progress
notifications arrive one by one; the server, the session and the call's
result or error are reported.

--compressed asks for gzip, deflate, br (an Accept-Encoding given with
--header is honoured too; without either the probe asks for identity);
the probe decodes what arrives and judges the decoded stream read by
read: a compressor that flushes per event streams, one that compresses
the whole response in one piece does not.

Exit status: 0 when the stream arrived as a stream, 1 when it did not, 2
for a wrong command line.

Flags:
`

func runProbe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts probe.Options
	fs.IntVar(&opts.Events, "events", 0, "stop after N events (0: no count)")
	durationVar(fs, &opts.Duration, "duration", 0, "stop after this long (0: no limit)")
	durationVar(fs, &opts.MaxLatency, "max-latency", 500*time.Millisecond, "relay latency above which an event counts as held")
	format := fs.String("format", "text", "output format: text or json")
	protocol := fs.String("protocol", "auto", "the stream's protocol: auto (recognised from the events), chat_completions, responses, anthropic_messages, mcp or sse")
	compressed := fs.Bool("compressed", false, "ask for a compressed response (Accept-Encoding: gzip, deflate, br) and decode it")
	mcpTool := fs.String("mcp-tool", "", "call this `TOOL` of an MCP server at URL and probe the call's stream")
	mcpArgs := fs.String("mcp-args", "", "the tool's arguments, a JSON object (with --mcp-tool)")
	mcpTransport := fs.String("mcp-transport", "auto", "the MCP transport: auto, streamable_http or http_sse (with --mcp-tool)")
	var rf requestFlags
	rf.register(fs)
	fs.Usage = func() { fmt.Fprint(stderr, probeUsage); fs.PrintDefaults() }
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sseready probe: "+format+"\n", a...)
		return exitInput
	}
	switch {
	case len(rest) != 1:
		return fail("give one URL")
	case *format != "text" && *format != "json":
		return fail("--format must be text or json, not %q", *format)
	case opts.Events < 0:
		return fail("--events cannot be negative")
	case opts.MaxLatency <= 0:
		return fail("--max-latency must be positive, such as 500ms")
	}
	if u, err := url.Parse(rest[0]); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail("%q is not an http(s) URL, such as http://127.0.0.1:8080/", probe.RedactURL(rest[0], nil))
	}
	if opts.Protocol, err = probe.ParseProtocol(*protocol); err != nil {
		return fail("--protocol: %v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if opts.Request, err = rf.request(set, func() ([]byte, error) { return io.ReadAll(stdin) }); err != nil {
		return fail("%v", err)
	}
	if err := givenOnce(rest[0], opts.Request); err != nil {
		return fail("%v", err)
	}
	opts.Request.Compressed = *compressed
	if opts.MCP, err = mcpCall(*mcpTool, *mcpArgs, *mcpTransport, set, opts.Protocol); err != nil {
		return fail("%v", err)
	}
	rep := probe.Run(ctx, rest[0], opts)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false) // keep <, > and & as written: pipelines grep for them
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printProbe(stdout, rep)
	}
	if !rep.OK {
		return exitFindings
	}
	return exitOK
}

// mcpCall reads --mcp-tool, --mcp-args and --mcp-transport (nil without
// --mcp-tool). An MCP call sends its own requests: no body or method.
func mcpCall(tool, args, transport string, set map[string]bool, p probe.Protocol) (*probe.MCPCall, error) {
	if tool == "" {
		if set["mcp-args"] || set["mcp-transport"] {
			return nil, fmt.Errorf("--mcp-args and --mcp-transport go with --mcp-tool")
		}
		return nil, nil
	}
	switch {
	case set["data"] || set["data-file"] || set["method"]:
		return nil, fmt.Errorf("--mcp-tool sends the MCP session's own requests: drop --data, --data-file and --method (--mcp-args are the tool's arguments)")
	case p != "" && p != probe.MCP:
		return nil, fmt.Errorf("--mcp-tool probes an MCP stream, not --protocol %s", p)
	}
	t, err := probe.ParseMCPTransport(transport)
	if err != nil {
		return nil, fmt.Errorf("--mcp-transport: %v", err)
	}
	call := &probe.MCPCall{Tool: tool, Transport: t}
	if args != "" {
		var obj map[string]any
		if err := json.Unmarshal([]byte(args), &obj); err != nil || obj == nil {
			return nil, fmt.Errorf(`--mcp-args must be a JSON object, such as {"steps": 5}`)
		}
		call.Args = json.RawMessage(args)
	}
	return call, nil
}

func printProbe(w io.Writer, rep probe.Report) {
	if m := rep.MCP; m != nil {
		fmt.Fprintf(w, "MCP over %s: server %s %s, protocol %s", m.Transport, m.ServerName, m.ServerVersion, m.ProtocolVersion)
		switch {
		case m.SessionGiven:
			fmt.Fprint(w, ", session given")
		case m.Endpoint != "":
			fmt.Fprintf(w, ", endpoint %s", m.Endpoint)
		}
		fmt.Fprintf(w, "; tools/call %s\n", m.Tool)
	}
	if rep.Status != 0 {
		fmt.Fprintf(w, "status %d, Content-Type %q", rep.Status, rep.ContentType)
		if rep.ContentEncoding != "" {
			fmt.Fprintf(w, ", Content-Encoding %s (decoded)", rep.ContentEncoding)
		}
		fmt.Fprintf(w, ", headers after %.1f ms\n", rep.HeadersMS)
	}
	for i, e := range rep.Events {
		lat := "-"
		if e.LatencyMS != nil {
			lat = fmt.Sprintf("%.1f ms", *e.LatencyMS)
		}
		shown := e.Data
		if e.Content != "" {
			shown = fmt.Sprintf("content %q", e.Content)
		}
		if len(shown) > 60 {
			shown = shown[:57] + "..."
		}
		id := ""
		if e.LastEventID != "" {
			id = fmt.Sprintf(" id=%q", e.LastEventID)
		}
		fmt.Fprintf(w, "#%-4d +%8.1f ms  read %-4d latency %-9s  %s%s %s\n", i+1, e.ArrivalMS, e.Read, lat, e.Type, id, shown)
	}
	if rep.Status == http.StatusOK && sseContent(rep) {
		printFigures(w, rep)
	}
	if m := rep.MCP; m != nil {
		switch {
		case m.CallError != nil:
			fmt.Fprintf(w, "the call failed: %s\n", m.CallError.Error())
		case m.Result != nil:
			fmt.Fprintf(w, "result: %s\n", truncate(string(m.Result), 200))
		}
	}
	fmt.Fprintln(w, outcomeLine(rep))
	if rep.OK {
		fmt.Fprintln(w, "ok: the stream arrived as a stream")
	} else {
		fmt.Fprintln(w, "not ok: "+rep.Error)
	}
}

// sseContent reports whether the probe read a stream (not a refusal or
// another Content-Type).
func sseContent(rep probe.Report) bool {
	return rep.Outcome != probe.NotSSE && rep.Outcome != probe.Refused && rep.Outcome != probe.Error
}

// printFigures prints the stream's figures: counts and first event, gaps,
// reads, usage.
func printFigures(w io.Writer, rep probe.Report) {
	fmt.Fprintf(w, "%d events, %d heartbeats", len(rep.Events), rep.Heartbeats)
	if rep.FirstEventMS != nil {
		fmt.Fprintf(w, ", first after %.1f ms", *rep.FirstEventMS)
	}
	if rep.FirstContentMS != nil && *rep.FirstContentMS != *rep.FirstEventMS {
		fmt.Fprintf(w, ", first content after %.1f ms", *rep.FirstContentMS)
	}
	if rep.Done {
		fmt.Fprint(w, ", ended with data: [DONE]")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "protocol %s", rep.Protocol)
	switch {
	case rep.Completed:
		fmt.Fprint(w, ": completed")
	case rep.Protocol.HasFinal():
		fmt.Fprint(w, ": not completed")
	}
	if rep.StopReason != "" {
		fmt.Fprintf(w, ", stop reason %s", rep.StopReason)
	}
	fmt.Fprintln(w)
	if e := rep.StreamError; e != nil {
		fmt.Fprintf(w, "error event %s: %s %s\n", e.Event, e.Code, e.Message)
	}
	if s := rep.LongestSilenceBeforeContentMS; s != nil && (rep.KeepalivesBeforeContent > 0 || *s >= 1000) {
		fmt.Fprintf(w, "before the first content: %d %s, the longest silence %.1f ms\n", rep.KeepalivesBeforeContent, plural(rep.KeepalivesBeforeContent, "keep-alive"), *s)
	}
	if g := rep.GapMS; g != nil {
		fmt.Fprintf(w, "gaps between events: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", g.P50, g.P95, g.Max)
	}
	if c := rep.Coalescing; c.Events > 0 {
		fmt.Fprintf(w, "reads: %d events in %d %s, at most %d in one read", c.Events, c.Reads, plural(c.Reads, "read"), c.MaxEventsPerRead)
		if c.BytesPerRead != nil {
			fmt.Fprintf(w, ", up to %.0f bytes", c.BytesPerRead.Max)
		}
		fmt.Fprintln(w)
	}
	if u := rep.Usage; u != nil {
		fmt.Fprintf(w, "usage: %d prompt + %d completion = %d tokens\n", u.PromptTokens, u.CompletionTokens, u.TotalTokens)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

// outcomeLine says the outcome and, for a cut, hold or buffering, its
// record: "outcome: cut (broke_off after 1234 ms, 1000 ms silent, at
// app_gateway)".
func outcomeLine(rep probe.Report) string {
	line := "outcome: " + string(rep.Outcome)
	if f := rep.Fault; f != nil {
		line += fmt.Sprintf(" (%s after %.0f ms, %.0f ms silent", f.Kind, f.AfterMS, f.SilenceMS)
		if f.Hop != "" {
			line += ", at " + f.Hop
		}
		line += ")"
	}
	return line
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
