package testslack

import (
	"runtime"
	"testing"
	"time"
)

func TestBound(t *testing.T) {
	base := 4.0
	if !raceEnabled {
		base = 1
	}

	for _, tt := range []struct {
		env  string
		want float64
	}{{"", base}, {"3", 3 * base}, {"0.5", base}, {"fast", base}} {
		t.Setenv("SSEREADY_TEST_SLACK", tt.env)
		if got := time.Duration(factor(0) * float64(100*time.Millisecond)); got != time.Duration(tt.want*100)*time.Millisecond {
			t.Errorf("SSEREADY_TEST_SLACK=%q: %v, want %v ms", tt.env, got, tt.want*100)
		}
	}
}

func TestBusy(t *testing.T) {
	for _, tt := range []struct {
		load float64
		cpus int
		want float64
	}{{0, 2, 1}, {1, 2, 1}, {3, 2, 1.5}, {8, 2, maxBusy}, {4, 0, maxBusy}, {0.5, 1, 1}} {
		if got := busy(tt.load, tt.cpus); got != tt.want {
			t.Errorf("load %v on %d CPUs: %v, want %v", tt.load, tt.cpus, got, tt.want)
		}
	}
}

// Bound scales by the factor at the machine's load.
func TestBoundScalesByTheLoad(t *testing.T) {
	t.Setenv("SSEREADY_TEST_SLACK", "")
	lo, hi := factor(0), factor(float64(maxBusy*runtime.NumCPU()))
	if got := float64(Bound(time.Second)) / float64(time.Second); got < lo || got > hi {
		t.Errorf("Bound(1s) = %vs, want between %v and %v", got, lo, hi)
	}
	if hi != lo*maxBusy {
		t.Errorf("the factor at full load is %v, at none %v: want %d times", hi, lo, maxBusy)
	}
}
