// Command loadbench measures sseready load on this machine against the
// emulated origin (sseready backend), and against what users write
// instead: a Node.js script of N EventSource clients (the npm eventsource
// package), with the same origin and load, in the same run:
//
//   - at a fixed load, rounds alternating the two: events/s received, CPU
//     per event (user + system time of the client's process over its
//     events) and the latency each reports for its events (arrival minus
//     the origin's sent_unix_nano);
//   - the highest event rate at which the client's latency p99 (its own
//     added latency, with loopback and the origin's write) stays under
//     1 ms, stepping the rate up;
//   - idle streams held at once and the memory per stream: the resident
//     memory of the client at 1,000 and at N idle streams (one event each,
//     then nothing), the growth over the difference.
//
// See BENCHMARKS.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

type options struct {
	sseready, node, nodeDir string
	streams, stepStreams    int
	interval                time.Duration
	duration                time.Duration
	rounds                  int
	rates                   string
	idle                    int
}

func main() {
	var o options
	flag.StringVar(&o.sseready, "sseready", "bin/sseready", "the sseready binary (make build)")
	flag.StringVar(&o.node, "node", "node", "the node binary")
	flag.StringVar(&o.nodeDir, "node-dir", "build/loadbench-node", "where npm installed eventsource (make bench-load)")
	flag.IntVar(&o.streams, "streams", 1000, "streams at the fixed load")
	flag.IntVar(&o.stepStreams, "step-streams", 100, "streams while stepping the rate (few, so the ramp-up is short)")
	flag.DurationVar(&o.interval, "interval", 100*time.Millisecond, "time between events of each stream at the fixed load")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each run")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds at the fixed load; the figures are medians")
	flag.StringVar(&o.rates, "rates", "5000,10000,20000,40000,60000,80000", "event rates (events/s) to step through for the 1 ms p99 figure")
	flag.IntVar(&o.idle, "idle", 10000, "idle streams held at once (capped by the open-file limit)")
	flag.Parse()
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run(o options, out, log io.Writer) error {
	dir, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	script, err := filepath.Abs(filepath.Join(o.nodeDir, "eventsource-clients.mjs"))
	if err != nil {
		return err
	}
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("%s: run make bench-load, which installs the Node.js client", script)
	}
	limit := fdLimit()
	if most := int(limit) - 100; o.idle > most {
		fmt.Fprintf(log, "loadbench: the open-file limit is %d, so the idle figure uses %d streams, not %d\n", limit, most, o.idle)
		o.idle = most
	}
	clients := []runner{
		sseready{bin: o.sseready},
		nodeClient{node: o.node, script: script},
	}

	// 1. The fixed load, rounds alternating the clients.
	fixed := map[string][]result{}
	busy, err := startOrigin(dir, o.sseready, "origin", o.interval)
	if err != nil {
		return err
	}
	rate := float64(o.streams) * float64(time.Second) / float64(o.interval)
	fmt.Fprintf(log, "loadbench: fixed load: %d streams, an event every %s each (%.0f events/s), %s runs, %d rounds\n",
		o.streams, o.interval, rate, o.duration, o.rounds)
	for round := 0; round < o.rounds; round++ {
		for i := range clients {
			c := clients[(i+round)%len(clients)]
			r, err := c.run(busy.url(), o.streams, o.duration)
			if err != nil {
				busy.stop()
				return fmt.Errorf("round %d, %s: %w", round+1, c.name(), err)
			}
			fmt.Fprintf(log, "round %d %-8s %s\n", round+1, c.name(), r)
			fixed[c.name()] = append(fixed[c.name()], r)
		}
	}
	busy.stop()

	// 2. Step the rate up until p99 passes 1 ms.
	best := map[string]float64{}
	steps := map[string][]result{}
	for _, s := range strings.Split(o.rates, ",") {
		var want float64
		if _, err := fmt.Sscan(strings.TrimSpace(s), &want); err != nil || want <= 0 {
			return fmt.Errorf("-rates: %q is not a rate", s)
		}
		interval := time.Duration(float64(o.stepStreams) / want * float64(time.Second))
		org, err := startOrigin(dir, o.sseready, "origin-step", interval)
		if err != nil {
			return err
		}
		for _, c := range clients {
			if _, stopped := best[c.name()+"-stopped"]; stopped {
				continue
			}
			r, err := c.run(org.url(), o.stepStreams, o.duration/2)
			if err != nil {
				org.stop()
				return fmt.Errorf("%.0f events/s, %s: %w", want, c.name(), err)
			}
			fmt.Fprintf(log, "step %6.0f/s %-8s %s\n", want, c.name(), r)
			steps[c.name()] = append(steps[c.name()], r)
			if r.p99 < 1 && r.opened == o.stepStreams {
				best[c.name()] = max(best[c.name()], r.eventsPerS)
			} else {
				best[c.name()+"-stopped"] = 1
			}
		}
		org.stop()
	}

	// 3. Idle streams and memory.
	quiet, err := startOrigin(dir, o.sseready, "origin-idle", time.Hour)
	if err != nil {
		return err
	}
	defer quiet.stop()
	idle := map[string]idleResult{}
	for _, c := range clients {
		r, err := idleMemory(c, quiet.url(), o.idle)
		if err != nil {
			return fmt.Errorf("idle %s: %w", c.name(), err)
		}
		fmt.Fprintf(log, "idle %-8s %d of %d streams held, %.1f KiB per stream\n", c.name(), r.held, o.idle, r.perStream/1024)
		idle[c.name()] = r
	}
	report(out, o, rate, fixed, best, idle)
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
