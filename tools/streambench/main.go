// Command streambench measures the gateway emulator in streaming mode
// (API Management with buffer-response="false") against nginx with
// proxy_buffering off and against a direct connection, in one run, with
// the same origin and load:
//
//   - relay CPU per event: the user and system time of the relay's
//     processes over the measured window, over the events the clients
//     received in it;
//   - added latency, p50 and p99: the relay's percentile of (arrival -
//     sent_unix_nano) minus the direct connection's, in the same round;
//   - memory per idle stream: the resident memory a fresh relay process
//     gains holding N idle streams, over N.
//
// Rounds rotate the order of the targets, so drift on a noisy machine hits
// each alike; -slices goes further and cuts each window into short turns
// the targets take in alternation. The figures are medians over the
// rounds. See BENCHMARKS.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimgen"
)

type options struct {
	sseready, nginx string
	streams         int
	interval        time.Duration
	padding         int
	warmup, window  time.Duration
	idle, rounds    int
	// slices cuts each window into turns the targets take one after
	// another; sliceWarmup is each turn's warmup.
	slices      int
	sliceWarmup time.Duration
	targets     string
	procs       int
	// b and bEnv make a second emulator, "emulator-b", measured in the
	// same rounds: an A/B of two builds or two runtime settings.
	b, bEnv string
}

func main() {
	var o options
	flag.StringVar(&o.sseready, "sseready", "bin/sseready", "the sseready binary (make build)")
	flag.StringVar(&o.nginx, "nginx", "/usr/sbin/nginx", "the nginx binary (Debian nginx-light)")
	flag.IntVar(&o.streams, "streams", 200, "concurrent streams while measuring CPU and latency")
	flag.DurationVar(&o.interval, "interval", 50*time.Millisecond, "time between events of each stream")
	flag.IntVar(&o.padding, "padding", 200, "bytes of padding in each event")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "time the streams run before the window")
	flag.DurationVar(&o.window, "window", 10*time.Second, "measured window per target and round")
	flag.IntVar(&o.idle, "idle", 10000, "idle streams for the memory figure (capped by the open-file limit)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; the figures are medians over them")
	flag.IntVar(&o.slices, "slices", 10, "cut each window into this many slices, the targets taking turns slice by slice (so load from elsewhere lands on each alike; 1: one window each)")
	flag.DurationVar(&o.sliceWarmup, "slice-warmup", time.Second, "time the streams run before each slice, with -slices above 1")
	flag.IntVar(&o.procs, "procs", 0, "cores each relay may use: nginx worker_processes and the emulator's GOMAXPROCS (0: all)")
	flag.StringVar(&o.targets, "targets", "direct,nginx,emulator", "the targets to measure, for profiling one (the report needs all three)")
	flag.StringVar(&o.b, "b", "", "a second sseready binary, measured as the target emulator-b in the same rounds (an A/B of two builds)")
	flag.StringVar(&o.bEnv, "b-env", "", "space-separated VAR=value settings for emulator-b's environment (an A/B of runtime settings; implies -b with -sseready's binary)")
	flag.Parse()
	if o.slices < 1 || o.window/time.Duration(max(1, o.slices)) < 100*time.Millisecond {
		fmt.Fprintf(os.Stderr, "streambench: -slices %d: give 1 or more, each slice of -window %s at least 100ms\n", o.slices, o.window)
		os.Exit(2)
	}
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "streambench:", err)
		os.Exit(1)
	}
}

// target is one way to reach the origin.
type target struct {
	name  string
	url   string
	relay *proc // nil for the direct connection
}

// relayStarter starts a fresh relay in front of upstream.
type relayStarter func(name, upstream string) (*proc, error)

func run(o options, out, log io.Writer) error {
	dir, err := os.MkdirTemp("", "streambench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	limit := fdLimit()
	// A relay holds two descriptors per stream (client and upstream).
	if most := int(limit-64) / 2; o.idle > most {
		fmt.Fprintf(log, "streambench: the open-file limit is %d, so the idle figure uses %d streams, not %d\n", limit, most, o.idle)
		o.idle = most
	}
	policy, errs := apimgen.Render(apimgen.Spec{})
	if len(errs) > 0 {
		return errs[0]
	}
	policyFile := filepath.Join(dir, "policy.xml")
	if err := os.WriteFile(policyFile, []byte(policy.XML), 0o600); err != nil {
		return err
	}

	startOrigin := func(name string, args ...string) (*proc, error) {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		return start(dir, name, addr, nil, append([]string{o.sseready, "backend", "--listen", addr}, args...)...)
	}
	emulatorOf := func(bin string, env []string) relayStarter {
		return func(name, upstream string) (*proc, error) {
			addr, err := freeAddr()
			if err != nil {
				return nil, err
			}
			return start(dir, name, addr, env, bin, "gateway", "--listen", addr, "--upstream", upstream,
				"--apim-policy", policyFile, "--apim-sku", "StandardV2_1")
		}
	}
	emulator := emulatorOf(o.sseready, goEnv(o.procs))
	nginx := func(name, upstream string) (*proc, error) {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		conf, err := writeNginxConf(filepath.Join(dir, name), addr, upstream, o.procs)
		if err != nil {
			return nil, err
		}
		return start(dir, name, addr, nil, o.nginx, "-p", filepath.Join(dir, name), "-c", conf, "-e", filepath.Join(dir, name, "error.log"))
	}

	busy, err := startOrigin("origin", "--interval", o.interval.String(), "--padding", fmt.Sprint(o.padding))
	if err != nil {
		return err
	}
	defer busy.stop()
	// The idle origin sends one event at once, then nothing for an hour.
	quiet, err := startOrigin("origin-idle", "--interval", "1h")
	if err != nil {
		return err
	}
	defer quiet.stop()

	relays := []struct {
		name  string
		start relayStarter
	}{{"nginx", nginx}, {"emulator", emulator}}
	if o.b != "" || o.bEnv != "" {
		bin := o.b
		if bin == "" {
			bin = o.sseready
		}
		env := goEnv(o.procs)
		if env == nil {
			env = os.Environ()
		}
		// The last of a duplicated variable wins (os/exec): -b-env's.
		env = append(env, strings.Fields(o.bEnv)...)
		relays = append(relays, struct {
			name  string
			start relayStarter
		}{"emulator-b", emulatorOf(bin, env)})
	}
	targets := []target{{name: "direct", url: "http://" + busy.addr + "/"}}
	for _, r := range relays {
		p, err := r.start(r.name, "http://"+busy.addr)
		if err != nil {
			return err
		}
		defer p.stop()
		targets = append(targets, target{name: r.name, url: "http://" + p.addr + "/", relay: p})
	}

	want := map[string]bool{}
	for _, t := range strings.Split(o.targets, ",") {
		want[strings.TrimSpace(t)] = true
	}
	want["emulator-b"] = true // only there when asked for
	targets = slices.DeleteFunc(targets, func(t target) bool { return !want[t.name] })
	relays = slices.DeleteFunc(relays, func(r struct {
		name  string
		start relayStarter
	}) bool {
		return !want[r.name]
	})
	fmt.Fprintf(log, "streambench: %d streams, an event every %s each (%.0f events/s), %s windows in %d slice(s), %d idle streams, %d rounds, relays on %s\n",
		o.streams, o.interval, float64(o.streams)*float64(time.Second)/float64(o.interval), o.window, o.slices, o.idle, o.rounds, cores(o.procs))
	results := map[string][]activeResult{}
	idle := map[string][]float64{}
	for round := 0; round < o.rounds; round++ {
		order := append(targets[round%len(targets):], targets[:round%len(targets)]...)
		got, err := measureRound(order, o)
		if err != nil {
			return fmt.Errorf("round %d, %w", round+1, err)
		}
		for _, t := range order {
			fmt.Fprintf(log, "round %d %-8s %s\n", round+1, t.name, got[t.name])
			results[t.name] = append(results[t.name], got[t.name])
		}
		for i := 0; i < len(relays) && o.idle > 0; i++ {
			r := relays[(i+round)%len(relays)]
			perStream, err := measureIdle(r.name, r.start, "http://"+quiet.addr, o.idle)
			if err != nil {
				return fmt.Errorf("round %d, idle %s: %w", round+1, r.name, err)
			}
			fmt.Fprintf(log, "round %d %-8s %.1f KiB per idle stream\n", round+1, r.name, perStream/1024)
			idle[r.name] = append(idle[r.name], perStream)
		}
	}
	if want["direct"] && want["nginx"] && want["emulator"] && o.idle > 0 {
		report(out, o, results, idle)
	}
	return nil
}

// goEnv is the emulator's environment: GOMAXPROCS when procs is set.
func goEnv(procs int) []string {
	if procs <= 0 {
		return nil
	}
	return append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", procs))
}

func cores(procs int) string {
	if procs <= 0 {
		return fmt.Sprintf("all %d cores", runtime.NumCPU())
	}
	return fmt.Sprintf("%d core(s) each", procs)
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
