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

// Config is one emulated hop.
type Config struct {
	// Upstream is where requests go: the origin or the next hop.
	Upstream *url.URL
	// Exactly one of APIM and AppGW is set.
	APIM  *APIM
	AppGW *AppGW
	// TimeScale runs every gateway clock that many times faster (default
	// 1): with 60, Azure Load Balancer's 4-minute idle cut takes 4 s.
	TimeScale float64
	// AppGWBufferSize is how much a buffering Application Gateway holds
	// before it sends (an assumption: the size is not documented; default
	// DefaultAppGWBufferSize).
	AppGWBufferSize int
	// BufferCap is the most a hop holds for one response in the modes
	// that hold it whole; past it the response fails (default
	// DefaultBufferCap). Memory stays bounded whatever the stream.
	BufferCap int
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
	LoadBalancerIdle = 4 * time.Minute
	// MaxTimeScale keeps the fastest clock (a 1-second timeout) at a
	// millisecond or more.
	MaxTimeScale = 1000
	// DefaultForwardTimeout is forward-request's timeout when none is set.
	DefaultForwardTimeout = 300 * time.Second
)

// Assumptions are the behaviours the sources do not pin down, each with
// the setting or default that stands for it.
var Assumptions = []string{
	"Application Gateway's response buffer size is not documented: a buffering gateway holds up to AppGWBufferSize (default 64 KiB, --appgw-buffer-size) before sending, and the rest at the end.",
	"A request refused by the Consumption tier is answered 503: Microsoft documents only that long-running connections are not supported there.",
	"A forward-request timeout (no response headers in time) is answered 504 Gateway Timeout; Application Gateway's request_timeout before the headers likewise.",
	"A policy whose <backend> forwards nothing is answered 500: the sources do not say what APIM sends instead.",
	"A comment heartbeat from the backend counts as traffic for Application Gateway's request_timeout (bytes on the wire).",
	"Body logging (body_bytes > 0) and body-reading policies hold the whole response until it ends, up to BufferCap (--buffer-cap).",
	"A cached response is stored when it completes and replayed at once, headers and body, to later GET requests for the same URL; only complete 200 responses to GET are stored, and a client that leaves before the end stores nothing. The cache holds at most 4 x BufferCap bytes, oldest out first, and entries do not expire (cache-store's duration is not read).",
}

func (c *Config) setDefaults() error {
	switch {
	case c.Upstream == nil:
		return fmt.Errorf("gateway: no upstream")
	case (c.APIM == nil) == (c.AppGW == nil):
		return fmt.Errorf("gateway: configure exactly one of APIM and Application Gateway per hop (chain hops by pointing one's upstream at the next)")
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
	if c.BufferCap <= 0 {
		c.BufferCap = DefaultBufferCap
	}
	return nil
}

// scaled is d on the emulator's clock.
func (c *Config) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.TimeScale)
}
