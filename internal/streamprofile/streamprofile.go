// Package streamprofile turns a description of an SSE stream (its longest
// silence, its heartbeat, the hops it crosses) into the timeout budget of
// the whole chain: the heartbeat every hop needs, the timeouts to set on
// the hops that have one, and what cannot work.
//
// Every hop has a clock that cuts a connection silent for too long. A
// comment heartbeat (": heartbeat") is bytes on the wire. FACTS.md says it
// keeps Azure Load Balancer's clock from running out, as TCP keepalive
// does; for the HTTP hops (App Gateway's request timeout, App Gateway for
// Containers, Front Door) sseready assumes the same of any bytes from the
// backend, since their sources speak only of silence between events.
// sseready keeps each clock a third above the longest silence: the silence
// may use at most 75% of a limit. Closer than that is a warning, at or past
// the limit an error.
package streamprofile

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Hop is a gateway the stream crosses.
type Hop string

const (
	FrontDoor               Hop = "front_door"
	AppGateway              Hop = "app_gateway"
	AppGatewayForContainers Hop = "app_gateway_for_containers"
	APIM                    Hop = "apim"
	// LoadBalancer is an Azure Load Balancer rule of the customer's own
	// (API Management's is part of the apim hop).
	LoadBalancer  Hop = "load_balancer"
	ContainerApps Hop = "container_apps"
	AppService    Hop = "app_service"
)

// Hops lists the hops in the order a request meets them.
var Hops = []Hop{FrontDoor, AppGateway, AppGatewayForContainers, APIM, LoadBalancer, ContainerApps, AppService}

// DefaultHops is the path when none is given: API Management, and with it
// the Azure Load Balancer in its infrastructure.
var DefaultHops = []Hop{APIM}

// The clocks along the chain (FACTS.md, and azurerm's ranges).
const (
	// LoadBalancerIdle: Azure Load Balancer, inside API Management, drops a
	// connection idle for 4 minutes.
	LoadBalancerIdle = 4 * time.Minute
	// AGCIdle: Application Gateway for Containers' idle timeout.
	AGCIdle = 5 * time.Minute
	// AppGWMinTimeout, AppGWMaxTimeout bound request_timeout; azurerm's
	// default is AppGWDefaultTimeout.
	AppGWMinTimeout     = 1
	AppGWMaxTimeout     = 86400
	AppGWDefaultTimeout = 30
	// FrontDoorMinTimeout, FrontDoorMaxTimeout bound Front Door's origin
	// response timeout (azurerm response_timeout_seconds).
	FrontDoorMinTimeout = 16
	FrontDoorMaxTimeout = 240
	// APIMMaxHeaderTimeout is the longest forward-request timeout APIM is
	// documented to honor; APIMDefaultTimeout is Microsoft's SSE example.
	APIMMaxHeaderTimeout = 240
	APIMDefaultTimeout   = 120
	// LoadBalancerMinIdle, LoadBalancerMaxIdle bound a load balancer
	// rule's idle_timeout_in_minutes (LoadBalancerIdle is its default and
	// API Management's own, which the customer cannot change).
	LoadBalancerMinIdle = 4 * time.Minute
	LoadBalancerMaxIdle = 100 * time.Minute
	// ContainerAppsIdle is Container Apps ingress's request idle timeout
	// by default; it can be set from ContainerAppsMinIdle to
	// ContainerAppsMaxIdle.
	ContainerAppsIdle    = 4 * time.Minute
	ContainerAppsMinIdle = 4 * time.Minute
	ContainerAppsMaxIdle = 30 * time.Minute
	// AppServiceIdle: App Service's front ends close a request with no
	// response bytes for 230 seconds.
	AppServiceIdle = 230 * time.Second
)

// Headroom: a silence may use at most 3/4 of a clock.
const headroomNum, headroomDen = 3, 4

// withHeadroom is the longest silence a clock of limit allows.
func withHeadroom(limit time.Duration) time.Duration { return limit * headroomNum / headroomDen }

// HeartbeatFor is the longest interval between bytes a clock of limit
// allows with the headroom kept: 3/4 of it, rounded down to whole seconds
// above one second (whole seconds read better; rounding down keeps the
// headroom). 0 for no clock.
func HeartbeatFor(limit time.Duration) time.Duration {
	d := withHeadroom(limit)
	if d > time.Second {
		d = d.Truncate(time.Second)
	}
	return d
}

// TimeoutFor is the shortest timeout, in whole seconds, that keeps the
// headroom over a silence. Durations too long to scale in nanoseconds are
// scaled in seconds, so nothing overflows.
func TimeoutFor(silence time.Duration) int64 {
	if silence <= math.MaxInt64/headroomDen {
		return input.Seconds((silence*headroomDen + headroomNum - 1) / headroomNum)
	}
	secs := input.Seconds(silence)
	return (secs*headroomDen + headroomNum - 1) / headroomNum
}

// WireSilence is the longest time without a byte on the wire for a
// stream whose longest silence without an event is maxEventGap and whose
// heartbeat comes every heartbeat (0: none): the heartbeat when it fills
// the silence, else the whole silence. Every idle clock on the path sees
// this, not the gap between events.
func WireSilence(maxEventGap, heartbeat time.Duration) time.Duration {
	if heartbeat > 0 && heartbeat < maxEventGap {
		return heartbeat
	}
	return maxEventGap
}

// HeartbeatLine is an SSE comment line: clients ignore it, every hop sees
// bytes.
const HeartbeatLine = ": heartbeat\n\n"

// BackendResponseHeaders are the headers the backend must send (FACTS.md,
// Application Gateway 3; nginx for X-Accel-Buffering). Transfer-Encoding:
// chunked is left to the HTTP server, which adds it to a response without
// Content-Length.
func BackendResponseHeaders() map[string]string {
	return map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache",
		"Connection":        "keep-alive",
		"X-Accel-Buffering": "no",
	}
}

// Names of the inputs, as errors report them (the provider's attributes).
const (
	FieldMaxEventGap      = "max_event_gap"
	FieldHeartbeat        = "heartbeat_interval"
	FieldMaxTimeToHeaders = "max_time_to_headers"
	FieldTCPKeepalive     = "tcp_keepalive"
	FieldHops             = "hops"
	FieldLoadBalancerIdle = "load_balancer_idle_timeout"
	FieldContainerApps    = "container_apps_idle_timeout"
)

// MaxEventGapMeaning says what max_event_gap is, for every description
// of it (provider attributes, CLI flags, module variables): the silence
// before the first event is a silence like any other, and for a reasoning
// model it is the longest.
const MaxEventGapMeaning = "The longest silence the backend keeps without an event, the silence between the response headers and the first event included: a reasoning model can think for minutes before its first token, and every hop's idle clock counts that silence as it counts the gaps between events."

// Profile describes a stream and its path.
type Profile struct {
	// MaxEventGap is the longest silence without an event, before the
	// first event included (MaxEventGapMeaning). Required.
	MaxEventGap time.Duration
	// HeartbeatInterval is how often the backend sends a comment line when
	// no event goes out (0: no heartbeat).
	HeartbeatInterval time.Duration
	// MaxTimeToHeaders is the longest wait for the backend's response
	// headers (0: not given).
	MaxTimeToHeaders time.Duration
	// TCPKeepalive is true when the backend keeps its connections alive
	// with TCP keepalive probes.
	TCPKeepalive bool
	// Hops is the path; nil means DefaultHops, empty means no gateway.
	Hops []Hop
	// LoadBalancerIdle is the idle timeout of the load_balancer hop's rule
	// (0: its default, LoadBalancerIdle); ContainerAppsIdle the ingress
	// request idle timeout of the container_apps hop (0: its default).
	LoadBalancerIdle, ContainerAppsIdle time.Duration
}

// Budget is the profile's verdict: what to set, and what breaks.
type Budget struct {
	// WireSilence is the longest time without a byte on the wire.
	WireSilence time.Duration
	// RequiredHeartbeatInterval is the longest interval between bytes that
	// keeps every hop's clock within its headroom (0: no hop needs one):
	// 3/4 of HeartbeatClock's limit, in whole seconds above one second.
	RequiredHeartbeatInterval time.Duration
	// HeartbeatClock is the tightest clock on the path, which sets
	// RequiredHeartbeatInterval: a fixed idle clock, or a timeout this
	// budget outputs (zero when no hop needs a heartbeat).
	HeartbeatClock Clock
	// AppGWRequestTimeout is App Gateway's request_timeout, in seconds.
	AppGWRequestTimeout int64
	// APIMForwardRequestTimeout is forward-request's timeout, in seconds.
	APIMForwardRequestTimeout int64
	// FrontDoorOriginResponseTimeout is Front Door's origin response
	// timeout, in seconds (0 when Front Door is not a hop).
	FrontDoorOriginResponseTimeout int64
	Findings                       []rules.Finding
	Ready                          bool
}

// Validate checks the profile on its own.
func (p Profile) Validate() []*input.Error {
	var errs []*input.Error
	if p.MaxEventGap <= 0 {
		errs = append(errs, input.Errorf(FieldMaxEventGap, "is required: the longest silence without an event (before the first one included), such as \"30s\""))
	}
	if p.HeartbeatInterval > 0 && p.MaxEventGap > 0 && p.HeartbeatInterval > p.MaxEventGap {
		errs = append(errs, input.Errorf(FieldHeartbeat,
			"%s is longer than max_event_gap (%s): a heartbeat fills the silence between events, so it must be shorter than the longest silence",
			p.HeartbeatInterval, p.MaxEventGap))
	}
	for _, r := range []struct {
		field    string
		d        time.Duration
		min, max time.Duration
	}{
		{FieldLoadBalancerIdle, p.LoadBalancerIdle, LoadBalancerMinIdle, LoadBalancerMaxIdle},
		{FieldContainerApps, p.ContainerAppsIdle, ContainerAppsMinIdle, ContainerAppsMaxIdle},
	} {
		if r.d != 0 && (r.d < r.min || r.d > r.max) {
			errs = append(errs, input.Errorf(r.field, "%s is outside %s to %s", r.d, r.min, r.max))
		}
	}
	seen := map[Hop]bool{}
	for _, h := range p.Hops {
		switch {
		case !known(h):
			errs = append(errs, input.Errorf(FieldHops, "%q is not a hop: use %s", h, hopNames()))
		case seen[h]:
			errs = append(errs, input.Errorf(FieldHops, "%q is listed twice", h))
		}
		seen[h] = true
	}
	return errs
}

func known(h Hop) bool {
	for _, k := range Hops {
		if h == k {
			return true
		}
	}
	return false
}

func hopNames() string {
	names := make([]string, len(Hops))
	for i, h := range Hops {
		names[i] = string(h)
	}
	return strings.Join(names, ", ")
}

// Clock is a limit on silence along the path.
type Clock struct {
	// Hop runs the clock (rules.Hop*).
	Hop string
	// Name says what the clock is, for messages and the guide.
	Name string
	// Limit is the longest silence the hop survives.
	Limit time.Duration
	// Output is the budget's attribute the limit comes from, when it is a
	// timeout computed here ("appgw_request_timeout"); empty for a fixed
	// clock.
	Output string
}

// tighten makes c the heartbeat's clock when it is tighter than the one
// so far (the first of equals stays).
func (b *Budget) tighten(c Clock) {
	if b.HeartbeatClock.Limit == 0 || c.Limit < b.HeartbeatClock.Limit {
		b.HeartbeatClock = c
	}
}

// Names of the timeouts the budget outputs (the provider's attributes).
const (
	OutputAppGWRequestTimeout = "appgw_request_timeout"
	OutputFrontDoorTimeout    = "front_door_origin_response_timeout"
)

// clock is one hop's limit on silence.
type clock struct {
	hop   string
	name  string        // for messages
	limit time.Duration // the longest silence the hop survives
	// settable is true when the limit is the largest value of a timeout
	// the user sets (App Gateway, Front Door) rather than a fixed clock.
	settable bool
}

func (p Profile) hops() []Hop {
	if p.Hops == nil {
		return DefaultHops
	}
	return p.Hops
}

func (p Profile) has(h Hop) bool {
	for _, x := range p.hops() {
		if x == h {
			return true
		}
	}
	return false
}

// clocks are the limits on silence of the hops on the path. The load
// balancer's is left out when TCP keepalive resets it.
func (p Profile) clocks() []clock {
	var cs []clock
	if !p.TCPKeepalive {
		if p.has(APIM) {
			cs = append(cs, clock{rules.HopLoadBalancer, "Azure Load Balancer", LoadBalancerIdle, false})
		}
		if lb := cmp.Or(p.LoadBalancerIdle, LoadBalancerIdle); p.has(LoadBalancer) && (!p.has(APIM) || lb != LoadBalancerIdle) {
			cs = append(cs, clock{rules.HopLoadBalancer, "the Azure Load Balancer rule (idle_timeout_in_minutes)", lb, false})
		}
	}
	if p.has(ContainerApps) {
		cs = append(cs, clock{rules.HopContainerApps, "Container Apps ingress (request idle timeout)", cmp.Or(p.ContainerAppsIdle, ContainerAppsIdle), false})
	}
	if p.has(AppService) {
		cs = append(cs, clock{rules.HopAppService, "App Service's front end", AppServiceIdle, false})
	}
	if p.has(AppGatewayForContainers) {
		cs = append(cs, clock{rules.HopAppGatewayForContainers, "App Gateway for Containers", AGCIdle, false})
	}
	if p.has(FrontDoor) {
		cs = append(cs, clock{rules.HopFrontDoor, "Front Door (origin response timeout, at most 240 s)", FrontDoorMaxTimeout * time.Second, true})
	}
	if p.has(AppGateway) {
		cs = append(cs, clock{rules.HopAppGateway, fmt.Sprintf("App Gateway (request_timeout, at most %d s)", AppGWMaxTimeout), AppGWMaxTimeout * time.Second, true})
	}
	return cs
}

// Plan computes the budget. Inputs are validated first; with errors there
// is no budget.
func Plan(p Profile) (Budget, []*input.Error) {
	if errs := p.Validate(); len(errs) > 0 {
		return Budget{}, errs
	}
	var b Budget
	b.WireSilence = WireSilence(p.MaxEventGap, p.HeartbeatInterval)
	// report records a finding about the input element (the attribute to
	// change).
	report := func(id, hop, element string, sev rules.Severity, format string, args ...any) {
		f := rules.MustLookup(id).Finding(0, 0, element, format, args...)
		f.Hop, f.Severity = hop, sev
		b.Findings = append(b.Findings, f)
	}

	for _, c := range p.clocks() {
		if !c.settable {
			// A settable clock's largest value bounds the timeout output
			// below, which is the tighter of the two.
			b.tighten(Clock{Hop: c.hop, Name: c.name, Limit: c.limit})
		}
		p.judgeSilence(b.WireSilence, c, withHeadroom(c.limit), report)
	}
	if (p.has(APIM) || p.has(LoadBalancer)) && p.TCPKeepalive {
		report(rules.IdleCut, rules.HopLoadBalancer, FieldTCPKeepalive, rules.Info,
			"TCP keepalive resets Azure Load Balancer's 4-minute idle clock; the other hops count only bytes, so they still need events or heartbeats")
	}
	if p.has(AppGatewayForContainers) {
		report(rules.AGCRouteTimeout, rules.HopAppGatewayForContainers, FieldHops, rules.Info,
			"App Gateway for Containers ends a response when its route timeout runs out: set the route's timeout to 0s for this stream")
	}

	// Timeouts cover the longest silence, headers included.
	silence := max(b.WireSilence, p.MaxTimeToHeaders)
	b.AppGWRequestTimeout = min(max(TimeoutFor(silence), AppGWDefaultTimeout), AppGWMaxTimeout)
	if p.has(FrontDoor) {
		b.FrontDoorOriginResponseTimeout = min(max(TimeoutFor(silence), FrontDoorMinTimeout), FrontDoorMaxTimeout)
	}
	b.APIMForwardRequestTimeout = APIMDefaultTimeout
	if p.MaxTimeToHeaders > 0 {
		b.APIMForwardRequestTimeout = p.apimHeaderTimeout(report)
	}
	// The timeouts output here are set for this stream's silence: a
	// backend that kept only the fixed clocks' interval would outlast
	// them, so the interval keeps their headroom too.
	for _, t := range []struct {
		hop     Hop
		seconds int64
		c       Clock
	}{
		{AppGateway, b.AppGWRequestTimeout, Clock{Hop: rules.HopAppGateway, Name: "App Gateway's request_timeout as output here", Output: OutputAppGWRequestTimeout}},
		{FrontDoor, b.FrontDoorOriginResponseTimeout, Clock{Hop: rules.HopFrontDoor, Name: "Front Door's origin response timeout as output here", Output: OutputFrontDoorTimeout}},
	} {
		if p.has(t.hop) && t.seconds > 0 {
			t.c.Limit = time.Duration(t.seconds) * time.Second
			b.tighten(t.c)
		}
	}
	b.RequiredHeartbeatInterval = HeartbeatFor(b.HeartbeatClock.Limit)
	b.Ready = rules.Ready(b.Findings)
	return b, nil
}

type reporter func(id, hop, element string, sev rules.Severity, format string, args ...any)

// judgeSilence reports a silence that reaches a clock's limit (error) or
// eats into its headroom (warning). The longest silence is the gap between
// bytes (wire) or the wait for the response headers, whichever is longer:
// a connection waiting for headers is as idle as one between events, and
// no heartbeat can fill that wait.
func (p Profile) judgeSilence(wire time.Duration, c clock, allowed time.Duration, report reporter) {
	silence, element := wire, FieldHeartbeat
	what := fmt.Sprintf("the stream can stay silent for %s (max_event_gap) with no heartbeat", wire)
	if p.HeartbeatInterval > 0 && p.HeartbeatInterval <= p.MaxEventGap {
		what = fmt.Sprintf("the heartbeat interval is %s", wire)
	}
	fix := fmt.Sprintf("send a comment heartbeat (%q) at least every %s, from the response headers on: the silence before the first token counts too (proxies send \": ping\" comments while the model thinks)", strings.TrimSpace(HeartbeatLine), allowed)
	if p.HeartbeatInterval > 0 && p.HeartbeatInterval <= p.MaxEventGap {
		fix = fmt.Sprintf("send the comment heartbeat (%q) at least every %s, from the response headers on, before the first token too", strings.TrimSpace(HeartbeatLine), allowed)
	}
	if p.MaxTimeToHeaders > wire {
		silence, element = p.MaxTimeToHeaders, FieldMaxTimeToHeaders
		what = fmt.Sprintf("the backend can take %s to send its response headers, a silence no heartbeat fills", p.MaxTimeToHeaders)
		fix = fmt.Sprintf("send the headers within %s of the request", allowed)
	}
	if silence <= allowed {
		return
	}
	if c.hop == rules.HopLoadBalancer {
		fix += ", or enable TCP keepalive on the backend"
	}
	switch {
	case silence >= c.limit && c.settable:
		report(rules.IdleCut, c.hop, element, rules.Error, "%s, longer than %s can cover: %s", what, c.name, fix)
	case silence >= c.limit:
		report(rules.IdleCut, c.hop, element, rules.Error, "%s, and %s cuts a connection idle for %s: %s", what, c.name, c.limit, fix)
	default:
		report(rules.IdleCut, c.hop, element, rules.Warning, "%s, within a quarter of %s's limit of %s: %s to keep a margin", what, c.name, c.limit, fix)
	}
}

// apimHeaderTimeout is the forward-request timeout for the longest wait
// for headers, reported when APIM cannot wait that long.
func (p Profile) apimHeaderTimeout(report reporter) int64 {
	t := TimeoutFor(p.MaxTimeToHeaders)
	if t <= APIMMaxHeaderTimeout {
		return t
	}
	if !p.has(APIM) {
		return APIMMaxHeaderTimeout
	}
	if p.MaxTimeToHeaders >= APIMMaxHeaderTimeout*time.Second {
		report(rules.APIMHeadersTimeout, rules.HopAPIM, FieldMaxTimeToHeaders, rules.Error,
			"the backend takes up to %s to send its response headers, and forward-request waits at most %d s: send the headers when the stream starts",
			p.MaxTimeToHeaders, APIMMaxHeaderTimeout)
	} else {
		report(rules.APIMHeadersTimeout, rules.HopAPIM, FieldMaxTimeToHeaders, rules.Warning,
			"the backend takes up to %s to send its response headers, within a quarter of the %d s forward-request can wait: send the headers sooner",
			p.MaxTimeToHeaders, APIMMaxHeaderTimeout)
	}
	return APIMMaxHeaderTimeout
}
