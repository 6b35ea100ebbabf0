package input

import (
	"strings"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"90s", 90 * time.Second, ""},
		{" 4m ", 4 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"1.5s", 1500 * time.Millisecond, ""},
		{"0s", 0, `gap: "0s" is zero`},
		{"0", 0, `gap: "0" is zero`},
		{"-5s", 0, `gap: "-5s" is negative`},
		{"5", 0, `gap: "5" is not a duration: write it as Go does`},
		{"5 minutes", 0, `gap: "5 minutes" is not a duration`},
		{"", 0, `gap: "" is not a duration`},
	}
	for _, tt := range tests {
		got, err := Duration("gap", tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestSecondsRoundsUp(t *testing.T) {
	for d, want := range map[time.Duration]int64{time.Second: 1, 1500 * time.Millisecond: 2, 0: 0, time.Nanosecond: 1, 4 * time.Minute: 240} {
		if got := Seconds(d); got != want {
			t.Errorf("Seconds(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestErrorText(t *testing.T) {
	if got := (&Error{Field: "x", Line: 2, Column: 3, Msg: "m"}).Error(); got != "x, line 2, column 3: m" {
		t.Error(got)
	}
	if got := Errorf("y", "%d", 5).Error(); got != "y: 5" {
		t.Error(got)
	}
}
