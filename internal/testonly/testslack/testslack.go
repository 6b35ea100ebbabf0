// Package testslack scales the few absolute time bounds the streaming
// tests keep (how late a relayed event may arrive and still count as
// relayed at once) to the machine they run on: wider under the race
// detector, which slows every goroutine several times; wider while the
// machine is busier than its CPUs (the 1-minute load average over the
// CPU count, up to 3 times, on Linux); and wider again when
// SSEREADY_TEST_SLACK asks (a CI machine known to be slow:
// SSEREADY_TEST_SLACK=3). Tests assert order and relations where they
// can; this is for the rest.
package testslack

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Bound is d scaled for this run.
func Bound(d time.Duration) time.Duration {
	return time.Duration(float64(d) * factor(loadAverage()))
}

// factor is the scale at a 1-minute load average.
func factor(load float64) float64 {
	f := 1.0
	if raceEnabled {
		f = 4
	}
	f *= busy(load, runtime.NumCPU())
	if s, err := strconv.ParseFloat(os.Getenv("SSEREADY_TEST_SLACK"), 64); err == nil && s >= 1 {
		f *= s
	}
	return f
}

// maxBusy bounds the load factor: past it a bound would stop telling a
// relayed event from a held one.
const maxBusy = 3

// busy is the factor for a 1-minute load average on cpus CPUs: the load
// per CPU, from 1 (idle or unknown) to maxBusy.
func busy(load float64, cpus int) float64 {
	if cpus < 1 {
		cpus = 1
	}
	return min(max(load/float64(cpus), 1), maxBusy)
}

// loadAverage is the 1-minute load average, 0 where the system does not
// tell it (/proc/loadavg is Linux's).
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return 0
	}
	return v
}
