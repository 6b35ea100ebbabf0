package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/loadgen"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

func printLoadText(w io.Writer, r *loadgen.Result) {
	s := r.Streams
	fmt.Fprintf(w, "%s: %d streams planned, %d opened, %d failed, %d cut, %d buffered, %d ended by the server",
		r.Target, s.Planned, s.Opened, s.Failed, s.Cut, s.Buffered, s.Ended)
	if s.Completed > 0 || s.ErrorEvent > 0 {
		fmt.Fprintf(w, ", %d completed, %d ended by an error event", s.Completed, s.ErrorEvent)
	}
	fmt.Fprintln(w)
	if s.Warmup > 0 {
		fmt.Fprintf(w, "warmup: %d more streams opened in the first %g s, not counted\n", s.Warmup, r.WarmupS)
	}
	fmt.Fprintf(w, "%d events (%d with content) in %.1f s: %.1f events/s", r.Events, r.ContentEvents, r.ElapsedS, r.EventsPerS)
	if r.WarmupS > 0 {
		fmt.Fprint(w, " after the warmup")
	}
	fmt.Fprintln(w)
	for _, q := range []struct {
		name string
		q    *loadgen.Quantiles
	}{{"latency", r.LatencyMS}, {"first event", r.FirstEventMS}, {"first content", r.FirstContentMS}, {"gap", r.GapMS}} {
		if q.q == nil {
			fmt.Fprintf(w, "%-13s -\n", q.name)
			continue
		}
		fmt.Fprintf(w, "%-13s p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n", q.name, q.q.P50, q.q.P90, q.q.P99, q.q.Max)
		if q.name == "latency" && r.SocketLatencyMS != nil {
			s := r.SocketLatencyMS
			fmt.Fprintf(w, "%-13s p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (to the socket: without the generator's own wait)\n", "  at socket", s.P50, s.P90, s.P99, s.Max)
		}
	}
	printProtocols(w, r)
	g := r.Generator
	lag := ""
	if g.ReadLagReads > 0 {
		lag = fmt.Sprintf(", read lag p99 %.2f ms", g.ReadLagP99MS)
	}
	fmt.Fprintf(w, "generator: %.0f%% of %d cores%s, scheduling latency p99 %.2f ms\n", 100*g.CPUUtilization, g.Cores, lag, g.SchedLatencyP99MS)
	if g.Saturated {
		fmt.Fprintf(w, "warning: %s\n", g.Why)
	}
	if len(r.Errors) > 0 {
		var parts []string
		for k, n := range r.Errors {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
		slices.Sort(parts)
		fmt.Fprintf(w, "errors: %s\n", strings.Join(parts, ", "))
	}
	if r.Outcome.OK() {
		fmt.Fprintln(w, "ok: streamed")
	} else {
		fmt.Fprintf(w, "not ok: %s\n", r.Outcome)
	}
}

// printProtocols prints the figures of each protocol, and the content
// codings when any stream was compressed.
func printProtocols(w io.Writer, r *loadgen.Result) {
	names := make([]string, 0, len(r.Protocols))
	for p := range r.Protocols {
		names = append(names, string(p))
	}
	slices.Sort(names)
	for _, name := range names {
		f := r.Protocols[probe.Protocol(name)]
		fmt.Fprintf(w, "protocol %s: %d streams", name, f.Streams)
		if probe.Protocol(name).HasFinal() {
			fmt.Fprintf(w, ", %d completed", f.Completed)
		}
		fmt.Fprintf(w, ", %d content events", f.ContentEvents)
		if q := f.FirstContentMS; q != nil {
			fmt.Fprintf(w, "; first content p50 %.1f ms, p99 %.1f ms", q.P50, q.P99)
		}
		if c := f.ContentPerS; c != nil {
			fmt.Fprintf(w, "; content events/s per stream min %.3g, p10 %.3g, p50 %.3g", c.Min, c.P10, c.P50)
		}
		fmt.Fprintln(w)
	}
	if _, plain := r.ContentEncodings["identity"]; len(r.ContentEncodings) > 1 || (len(r.ContentEncodings) == 1 && !plain) {
		var parts []string
		for k, n := range r.ContentEncodings {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
		slices.Sort(parts)
		fmt.Fprintf(w, "content encodings (decoded): %s\n", strings.Join(parts, ", "))
	}
}

// runLoadMerge adds up the --format json results of shards.
func runLoadMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	report := fs.String("report", "", "write an HTML report of the merge to this `file`")
	fs.Usage = func() { fmt.Fprint(stderr, loadUsage); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	switch {
	case len(files) == 0:
		fmt.Fprintln(stderr, "sseready load merge: give the results to merge (sseready load --format json of each shard)")
		return exitInput
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "sseready load merge: --format must be text or json, not %q\n", *format)
		return exitInput
	}
	var results []*loadgen.Result
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "sseready load merge: %v\n", err)
			return exitInput
		}
		var r loadgen.Result
		if err := json.Unmarshal(b, &r); err != nil {
			fmt.Fprintf(stderr, "sseready load merge: %s is not the result of sseready load --format json: it does not read as one (%v)\n", name, err)
			return exitInput
		}
		if len(r.Shards) == 0 {
			fmt.Fprintf(stderr, "sseready load merge: %s is not the result of sseready load --format json: it has no \"shards\", which every result has\n", name)
			return exitInput
		}
		results = append(results, &r)
	}
	merged, err := loadgen.Merge(results)
	if err != nil {
		fmt.Fprintf(stderr, "sseready load merge: %v\n", err)
		return exitInput
	}
	if missing := merged.Missing(); len(missing) > 0 {
		fmt.Fprintf(stderr, "sseready load merge: note: %d of %d shards are missing, the first %s\n", len(missing), merged.Shards[0].Count, missing[0])
	}
	return printLoad(merged, *format, *report, stdout, stderr)
}
