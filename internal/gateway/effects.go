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
	refuse                      // refuse the request: answer 503
	appGWBuffer                 // hold AppGWBufferSize before sending
	filterChunks                // hold ContentFilterChunk before sending
	// The effects below come from the path a request takes through the
	// policy (apimcheck.Trace), not from a finding alone: the rule names
	// what the hop then does.
	noForward   // call no backend: answer with what <outbound> builds
	answer      // answer with the policy's return-response or mock-response
	rewrite     // rewrite the response's headers as <outbound> says
	window      // hold the stream in llm-content-safety's sliding window
	takesBranch // evaluate the condition for the request received
)

// byPath reports whether the effect comes from the request's path.
func (e effect) byPath() bool { return e >= noForward }

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
	{rules.NoForwardRequest, noForward, "calls no backend for a request whose path forwards nothing, and answers with what <outbound> builds: status 200 unless a set-status says otherwise, the headers its set-header policies write, the body set-body writes (none without one)"},
	{rules.BackendNeverReached, answer, "answers with the return-response or mock-response: set-status (200 OK by default), set-header and set-body inside return-response; mock-response's status-code (default 200) and content-type, and no body (the emulator holds no API examples)"},
	{rules.ResponseReplaced, answer, "calls the backend, then drops its response and answers with the <outbound> return-response or mock-response instead"},
	{rules.StreamingRefused, answer, "answers the requests whose path reaches the return-response or mock-response with its response, as SSE150 says; the others stream"},
	{rules.StreamFlagConstant, takesBranch, "evaluates each <when> condition for the request it receives (its body, headers and method), as C# and Newtonsoft.Json do, so the request takes the branch the real gateway sends it down; a condition it cannot decide leaves its <choose> to the checker's reading, as in lint"},
	{rules.ResponseHeadersChanged, rewrite, "rewrites the response's headers as <outbound>'s set-header says (override, skip, append, delete), Content-Type included: the client sees the rewritten type"},
	{rules.ContentSafetyWindow, window, "holds the stream in a sliding window of window-size characters of event data (default 10,000), releasing the oldest events as newer ones push them out and the rest at the end; on a violation it stops forwarding and ends the response without an error status. What violates is a test device: the word given with --content-safety-block"},
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

// inertRule is a rule whose findings change nothing the emulated hop can
// act on, with why. invalid marks a rule about a document that is not
// valid as written: a proof of it fails.
type inertRule struct {
	rule    string
	invalid bool
	why     string
}

// inertRules are the APIM policy rules that have no runtime effect here.
// With ruleEffects they cover every policy rule of the catalogue (see
// TestEveryPolicyRuleIsActedOut).
var inertRules = []inertRule{
	{rules.ExpressionSyntax, true, "a syntax rule: an expression that is not C# is not a policy APIM runs as written; fix the document first"},
	{rules.TimeoutAndTimeoutMs, true, "a syntax rule: the two attributes exclude each other, so APIM does not run the document as written; fix it first"},
	{rules.ForwardAttributeInvalid, true, "a syntax rule: the value is not one APIM takes; fix it first (the hop runs the timeout clock with the default)"},
	{rules.ForwardRequestOutsideBackend, true, "a syntax rule: forward-request belongs in <backend> only; fix the document first"},
	{rules.TimeoutOver240, false, "a clock: the hop answers 504 when no headers come within forward-request's timeout (300 s when unset); whether APIM honors a value over 240 s is not known, so the hop honors it"},
	{rules.HTTP2Preview, false, "the hop speaks HTTP/1.1 to the backend whatever http-version says: the protocol changes the transport, not how events are relayed"},
	{rules.UnresolvedFragment, false, "the hop runs nothing in the fragment's place: give it with --apim-fragment NAME=FILE"},
	{rules.NotAPolicyDocument, false, "the hop takes no file without a <policies> or <fragment> root: it names the root it needs, and runs nothing"},
	{rules.AcceptCommentInvalid, false, "an sseready comment: APIM ignores comments, and so does the hop"},
	{rules.TokenEstimate, false, "token counting changes no byte of the stream"},
	{rules.DiagnosticBlockLeft, false, "the hop knows only the blocks written: what APIM kept from before is not in the files"},
}

// inertOf returns the rule's entry in inertRules.
func inertOf(rule string) (inertRule, bool) {
	for _, r := range inertRules {
		if r.rule == rule {
			return r, true
		}
	}
	return inertRule{}, false
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
