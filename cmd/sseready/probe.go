package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

const probeUsage = `Usage: sseready probe [flags] URL

Connects to an SSE endpoint as an EventSource would and reports how the
stream arrives: status and headers, each event's arrival time and (when the
data carries sent_unix_nano, as sseready backend's does) its relay latency,
whether the stream was cut and after what silence, and whether the arrivals
show buffering. Exit status: 0 when the stream arrived as a stream, 1 when
it did not, 2 for a wrong command line.

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
	fmt.Fprintf(w, "status %d, Content-Type %q, headers after %.1f ms\n", rep.Status, rep.ContentType, rep.HeadersMS)
	for i, e := range rep.Events {
		lat := "-"
		if e.LatencyMS != nil {
			lat = fmt.Sprintf("%.1f ms", *e.LatencyMS)
		}
		data := e.Data
		if len(data) > 60 {
			data = data[:57] + "..."
		}
		fmt.Fprintf(w, "#%-4d +%8.1f ms  latency %-9s  %s id=%q %s\n", i+1, e.ArrivalMS, lat, e.Type, e.LastEventID, data)
	}
	fmt.Fprintf(w, "%d events, %d heartbeats", len(rep.Events), rep.Heartbeats)
	if rep.FirstEventMS != nil {
		fmt.Fprintf(w, ", first after %.1f ms", *rep.FirstEventMS)
	}
	if rep.Cut && rep.SilenceBeforeCutMS != nil {
		fmt.Fprintf(w, ", cut after %.0f ms of silence", *rep.SilenceBeforeCutMS)
	}
	fmt.Fprintln(w)
	if rep.OK {
		fmt.Fprintln(w, "ok: the stream arrived as a stream")
	} else {
		fmt.Fprintln(w, "not ok: "+rep.Error)
	}
}
