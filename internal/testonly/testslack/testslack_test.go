package testslack

import (
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
		if got := Bound(100 * time.Millisecond); got != time.Duration(tt.want*100)*time.Millisecond {
			t.Errorf("SSEREADY_TEST_SLACK=%q: %v, want %v ms", tt.env, got, tt.want*100)
		}
	}
}
