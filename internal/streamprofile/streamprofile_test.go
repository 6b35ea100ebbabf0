package streamprofile

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

const (
	s = time.Second
	m = time.Minute
)

// findings renders findings as "RULE severity hop" for comparison.
func findings(b Budget) string {
	var out []string
	for _, f := range b.Findings {
		out = append(out, fmt.Sprintf("%s %s %s", f.Rule, f.Severity, f.Hop))
	}
	return strings.Join(out, ", ")
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name    string
		profile Profile
		// expected figures, derived by hand: a silence may use 3/4 of a
		// clock, so a timeout is 4/3 of the silence, rounded up.
		silence, heartbeat     time.Duration
		appgw, apim, frontDoor int64
		findings               string
		msg                    string // a phrase of the first finding
	}{
		{
			name:    "chat stream behind APIM",
			profile: Profile{MaxEventGap: 30 * s},
			// ALB 240 s -> heartbeat <= 180 s; App Gateway max(40, 30) = 40.
			silence: 30 * s, heartbeat: 180 * s, appgw: 40, apim: 120,
		},
		{
			name:    "ten-minute silence, no heartbeat",
			profile: Profile{MaxEventGap: 10 * m},
			silence: 10 * m, heartbeat: 180 * s, appgw: 800, apim: 120,
			findings: "SSE401 error load_balancer",
			msg:      `the stream can stay silent for 10m0s (max_event_gap) with no heartbeat, and Azure Load Balancer cuts a connection idle for 4m0s: send a comment heartbeat (": heartbeat") at least every 3m0s, from the response headers on: the silence before the first token counts too (proxies send ": ping" comments while the model thinks), or enable TCP keepalive on the backend`,
		},
		{
			// A reasoning model thinks for 8 minutes before its first token:
			// the heartbeat must run then too, and the fix says so.
			name:    "a heartbeat too slow for the silence before the first token",
			profile: Profile{MaxEventGap: 8 * m, HeartbeatInterval: 5 * m},
			silence: 5 * m, heartbeat: 180 * s, appgw: 400, apim: 120,
			findings: "SSE401 error load_balancer",
			msg:      `the heartbeat interval is 5m0s, and Azure Load Balancer cuts a connection idle for 4m0s: send the comment heartbeat (": heartbeat") at least every 3m0s, from the response headers on, before the first token too`,
		},
		{
			name:    "ten-minute silence filled by a heartbeat",
			profile: Profile{MaxEventGap: 10 * m, HeartbeatInterval: 30 * s},
			silence: 30 * s, heartbeat: 180 * s, appgw: 40, apim: 120,
		},
		{
			name:    "TCP keepalive satisfies the load balancer",
			profile: Profile{MaxEventGap: 10 * m, TCPKeepalive: true},
			silence: 10 * m, heartbeat: 0, appgw: 800, apim: 120,
			findings: "SSE401 info load_balancer",
			msg:      "TCP keepalive resets Azure Load Balancer's 4-minute idle clock",
		},
		{
			name:    "silence within the headroom",
			profile: Profile{MaxEventGap: 200 * s},
			silence: 200 * s, heartbeat: 180 * s, appgw: 267, apim: 120,
			findings: "SSE401 warning load_balancer",
			msg:      "within a quarter of Azure Load Balancer's limit of 4m0s",
		},
		{
			name:    "silence exactly at the cut",
			profile: Profile{MaxEventGap: 4 * m, HeartbeatInterval: 4 * m},
			silence: 4 * m, heartbeat: 180 * s, appgw: 320, apim: 120,
			findings: "SSE401 error load_balancer",
			msg:      "the heartbeat interval is 4m0s, and Azure Load Balancer cuts",
		},
		{
			name:    "App Gateway for Containers",
			profile: Profile{MaxEventGap: 250 * s, Hops: []Hop{AppGatewayForContainers}},
			// 5 min idle -> 225 s allowed; 250 s is in the headroom.
			silence: 250 * s, heartbeat: 225 * s, appgw: 334, apim: 120,
			findings: "SSE401 warning app_gateway_for_containers, SSE403 info app_gateway_for_containers",
		},
		{
			name:    "Front Door, App Gateway and APIM",
			profile: Profile{MaxEventGap: 20 * s, Hops: []Hop{FrontDoor, AppGateway, APIM}},
			// Front Door max(27, 16) = 27; App Gateway max(27, 30) = 30;
			// heartbeat min(180 ALB, 180 FD, 64800 App Gateway, and 3/4
			// of the timeouts output: 22.5 App Gateway, 20.25 FD), in whole
			// seconds.
			silence: 20 * s, heartbeat: 20 * s, appgw: 30, apim: 120, frontDoor: 27,
		},
		{
			name:    "short silence keeps Front Door at its minimum",
			profile: Profile{MaxEventGap: 5 * s, Hops: []Hop{FrontDoor}},
			// The heartbeat keeps 3/4 of the 16 s Front Door timeout output.
			silence: 5 * s, heartbeat: 12 * s, appgw: 30, apim: 120, frontDoor: 16,
		},
		{
			name:    "Front Door cannot cover a 241 s silence",
			profile: Profile{MaxEventGap: 250 * s, HeartbeatInterval: 241 * s, Hops: []Hop{FrontDoor}},
			silence: 241 * s, heartbeat: 180 * s, appgw: 322, apim: 120, frontDoor: 240,
			findings: "SSE401 error front_door",
			msg:      "longer than Front Door (origin response timeout, at most 240 s) can cover",
		},
		{
			name:    "a day-long silence behind App Gateway",
			profile: Profile{MaxEventGap: 25 * time.Hour, Hops: []Hop{AppGateway}},
			silence: 25 * time.Hour, heartbeat: 64800 * s, appgw: 86400, apim: 120,
			findings: "SSE401 error app_gateway",
		},
		{
			name:    "slow headers within APIM's wait",
			profile: Profile{MaxEventGap: 10 * s, MaxTimeToHeaders: 60 * s},
			// forward-request 4/3 * 60 = 80; App Gateway covers 60 s too.
			silence: 10 * s, heartbeat: 180 * s, appgw: 80, apim: 80,
		},
		{
			name:    "headers near APIM's limit",
			profile: Profile{MaxEventGap: 10 * s, MaxTimeToHeaders: 200 * s},
			silence: 10 * s, heartbeat: 180 * s, appgw: 267, apim: 240,
			// Waiting 200 s for headers is idle time for the load balancer too.
			findings: "SSE401 warning load_balancer, SSE405 warning apim",
		},
		{
			name:    "headers past APIM's limit",
			profile: Profile{MaxEventGap: 10 * s, MaxTimeToHeaders: 5 * m},
			silence: 10 * s, heartbeat: 180 * s, appgw: 400, apim: 240,
			findings: "SSE401 error load_balancer, SSE405 error apim",
			msg:      "the backend can take 5m0s to send its response headers, a silence no heartbeat fills, and Azure Load Balancer cuts a connection idle for 4m0s: send the headers within 3m0s of the request",
		},
		{
			name:    "Front Door cannot wait five minutes for headers",
			profile: Profile{MaxEventGap: 30 * s, MaxTimeToHeaders: 5 * m, Hops: []Hop{FrontDoor}},
			silence: 30 * s, heartbeat: 180 * s, appgw: 400, apim: 240, frontDoor: 240,
			findings: "SSE401 error front_door",
		},
		{
			name:    "no gateway at all",
			profile: Profile{MaxEventGap: time.Hour, Hops: []Hop{}},
			silence: time.Hour, heartbeat: 0, appgw: 4800, apim: 120,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, errs := Plan(tt.profile)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if b.WireSilence != tt.silence || b.RequiredHeartbeatInterval != tt.heartbeat {
				t.Errorf("silence %v heartbeat %v, want %v %v", b.WireSilence, b.RequiredHeartbeatInterval, tt.silence, tt.heartbeat)
			}
			if b.AppGWRequestTimeout != tt.appgw || b.APIMForwardRequestTimeout != tt.apim || b.FrontDoorOriginResponseTimeout != tt.frontDoor {
				t.Errorf("timeouts appgw %d apim %d front door %d, want %d %d %d",
					b.AppGWRequestTimeout, b.APIMForwardRequestTimeout, b.FrontDoorOriginResponseTimeout, tt.appgw, tt.apim, tt.frontDoor)
			}
			if got := findings(b); got != tt.findings {
				t.Errorf("findings %q, want %q (%v)", got, tt.findings, b.Findings)
			}
			if tt.msg != "" && !strings.Contains(b.Findings[0].Message, tt.msg) {
				t.Errorf("message %q does not say %q", b.Findings[0].Message, tt.msg)
			}
			if b.Ready == strings.Contains(tt.findings, "error") {
				t.Errorf("ready = %v with findings %q", b.Ready, tt.findings)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		profile Profile
		want    []string
	}{
		{"no gap", Profile{}, []string{"max_event_gap: is required"}},
		{"heartbeat longer than the gap", Profile{MaxEventGap: 30 * s, HeartbeatInterval: time.Minute},
			[]string{"heartbeat_interval: 1m0s is longer than max_event_gap (30s): a heartbeat fills the silence between events"}},
		{"unknown hop", Profile{MaxEventGap: s, Hops: []Hop{"cdn"}},
			[]string{`hops: "cdn" is not a hop: use front_door, app_gateway, app_gateway_for_containers, apim, load_balancer`}},
		{"hop twice", Profile{MaxEventGap: s, Hops: []Hop{APIM, APIM}},
			[]string{`hops: "apim" is listed twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := Plan(tt.profile)
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v, want %v", errs, tt.want)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %q, want it to start with %q", e, tt.want[i])
				}
			}
		})
	}
}

func TestBackendResponseHeaders(t *testing.T) {
	h := BackendResponseHeaders()
	if h["Content-Type"] != "text/event-stream" || h["Cache-Control"] != "no-cache" || h["Connection"] != "keep-alive" || h["X-Accel-Buffering"] != "no" || len(h) != 4 {
		t.Fatalf("headers %v", h)
	}
	h["Content-Type"] = "changed"
	if BackendResponseHeaders()["Content-Type"] != "text/event-stream" {
		t.Fatal("callers must get their own map")
	}
}

// The guide is generated from this package; this fails when they drift.
func TestGuideIsUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../templates/guides/timeouts-along-the-chain.md.tmpl")
	if err != nil {
		t.Fatalf("%v (run make generate)", err)
	}
	if string(got) != Guide() {
		t.Fatal("templates/guides/timeouts-along-the-chain.md.tmpl is stale: run make generate")
	}
	for _, want := range []string{"| 4m0s, fixed |", "at least every 3m0s", "`appgw_request_timeout` is 30", "`apim_forward_request_timeout` is 20"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the guide does not say %q", want)
		}
	}
}

func TestTimeoutForHugeDurations(t *testing.T) {
	for _, d := range []time.Duration{time.Duration(1 << 62), 1000000 * time.Hour, time.Duration(1<<63 - 1)} {
		if got := TimeoutFor(d); got <= 0 {
			t.Errorf("TimeoutFor(%v) = %d: overflowed", d, got)
		}
	}
	for d, want := range map[time.Duration]int64{30 * time.Second: 40, 1500 * time.Millisecond: 2, 3 * time.Second: 4, 0: 0} {
		if got := TimeoutFor(d); got != want {
			t.Errorf("TimeoutFor(%v) = %d, want %d", d, got, want)
		}
	}
	b, _ := Plan(Profile{MaxEventGap: 10 * time.Second, MaxTimeToHeaders: 1000000 * time.Hour})
	if b.APIMForwardRequestTimeout != APIMMaxHeaderTimeout || b.Ready {
		t.Errorf("a million hours to headers: apim %d ready %v", b.APIMForwardRequestTimeout, b.Ready)
	}
}

// Each finding names the input to change.
func TestFindingElements(t *testing.T) {
	b, _ := Plan(Profile{MaxEventGap: 10 * m, TCPKeepalive: true, MaxTimeToHeaders: 5 * m, Hops: []Hop{APIM, AppGatewayForContainers}})
	var got []string
	for _, f := range b.Findings {
		got = append(got, f.Rule+" "+f.Element)
	}
	// The 10-minute gap is the longer silence, cut by App Gateway for
	// Containers; keepalive settles the load balancer; headers past 240 s.
	want := "SSE401 heartbeat_interval, SSE401 tcp_keepalive, SSE403 hops, SSE405 max_time_to_headers"
	if strings.Join(got, ", ") != want {
		t.Fatalf("elements %q, want %q", strings.Join(got, ", "), want)
	}
}

func TestHeaderWaitIsTheLongerSilence(t *testing.T) {
	b, _ := Plan(Profile{MaxEventGap: 30 * s, MaxTimeToHeaders: 200 * s, Hops: []Hop{LoadBalancer}})
	if len(b.Findings) != 1 || b.Findings[0].Element != FieldMaxTimeToHeaders || b.Findings[0].Severity != "warning" {
		t.Fatalf("findings %v", b.Findings)
	}
}

// tightest is the guide's account of required_heartbeat_interval, worked
// out here from the budget's outputs and the fixed clocks: the shortest of
// the load balancer's idle cut (unless TCP keepalive resets it), App
// Gateway for Containers' idle timeout, and the App Gateway and Front Door
// timeouts output, for the hops on the path. It returns the limit and the
// output it comes from ("" for a fixed clock).
func tightest(p Profile, b Budget) (time.Duration, string) {
	type cand struct {
		limit  time.Duration
		output string
	}
	var cs []cand
	if (p.has(APIM) || p.has(LoadBalancer)) && !p.TCPKeepalive {
		cs = append(cs, cand{4 * m, ""})
	}
	if p.has(AppGatewayForContainers) {
		cs = append(cs, cand{5 * m, ""})
	}
	if p.has(AppGateway) {
		cs = append(cs, cand{time.Duration(b.AppGWRequestTimeout) * s, "appgw_request_timeout"})
	}
	if p.has(FrontDoor) {
		cs = append(cs, cand{time.Duration(b.FrontDoorOriginResponseTimeout) * s, "front_door_origin_response_timeout"})
	}
	var best cand
	for _, c := range cs {
		if best.limit == 0 || c.limit < best.limit {
			best = c
		}
	}
	return best.limit, best.output
}

// The interval the guide describes is the interval Plan computes, on every
// path and for silences on both sides of each clock.
func TestRequiredHeartbeatIsTheTightestClock(t *testing.T) {
	paths := [][]Hop{{}, {APIM}, {LoadBalancer}, {AppGateway}, {FrontDoor}, {AppGatewayForContainers},
		{FrontDoor, AppGateway, APIM}, {AppGateway, APIM}, {FrontDoor, APIM}, {AppGatewayForContainers, APIM}, {FrontDoor, AppGateway}}
	for _, hops := range paths {
		for _, gap := range []time.Duration{3 * s, 20 * s, 90 * s, 200 * s, 10 * m, 2 * time.Hour} {
			for _, beat := range []time.Duration{0, 2 * s, 20 * s} {
				for _, ttfb := range []time.Duration{0, 50 * s} {
					for _, keepalive := range []bool{false, true} {
						p := Profile{MaxEventGap: gap, HeartbeatInterval: min(beat, gap), MaxTimeToHeaders: ttfb, TCPKeepalive: keepalive, Hops: hops}
						b, errs := Plan(p)
						if len(errs) > 0 {
							t.Fatal(errs)
						}
						limit, output := tightest(p, b)
						want := limit * 3 / 4
						if want > s {
							want = want.Truncate(s)
						}
						if b.RequiredHeartbeatInterval != want || b.HeartbeatClock.Limit != limit || b.HeartbeatClock.Output != output {
							t.Errorf("%+v: heartbeat %s from %+v; want %s, 3/4 of %s (%q)", p, b.RequiredHeartbeatInterval, b.HeartbeatClock, want, limit, output)
						}
					}
				}
			}
		}
	}
}

// The worked example says which clock sets its heartbeat, and it is the
// clock the computation used: Front Door's timeout, 4/3 of the 20 s
// heartbeat = 27 s, whose three quarters (20.25 s) are tighter than App
// Gateway's 30 s and the load balancer's 4 minutes.
func TestGuideNamesTheHeartbeatsClock(t *testing.T) {
	p := Profile{MaxEventGap: 10 * m, HeartbeatInterval: 20 * s, MaxTimeToHeaders: 15 * s, Hops: []Hop{FrontDoor, AppGateway, APIM}}
	b, _ := Plan(p)
	limit, output := tightest(p, b)
	if limit != 27*s || output != "front_door_origin_response_timeout" {
		t.Fatalf("the example's tightest clock is %s (%q), not Front Door's 27 s: update this test's reasoning", limit, output)
	}
	var line string
	for _, l := range strings.Split(Guide(), "\n") {
		if strings.HasPrefix(l, "- `required_heartbeat_interval` is ") {
			line = l
		}
	}
	want := fmt.Sprintf("- `required_heartbeat_interval` is %s: three quarters of the tightest clock on the path, ", b.RequiredHeartbeatInterval)
	if !strings.HasPrefix(line, want) || !strings.Contains(line, fmt.Sprintf("(`%s`, %d s)", output, limit/s)) || strings.Contains(line, "load balancer") {
		t.Fatalf("the guide says\n  %s\nbut the interval is %s, 3/4 of %s (%s)", line, b.RequiredHeartbeatInterval, output, limit)
	}
	// The paragraph on the interval names both timeouts it keeps under.
	if g := Guide(); !strings.Contains(g, "`appgw_request_timeout` and `front_door_origin_response_timeout` that sseready outputs") {
		t.Error("the guide does not say the interval keeps the timeouts output under it")
	}
}
