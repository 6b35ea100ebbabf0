package main

import (
	"fmt"
	"io"
	"time"
)

func report(w io.Writer, o options, rate float64, fixed map[string][]result, best map[string]float64, idle map[string]idleResult) {
	med := func(name string, f func(result) float64) float64 {
		var xs []float64
		for _, r := range fixed[name] {
			xs = append(xs, f(r))
		}
		return median(xs)
	}
	fmt.Fprintf(w, "\n%d streams, %.0f events/s offered, %s runs, medians of %d rounds\n\n", o.streams, rate, o.duration, o.rounds)
	fmt.Fprintln(w, "| | sseready load | node + eventsource | node / sseready |")
	fmt.Fprintln(w, "|---|---|---|---|")
	row := func(label, unit string, f func(result) float64) {
		s, n := med("sseready", f), med("node", f)
		format := "%.3g"
		if unit == "" {
			format = "%.0f"
		}
		fmt.Fprintf(w, "| %s | "+format+" %s | "+format+" %s | %.2f× |\n", label, s, unit, n, unit, n/s)
	}
	row("events/s received", "", func(r result) float64 { return r.eventsPerS })
	row("CPU per event", "µs", func(r result) float64 { return float64(r.cpuPerEvent) / float64(time.Microsecond) })
	row("latency p50", "ms", func(r result) float64 { return r.p50 })
	row("latency p99", "ms", func(r result) float64 { return r.p99 })
	fmt.Fprintf(w, "| events/s with p99 under 1 ms (%d streams) | %.0f | %.0f | %.2f× |\n", o.stepStreams, best["sseready"], best["node"], best["node"]/max(best["sseready"], 1))
	s, n := idle["sseready"], idle["node"]
	fmt.Fprintf(w, "| idle streams held (of %d) | %d | %d | |\n", o.idle, s.held, n.held)
	fmt.Fprintf(w, "| memory per idle stream | %.1f KiB | %.1f KiB | %.2f× |\n", s.perStream/1024, n.perStream/1024, n.perStream/s.perStream)
}
