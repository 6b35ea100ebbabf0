package modulegen

import (
	"testing"
	"time"
)

func TestTimeScale(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Spec)
		want   int
		gap    time.Duration // the proof's silence
	}{
		// The load balancer's 4 minutes against a 20 s heartbeat: room
		// enough, so the top speed; the 10-minute silence becomes twice
		// that clock, 8 minutes, 4 s of real time.
		{"apim only", func(*Spec) {}, 120, 8 * time.Minute},
		// App Gateway's 40 s timeout against the 20 s heartbeat: 20 s of
		// slack, 1 s at 20 times; the proof's silence is twice the 40 s
		// clock, 80 s, 4 s of real time.
		{"app gateway", func(s *Spec) { s.Hops = append(s.Hops, HopAppGateway) }, 20, 80 * time.Second},
		// Front Door's timeout is set for the same silence: the same.
		{"app gateway and front door", func(s *Spec) { s.Hops = append(s.Hops, HopAppGateway, HopFrontDoor) }, 20, 80 * time.Second},
		// A silence shorter than twice the clock is kept as it is.
		{"app gateway, short silence", func(s *Spec) { s.Hops = append(s.Hops, HopAppGateway); s.MaxEventGap = "1m" }, 20, time.Minute},
		// Two hours of silence: the proof keeps twice the load balancer's
		// 4 minutes, at the top speed.
		{"long silence", func(s *Spec) { s.MaxEventGap, s.Heartbeat = "2h", "30s" }, 120, 8 * time.Minute},
	}
	for _, tc := range cases {
		s := Default()
		tc.change(&s)
		if got := timeScale(s); got != tc.want {
			t.Errorf("%s: scale %d, want %d", tc.name, got, tc.want)
		}
		if got, _ := proofGap(s); got != tc.gap {
			t.Errorf("%s: proof's silence %s, want %s", tc.name, got, tc.gap)
		}
		// Every proof ends its silence within proofSilence of real time.
		if gap, _ := proofGap(s); gap/time.Duration(timeScale(s)) > proofSilence {
			t.Errorf("%s: the silence takes %s of real time", tc.name, gap/time.Duration(timeScale(s)))
		}
	}
}
