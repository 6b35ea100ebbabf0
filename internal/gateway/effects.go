package gateway

import (
	"fmt"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// effect is what an emulated hop does to a response when a rule applies.
type effect int

const (
	bufferUnits   effect = iota // relay in units of APIMBufferUnit
	holdAll                     // hold the whole response until it ends
	cacheResponse               // store complete responses and replay them
	noForward                   // forward nothing: answer 500
	refuse                      // refuse the request: answer 503
	appGWBuffer                 // hold AppGWBufferSize before sending
	filterChunks                // hold ContentFilterChunk before sending
)

// ruleEffect ties a rule of the catalogue to what the emulator does when
// the rule's error applies, so Derive and the guide read one table.
type ruleEffect struct {
	rule   string
	effect effect
	// does says what the hop does, for the guide.
	does string
}

// ruleEffects are the rules the emulator enacts. A rule not listed here
// changes nothing in the emulator (a warning, a timeout it models as a
// clock, or a setting outside the stream's path).
var ruleEffects = []ruleEffect{
	{rules.ForwardRequestBuffers, bufferUnits, fmt.Sprintf("relays the response in %d-byte units, the rest when it ends", APIMBufferUnit)},
	{rules.BackendInheritsBuffering, bufferUnits, fmt.Sprintf("relays the response in %d-byte units (the inherited forward-request buffers)", APIMBufferUnit)},
	{rules.BufferResponseNotLiteral, bufferUnits, fmt.Sprintf("relays the response in %d-byte units (an expression may yield true)", APIMBufferUnit)},
	{rules.NoForwardRequest, noForward, "forwards nothing and answers 500"},
	{rules.ValidateContent, holdAll, "holds the whole response until it ends"},
	{rules.BodyTransform, holdAll, "holds the whole response until it ends"},
	{rules.ResponseBodyRead, holdAll, "holds the whole response until it ends"},
	{rules.EventHubBodyLogging, holdAll, "holds the whole response until it ends"},
	{rules.ResponseCaching, cacheResponse, "stores complete responses and replays them to later requests"},
	{rules.ConsumptionTier, refuse, "refuses the request with 503"},
	{rules.DiagnosticBodyLogging, holdAll, "holds the whole response until it ends"},
	{rules.AppGWResponseBuffering, appGWBuffer, "holds AppGWBufferSize bytes before sending, the rest when the response ends"},
	{rules.OpenAIContentFilter, filterChunks, "(the azure_openai hop of `prove --chain`) relays the response in ContentFilterChunk-byte chunks (--content-filter-chunk, default 1 KiB), the rest when it ends"},
}

// effectOf returns the rule's effect, if the emulator enacts it.
func effectOf(rule string) (ruleEffect, bool) {
	for _, e := range ruleEffects {
		if e.rule == rule {
			return e, true
		}
	}
	return ruleEffect{}, false
}

// clock is a timer a hop runs, with the rule that explains it.
type clock struct {
	hop, name, rule, does string
}

// clocks are the emulator's timers, scaled by TimeScale.
var clocks = []clock{
	{"apim", "Azure Load Balancer idle timeout", rules.IdleCut,
		fmt.Sprintf("cuts a connection on which nothing reached the client for %s", LoadBalancerIdle)},
	{"apim", "forward-request timeout", rules.APIMHeadersTimeout,
		fmt.Sprintf("answers 504 when the backend sends no response headers within forward-request's timeout (%s when none is set)", DefaultForwardTimeout)},
	{"app_gateway", "request_timeout", rules.AppGWRequestTimeout,
		"cuts a response whose upstream sends nothing for request_timeout (the AGIC request-timeout annotation when given), and answers 504 when no headers come within it"},
	{rules.HopFrontDoor, "origin response timeout", rules.FrontDoorTimeout,
		"cuts a response whose upstream sends nothing for response_timeout_seconds, and answers 504 when no headers come within it"},
	{rules.HopAppGatewayForContainers, "idle timeout", rules.IdleCut,
		fmt.Sprintf("cuts a response whose upstream sends nothing for %s", streamprofile.AGCIdle)},
	{rules.HopAppGatewayForContainers, "route timeout", rules.AGCRouteTimeout,
		"cuts every response when the route timeout in force (the HTTPRoute's timeouts.request or timeouts.backendRequest, else the RoutePolicy's routeTimeout) runs out; 0s never"},
	{rules.HopLoadBalancer, "idle_timeout_in_minutes", rules.IdleCut,
		"cuts a response whose upstream sends nothing for the rule's idle timeout (default 4 minutes); without tcp_reset_enabled it drops the flow silently: the client's connection stays open and hears nothing more"},
	{rules.HopContainerApps, "request idle timeout", rules.IdleCut,
		fmt.Sprintf("cuts a response whose upstream sends nothing for the ingress's request idle timeout (default %s)", streamprofile.ContainerAppsIdle)},
	{rules.HopAppService, "front end", rules.IdleCut,
		fmt.Sprintf("cuts a response whose upstream sends nothing for %s", streamprofile.AppServiceIdle)},
}
