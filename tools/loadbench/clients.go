package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/loadgen"
)

// result is one client's run.
type result struct {
	opened, events int
	eventsPerS     float64
	cpuPerEvent    time.Duration
	p50, p99, maxL float64 // ms
}

func (r result) String() string {
	return fmt.Sprintf("%d streams, %d events (%.0f/s), %.1f µs CPU per event, latency p50 %.3f ms p99 %.3f ms max %.1f ms",
		r.opened, r.events, r.eventsPerS, float64(r.cpuPerEvent.Nanoseconds())/1000, r.p50, r.p99, r.maxL)
}

// client is a load generator the bench runs as a process.
type client interface {
	name() string
	command(url string, streams int, rate float64, d time.Duration) *exec.Cmd
	parse(stdout []byte, d time.Duration) (result, error)
}

type runner interface {
	client
	run(url string, streams int, d time.Duration) (result, error)
}

// rampRate opens the streams over at most 2 s.
func rampRate(streams int) float64 { return max(500, float64(streams)/2) }

// runClient runs c to the end and measures its CPU.
func runClient(c client, url string, streams int, d time.Duration) (result, error) {
	cmd := c.command(url, streams, rampRate(streams), d)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: a result
			return result{}, fmt.Errorf("%v: %s", err, errb.String())
		}
	}
	r, err := c.parse(out.Bytes(), d)
	if err != nil {
		return r, fmt.Errorf("%v: %s", err, errb.String())
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if r.events > 0 {
		r.cpuPerEvent = cpu / time.Duration(r.events)
	}
	return r, nil
}

type sseready struct{ bin string }

func (sseready) name() string { return "sseready" }

func (s sseready) command(url string, streams int, rate float64, d time.Duration) *exec.Cmd {
	return exec.Command(s.bin, "load", "--streams", strconv.Itoa(streams), "--max-streams", strconv.Itoa(streams),
		"--rate", fmt.Sprint(rate), "--duration", d.String(), "--max-duration", d.String(), "--format", "json", url)
}

func (sseready) parse(b []byte, d time.Duration) (result, error) {
	var res loadgen.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return result{}, fmt.Errorf("sseready load's JSON: %w", err)
	}
	r := result{opened: int(res.Streams.Opened), events: int(res.Events), eventsPerS: float64(res.Events) / d.Seconds()}
	if q := res.LatencyMS; q != nil {
		r.p50, r.p99, r.maxL = q.P50, q.P99, q.Max
	}
	return r, nil
}

func (s sseready) run(url string, streams int, d time.Duration) (result, error) {
	return runClient(s, url, streams, d)
}

type nodeClient struct{ node, script string }

func (nodeClient) name() string { return "node" }

func (n nodeClient) command(url string, streams int, rate float64, d time.Duration) *exec.Cmd {
	return exec.Command(n.node, n.script, url, strconv.Itoa(streams), fmt.Sprint(rate), fmt.Sprint(d.Seconds()))
}

func (nodeClient) parse(b []byte, d time.Duration) (result, error) {
	var v struct {
		Opened, Events, Errors int
		Latency                struct{ P50, P99, Max *float64 } `json:"latency_ms"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return result{}, fmt.Errorf("the node script's JSON: %w", err)
	}
	r := result{opened: v.Opened, events: v.Events, eventsPerS: float64(v.Events) / d.Seconds()}
	if v.Latency.P50 != nil {
		r.p50, r.p99, r.maxL = *v.Latency.P50, *v.Latency.P99, *v.Latency.Max
	}
	return r, nil
}

func (n nodeClient) run(url string, streams int, d time.Duration) (result, error) {
	return runClient(n, url, streams, d)
}

// idleResult is the idle figure.
type idleResult struct {
	held      int
	perStream float64 // bytes
}

// idleMemory runs the client twice on an origin that sends one event and
// then nothing, with 1,000 and with n streams, and reads its resident
// memory once every stream had time to open.
func idleMemory(c runner, url string, n int) (idleResult, error) {
	const base = 1000
	rss := map[int]int64{}
	held := 0
	for _, streams := range []int{base, n} {
		d := time.Duration(float64(streams)/rampRate(streams)*float64(time.Second)) + 8*time.Second
		cmd := c.command(url, streams, rampRate(streams), d)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			return idleResult{}, err
		}
		time.Sleep(d - 2*time.Second)
		rss[streams] = vmRSS(cmd.Process.Pid)
		_ = cmd.Wait()
		r, err := c.parse(out.Bytes(), d)
		if err != nil {
			return idleResult{}, fmt.Errorf("%v: %s", err, errb.String())
		}
		held = r.opened
	}
	return idleResult{held: held, perStream: float64(rss[n]-rss[base]) / float64(n-base)}, nil
}

func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// fdLimit is the soft limit on open files, raised to the hard limit (the
// clients inherit it).
func fdLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 1024
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
