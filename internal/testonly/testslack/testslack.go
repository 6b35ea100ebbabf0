// Package testslack scales the few absolute time bounds the streaming
// tests keep (how late a relayed event may arrive and still count as
// relayed at once) to the machine they run on: wider under the race
// detector, which slows every goroutine several times, and wider again
// when SSEREADY_TEST_SLACK asks (a loaded CI machine: SSEREADY_TEST_SLACK=3).
// Tests assert order and relations where they can; this is for the rest.
package testslack

import (
	"os"
	"strconv"
	"time"
)

// Bound is d scaled for this run.
func Bound(d time.Duration) time.Duration {
	return time.Duration(float64(d) * factor())
}

func factor() float64 {
	f := 1.0
	if raceEnabled {
		f = 4
	}
	if s, err := strconv.ParseFloat(os.Getenv("SSEREADY_TEST_SLACK"), 64); err == nil && s >= 1 {
		f *= s
	}
	return f
}
