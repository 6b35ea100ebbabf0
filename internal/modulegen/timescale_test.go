package modulegen

import "testing"

func TestTimeScale(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Spec)
		want   int
	}{
		// The load balancer's 4 minutes against a 20 s heartbeat: room
		// enough, so the top speed.
		{"apim only", func(*Spec) {}, 120},
		// App Gateway's 40 s timeout against the 20 s heartbeat: 20 s of
		// slack would keep 1 s at 20 times, but the 10-minute silence
		// must end within 20 s: 30 times, which keeps 667 ms.
		{"app gateway", func(s *Spec) { s.Hops = append(s.Hops, HopAppGateway) }, 30},
		// With a 1-minute silence the slack decides: 1 s at 20 times.
		{"app gateway, short silence", func(s *Spec) { s.Hops = append(s.Hops, HopAppGateway); s.MaxEventGap = "1m" }, 20},
		// Two hours of silence must still end in 20 s.
		{"long silence", func(s *Spec) { s.MaxEventGap, s.Heartbeat = "2h", "30s" }, 360},
	}
	for _, tc := range cases {
		s := Default()
		tc.change(&s)
		if got := timeScale(s); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
