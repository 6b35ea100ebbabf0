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

Connects to an SSE endpoint as an EventSource would, or as an LLM API
client does (--data '{"stream": true, ...}' POSTs a chat completions
request), and reports how the stream arrives: the outcome (streamed,
buffered, held, cut, refused, not_sse, error) and what went wrong, the
time to the response headers and to the first event, the gaps between
events, how many arrived in one read (several per read is what a
buffering hop looks like, even without the sender's timestamps), each
event's arrival and (when the data carries sent_unix_nano, as sseready
backend's does) its relay latency, and a chat completion's usage and
final data: [DONE] (a chat completions stream that ends without it was
cut). Exit status: 0 when the stream arrived as a stream, 1 when it did
not, 2 for a wrong command line.

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
	var rf requestFlags
	rf.register(fs)
	fs.Usage = func() { fmt.Fprint(stderr, probeUsage); fs.PrintDefaults() }
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	switch {
	case len(rest) != 1:
		fmt.Fprintln(stderr, "sseready probe: give one URL")
		return exitInput
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "sseready probe: --format must be text or json, not %q\n", *format)
		return exitInput
	case opts.Events < 0:
		fmt.Fprintln(stderr, "sseready probe: --events cannot be negative")
		return exitInput
	case opts.MaxLatency <= 0:
		fmt.Fprintln(stderr, "sseready probe: --max-latency must be positive, such as 500ms")
		return exitInput
	}
	if u, err := url.Parse(rest[0]); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "sseready probe: %q is not an http(s) URL, such as http://127.0.0.1:8080/\n", rest[0])
		return exitInput
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if opts.Request, err = rf.request(set, func() ([]byte, error) { return io.ReadAll(stdin) }); err != nil {
		fmt.Fprintf(stderr, "sseready probe: %v\n", err)
		return exitInput
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

func printProbe(w io.Writer, rep probe.Report) {
	if rep.Status != 0 {
		fmt.Fprintf(w, "status %d, Content-Type %q, headers after %.1f ms\n", rep.Status, rep.ContentType, rep.HeadersMS)
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
