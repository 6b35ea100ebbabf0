package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// activeResult is one target's figures in one round.
type activeResult struct {
	events      int64
	cpu         time.Duration // the relay's, over the window
	p50, p99    time.Duration // relay latency
	cpuPerEvent time.Duration
}

func (r activeResult) String() string {
	return fmt.Sprintf("%d events, latency p50 %v p99 %v, relay CPU %v (%v per event)", r.events, r.p50, r.p99, r.cpu, r.cpuPerEvent)
}

// slice is what one target gave in one measured stretch.
type slice struct {
	events    int64
	cpu       time.Duration
	latencies []time.Duration
}

// measureSlice runs the streams through the target, lets them warm up,
// then measures for window.
func measureSlice(t target, o options, warmup, window time.Duration) (slice, error) {
	f, err := open(t.url, o.streams, 30*time.Second)
	if err != nil {
		return slice{}, err
	}
	time.Sleep(warmup)
	var cpu0 time.Duration
	if t.relay != nil {
		cpu0 = t.relay.cpu()
	}
	f.measuring.Store(true)
	time.Sleep(window)
	f.measuring.Store(false)
	var s slice
	if t.relay != nil {
		s.cpu = t.relay.cpu() - cpu0
	}
	failed := f.failed.Load()
	f.close()
	if failed > 0 {
		return s, fmt.Errorf("%d streams failed: %v", failed, f.firstErr)
	}
	s.events, s.latencies = f.events.Load(), f.latencies
	return s, nil
}

// measureRound measures each target for one window. With o.slices > 1
// the window is cut into that many slices and the targets take turns,
// slice by slice, so a burst of load from elsewhere on the machine lands
// on every target alike rather than on one target's whole window.
func measureRound(order []target, o options) (map[string]activeResult, error) {
	warmup, window := o.warmup, o.window
	if o.slices > 1 {
		warmup, window = o.sliceWarmup, o.window/time.Duration(o.slices)
	}
	sums := map[string]*slice{}
	for range o.slices {
		for _, t := range order {
			s, err := measureSlice(t, o, warmup, window)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			sum := sums[t.name]
			if sum == nil {
				sum = &slice{}
				sums[t.name] = sum
			}
			sum.events += s.events
			sum.cpu += s.cpu
			sum.latencies = append(sum.latencies, s.latencies...)
		}
	}
	out := map[string]activeResult{}
	for name, s := range sums {
		if s.events == 0 || len(s.latencies) == 0 {
			return nil, fmt.Errorf("%s: no events in the window", name)
		}
		slices.Sort(s.latencies)
		out[name] = activeResult{
			events:      s.events,
			cpu:         s.cpu,
			p50:         s.latencies[len(s.latencies)/2],
			p99:         s.latencies[len(s.latencies)*99/100],
			cpuPerEvent: s.cpu / time.Duration(s.events),
		}
	}
	return out, nil
}

// measureIdle starts a fresh relay, opens n streams through it that stay
// idle after their first event, and returns the relay's resident memory
// growth per stream.
func measureIdle(name string, startRelay relayStarter, upstream string, n int) (float64, error) {
	p, err := startRelay(name+"-idle", upstream)
	if err != nil {
		return 0, err
	}
	defer p.stop()
	time.Sleep(500 * time.Millisecond)
	before := p.rss()
	f, err := open("http://"+p.addr+"/", n, 2*time.Minute)
	if err != nil {
		return 0, err
	}
	defer f.close()
	// Let the relay settle (a garbage collection, lazily freed buffers).
	time.Sleep(3 * time.Second)
	after := p.rss()
	if failed := f.failed.Load(); failed > 0 {
		return 0, fmt.Errorf("%d idle streams ended: %v", failed, f.firstErr)
	}
	return float64(after-before) / float64(n), nil
}

// writeNginxConf writes the configuration of nginx as a streaming relay:
// proxy_buffering off, HTTP/1.1 upstream, long read timeout. It has as
// many workers as the emulator has cores (GOMAXPROCS).
func writeNginxConf(dir, listen, upstream string, procs int) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return "", err
	}
	workers := "auto"
	if procs > 0 {
		workers = fmt.Sprint(procs)
	}
	conf := fmt.Sprintf(`daemon off;
worker_processes %[4]s;
worker_rlimit_nofile 65536;
pid %[1]s/nginx.pid;
events { worker_connections 32768; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp/body;
  proxy_temp_path %[1]s/tmp/proxy;
  fastcgi_temp_path %[1]s/tmp/fastcgi;
  uwsgi_temp_path %[1]s/tmp/uwsgi;
  scgi_temp_path %[1]s/tmp/scgi;
  server {
    listen %[2]s;
    location / {
      proxy_pass %[3]s;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`, dir, listen, upstream, workers)
	path := filepath.Join(dir, "nginx.conf")
	return path, os.WriteFile(path, []byte(conf), 0o644)
}

// report prints the medians as a Markdown table, with the emulator's
// figures as ratios of nginx's.
func report(out io.Writer, o options, active map[string][]activeResult, idle map[string][]float64) {
	pick := func(name string, f func(activeResult) time.Duration) time.Duration {
		var xs []time.Duration
		for _, r := range active[name] {
			xs = append(xs, f(r))
		}
		return median(xs)
	}
	// Added latency is per round: the relay's percentile minus the direct
	// connection's in the same round.
	added := func(name string, f func(activeResult) time.Duration) time.Duration {
		var xs []time.Duration
		for i, r := range active[name] {
			xs = append(xs, f(r)-f(active["direct"][i]))
		}
		return median(xs)
	}
	p50 := func(r activeResult) time.Duration { return r.p50 }
	p99 := func(r activeResult) time.Duration { return r.p99 }
	cpe := func(r activeResult) time.Duration { return r.cpuPerEvent }
	us := func(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }
	ratio := func(a, b float64) string {
		if b <= 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	fmt.Fprintf(out, "\n%d streams × one %d-byte event every %s; %s windows; %d idle streams; relays on %s; medians of %d rounds.\n\n",
		o.streams, o.padding, o.interval, o.window, o.idle, cores(o.procs), o.rounds)
	fmt.Fprintln(out, "| | direct | nginx (proxy_buffering off) | emulator (streaming) | emulator / nginx |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	fmt.Fprintf(out, "| relay CPU per event | - | %s | %s | %s |\n", us(pick("nginx", cpe)), us(pick("emulator", cpe)),
		ratio(float64(pick("emulator", cpe)), float64(pick("nginx", cpe))))
	// The relays' own percentiles, measured in the same slices, compare
	// without the direct connection's noise in between.
	fmt.Fprintf(out, "| latency p50 | %s | %s | %s | %s |\n", us(pick("direct", p50)), us(pick("nginx", p50)), us(pick("emulator", p50)),
		ratio(float64(pick("emulator", p50)), float64(pick("nginx", p50))))
	fmt.Fprintf(out, "| added latency p50 | - | %s | %s | %s |\n", us(added("nginx", p50)), us(added("emulator", p50)),
		ratio(float64(added("emulator", p50)), float64(added("nginx", p50))))
	fmt.Fprintf(out, "| latency p99 | %s | %s | %s | %s |\n", us(pick("direct", p99)), us(pick("nginx", p99)), us(pick("emulator", p99)),
		ratio(float64(pick("emulator", p99)), float64(pick("nginx", p99))))
	fmt.Fprintf(out, "| added latency p99 | - | %s | %s | %s |\n", us(added("nginx", p99)), us(added("emulator", p99)),
		ratio(float64(added("emulator", p99)), float64(added("nginx", p99))))
	fmt.Fprintf(out, "| memory per idle stream | - | %.1f KiB | %.1f KiB | %s |\n", median(idle["nginx"])/1024, median(idle["emulator"])/1024,
		ratio(median(idle["emulator"]), median(idle["nginx"])))
	for _, name := range []string{"emulator", "emulator-b"} {
		if len(active[name]) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n%s / nginx, medians: CPU per event %s, added p50 %s, added p99 %s, p99 %s, idle memory %s\n", name,
			ratio(float64(pick(name, cpe)), float64(pick("nginx", cpe))),
			ratio(float64(added(name, p50)), float64(added("nginx", p50))),
			ratio(float64(added(name, p99)), float64(added("nginx", p99))),
			ratio(float64(pick(name, p99)), float64(pick("nginx", p99))),
			ratio(median(idle[name]), median(idle["nginx"])))
		fmt.Fprint(out, roundRatios(name, active, idle))
	}
}

// roundRatios lists name's figures over nginx's round by round, for the
// spread behind the medians.
func roundRatios(name string, active map[string][]activeResult, idle map[string][]float64) string {
	var cpu, a50, a99, l99, mem []string
	f := func(a, b float64) string { return fmt.Sprintf("%.2f", a/b) }
	for i, r := range active[name] {
		n, d := active["nginx"][i], active["direct"][i]
		cpu = append(cpu, f(float64(r.cpuPerEvent), float64(n.cpuPerEvent)))
		a50 = append(a50, f(float64(r.p50-d.p50), float64(n.p50-d.p50)))
		a99 = append(a99, f(float64(r.p99-d.p99), float64(n.p99-d.p99)))
		l99 = append(l99, f(float64(r.p99), float64(n.p99)))
	}
	for i, m := range idle[name] {
		mem = append(mem, f(m, idle["nginx"][i]))
	}
	return fmt.Sprintf("  by round: CPU per event %s; added p50 %s; added p99 %s; p99 %s; idle memory %s\n",
		strings.Join(cpu, " "), strings.Join(a50, " "), strings.Join(a99, " "), strings.Join(l99, " "), strings.Join(mem, " "))
}
