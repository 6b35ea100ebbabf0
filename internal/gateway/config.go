// Package gateway is a local stand-in for Azure API Management and
// Application Gateway: an HTTP reverse proxy that treats an SSE stream as
// the documented gateway would under the settings users deploy (a policy
// document, an SKU, diagnostic settings, an App Gateway global block and
// request_timeout). It reads those settings with the same rules as the
// provider, so a setting the provider calls buffering buffers here, on
// real sockets.
//
// Behaviour comes from FACTS.md where the sources describe it. Where they
// do not, the behaviour is a named assumption with a setting (see
// Assumptions).
package gateway

import (
	"crypto/tls"
	"fmt"
	"math"
	"net/url"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// APIM is the API Management configuration to emulate.
type APIM struct {
	// Policies are the policy documents along the scope chain, at most
	// one per scope, in any order. The hop runs their composition: each
	// <base /> stands for the scope above's section, and a <backend> that
	// inherits from above the highest scope given gets APIM's global
	// default forward-request, which buffers.
	Policies []Policy
	// SKU is azurerm's sku_name ("" leaves the tier unchecked).
	SKU string
	// Diagnostics are the diagnostics that apply to the API.
	Diagnostics []apimdiag.Diagnostic
	// Fragments are the policy fragments the policies include, by
	// fragment-id (apimcheck.ParseFragments): their policies are enacted
	// where they are included.
	Fragments map[string]*apimpolicy.Document
}

// Policy is one policy document and the scope it is attached at.
type Policy struct {
	Scope apimcheck.Scope
	XML   []byte
	// Source names the document in errors (a file name); optional.
	Source string
}

// AppGW is the Application Gateway configuration to emulate.
type AppGW struct {
	// ResponseBuffering is global.response_buffering_enabled (true when
	// the gateway has no global block: its default).
	ResponseBuffering bool
	// RequestTimeout is backend_http_settings.request_timeout.
	RequestTimeout time.Duration
}

// Relay is a hop that relays the stream as it comes and acts on it only
// through its clocks or a fixed unit: Front Door's origin response
// timeout, your Load Balancer rule, App Gateway for Containers' route,
// Container Apps ingress, App Service's front end, the Azure OpenAI
// content filter. chainrun.FromChain builds them from a chain.
type Relay struct {
	// Clock names the idle clock in cuts ("load_balancer
	// idle_timeout_in_minutes").
	Clock string
	// Idle cuts a response whose upstream sends nothing for that long,
	// and answers 504 when no headers come within it (0: no idle clock).
	Idle time.Duration
	// Total cuts every response that long after the request was
	// forwarded (0: none): a route timeout.
	Total time.Duration
	// Silent cuts tell the client nothing: the hop drops the flow, as an
	// Azure Load Balancer rule without TCP reset does, and the client's
	// connection stays open, hearing nothing more, until it leaves.
	Silent bool
	// Rules are the rules behind the hop's clocks and effects (rules
	// catalogue IDs): a rule with an effect (ruleEffects, such as the
	// content filter's chunks) is enacted, the others are named in
	// X-Sseready-Gateway.
	Rules []string
}

// Config is one emulated hop.
type Config struct {
	// Upstream is where requests go: the origin or the next hop.
	Upstream *url.URL
	// Exactly one of APIM, AppGW and Relay is set.
	APIM  *APIM
	AppGW *AppGW
	Relay *Relay
	// TimeScale runs every gateway clock that many times faster (default
	// 1): with 60, Azure Load Balancer's 4-minute idle cut takes 4 s.
	TimeScale float64
	// AppGWBufferSize is how much a buffering Application Gateway holds
	// before it sends (an assumption: the size is not documented; default
	// DefaultAppGWBufferSize).
	AppGWBufferSize int
	// ContentFilterChunk is how much the Azure OpenAI content filter's
	// default mode holds before it sends (an assumption: the size is not
	// documented; default DefaultContentFilterChunk).
	ContentFilterChunk int
	// BufferCap is the most a hop holds for one response in the modes
	// that hold it whole, and for one request body (an API Management hop
	// reads it to run the policy); past it the response fails (default
	// DefaultBufferCap). Memory stays bounded whatever the stream.
	BufferCap int
	// ContentSafetyBlock is a test device, not Azure behaviour: an event
	// whose data holds this word (case-insensitive) violates an
	// llm-content-safety that checks completions, so the hop stops
	// forwarding. "" never violates: the window only holds events.
	ContentSafetyBlock string
	// TLSConfig is for an https upstream (nil: the system's roots).
	TLSConfig *tls.Config
}

// Defaults.
const (
	// APIMBufferUnit: forward-request with buffer-response true relays in
	// 8 KB units unless the stream ends (FACTS.md).
	APIMBufferUnit = 8 * 1024
	// DefaultAppGWBufferSize is the assumed Application Gateway response
	// buffer (see Assumptions).
	DefaultAppGWBufferSize = 64 * 1024
	// DefaultBufferCap bounds a held response.
	DefaultBufferCap = 16 << 20
	// LoadBalancerIdle is Azure Load Balancer's idle cut in API Management.
	LoadBalancerIdle = streamprofile.LoadBalancerIdle
	// MaxTimeScale keeps the fastest clock (a 1-second timeout) at a
	// millisecond or more.
	MaxTimeScale = 1000
	// DefaultContentFilterChunk is the assumed chunk of the Azure OpenAI
	// content filter's default mode (see Assumptions).
	DefaultContentFilterChunk = 1024
	// DefaultForwardTimeout is forward-request's timeout when none is set.
	DefaultForwardTimeout = 300 * time.Second
	// DefaultContentSafetyWindow is llm-content-safety's window-size when
	// none is set, in characters (FACTS.md).
	DefaultContentSafetyWindow = 10000
)

// Assumptions are the behaviours the sources do not pin down, each with
// the setting or default that stands for it.
var Assumptions = []string{
	"Application Gateway's response buffer size is not documented: a buffering gateway holds up to AppGWBufferSize (default 64 KiB, --appgw-buffer-size) before sending, and the rest at the end.",
	"A request refused by the Consumption tier is answered 503: Microsoft documents only that long-running connections are not supported there.",
	"A forward-request timeout (no response headers in time) is answered 504 Gateway Timeout; Application Gateway's request_timeout before the headers likewise, and so are the idle clocks of Front Door, Container Apps and App Service (your Load Balancer rule without TCP reset answers nothing).",
	"Front Door's origin response timeout counts between bytes, not only to the first byte (the stricter reading; the sources do not say). With no response_timeout_seconds given, Front Door runs no clock: its default is not in the sources.",
	"App Gateway for Containers' route timeout (the HTTPRoute's timeouts, else the RoutePolicy's routeTimeout) counts from the request to the end of the response; with none given, no route timeout runs: the default is not in the sources.",
	"The Azure OpenAI content filter's default mode relays the stream in chunks of ContentFilterChunk bytes (default 1 KiB, --content-filter-chunk): Microsoft says content comes back in chunks of the buffer's size, not what that size is.",
	"A request's path through the policy is what the checker's evaluator computes for its body, headers and method (apimcheck.Trace): a <when> condition that reads anything else (the subscription, the URL, a named value, the response) is not decided for the request; its <choose> is read as lint reads it, and none of its branches answers.",
	"A request without a body has no context.Request.Body (null), so an expression that reads it without ?. throws; a policy expression that throws makes APIM run <on-error>, and when that does not answer the hop answers 500 (the sources do not give the status).",
	"set-body, a header value or a status computed by a policy expression sseready does not run is left out of the hop's answer (no body, the header as it was, the status before).",
	"llm-content-safety's window-size counts the characters of the events' data fields; comment lines wait in the window with the events, counting nothing. What violates the policy is a test device, the word given with --content-safety-block (ContentSafetyBlock): Azure's own categories are not emulated.",
	"A comment heartbeat from the backend counts as traffic for Application Gateway's request_timeout (bytes on the wire).",
	"Body logging (body_bytes > 0) and body-reading policies hold the whole response until it ends, up to BufferCap (--buffer-cap).",
	"A cached response is stored when it completes and replayed at once, headers and body, to later GET requests for the same URL; only complete 200 responses to GET are stored, and a client that leaves before the end stores nothing. The cache holds at most 4 x BufferCap bytes, oldest out first, and entries do not expire (cache-store's duration is not read).",
}

// hopKinds counts the hop kinds configured.
func hopKinds(c *Config) int {
	n := 0
	for _, set := range []bool{c.APIM != nil, c.AppGW != nil, c.Relay != nil} {
		if set {
			n++
		}
	}
	return n
}

func (c *Config) setDefaults() error {
	switch {
	case c.Upstream == nil:
		return fmt.Errorf("gateway: no upstream")
	case hopKinds(c) != 1:
		return fmt.Errorf("gateway: configure exactly one of APIM, Application Gateway and Relay per hop (chain hops by pointing one's upstream at the next)")
	case c.Relay != nil && (c.Relay.Idle < 0 || c.Relay.Total < 0):
		return fmt.Errorf("gateway: the relay's idle and total timeouts must not be negative")
	case c.ContentFilterChunk < 0:
		return fmt.Errorf("gateway: the content filter chunk %d is negative", c.ContentFilterChunk)
	case c.TimeScale < 0 || math.IsNaN(c.TimeScale) || c.TimeScale > MaxTimeScale:
		return fmt.Errorf("gateway: time scale %g must be positive and at most %g", c.TimeScale, float64(MaxTimeScale))
	case c.AppGWBufferSize < 0:
		return fmt.Errorf("gateway: the App Gateway buffer size %d is negative", c.AppGWBufferSize)
	case c.BufferCap < 0:
		return fmt.Errorf("gateway: the buffer cap %d is negative", c.BufferCap)
	}
	if c.TimeScale == 0 {
		c.TimeScale = 1
	}
	if c.AppGWBufferSize <= 0 {
		c.AppGWBufferSize = DefaultAppGWBufferSize
	}
	if c.ContentFilterChunk == 0 {
		c.ContentFilterChunk = DefaultContentFilterChunk
	}
	if c.BufferCap <= 0 {
		c.BufferCap = DefaultBufferCap
	}
	return nil
}

// scaled is d on the emulator's clock.
func (c *Config) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.TimeScale)
}
