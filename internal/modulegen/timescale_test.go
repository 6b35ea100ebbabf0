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
		// slack, 250 ms at 80 times.
		{"app gateway", func(s *Spec) { s.Hops = append(s.Hops, HopAppGateway) }, 80},
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
