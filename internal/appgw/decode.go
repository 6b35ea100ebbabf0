package appgw

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// Gateway is what a configuration says about an Application Gateway on a
// stream's path: azurerm_application_gateway's values, or the outputs of
// sseready_appgw_settings.
type Gateway struct {
	SKUName string
	// Global is the global block; nil when the configuration has none,
	// which leaves the gateway's default: buffering on.
	Global *Global
	// RequestTimeout is backend_http_settings.request_timeout in seconds
	// (nil: not set, azurerm's default applies).
	RequestTimeout *int64
	// WAFRequestBodyCheck is waf_configuration.request_body_check.
	WAFRequestBodyCheck bool
	// AGICRequestTimeout is the Application Gateway Ingress Controller's
	// request-timeout annotation on the stream's ingress, in seconds: it
	// sets the backend's request timeout and overrides what the gateway's
	// Terraform shows (nil: no AGIC, or the annotation not read).
	AGICRequestTimeout *int64
}

// Global is the global block.
type Global struct {
	RequestBufferingEnabled  bool
	ResponseBufferingEnabled bool
}

// ResponseBuffering reports whether the gateway buffers responses.
func (g Gateway) ResponseBuffering() bool {
	return g.Global == nil || g.Global.ResponseBufferingEnabled
}

// TimeoutSetting names the setting that decides the backend request
// timeout.
type TimeoutSetting string

const (
	// TimeoutAGIC is the Application Gateway Ingress Controller's
	// annotation appgw.ingress.kubernetes.io/request-timeout: it overrides
	// the gateway's backend settings (FACTS.md).
	TimeoutAGIC TimeoutSetting = "agic_request_timeout"
	// TimeoutRequestTimeout is backend_http_settings.request_timeout.
	TimeoutRequestTimeout TimeoutSetting = "request_timeout"
	// TimeoutDefault is azurerm's default, when neither is set.
	TimeoutDefault TimeoutSetting = "default"
)

// TimeoutInForce is the backend request timeout in force and the setting
// it comes from, the one place the precedence is decided: the AGIC
// annotation when given, else request_timeout, else azurerm's default
// (30 s).
func (g Gateway) TimeoutInForce() (time.Duration, TimeoutSetting) {
	switch {
	case g.AGICRequestTimeout != nil:
		return time.Duration(*g.AGICRequestTimeout) * time.Second, TimeoutAGIC
	case g.RequestTimeout != nil:
		return time.Duration(*g.RequestTimeout) * time.Second, TimeoutRequestTimeout
	}
	return streamprofile.AppGWDefaultTimeout * time.Second, TimeoutDefault
}

// Timeout is the backend request timeout in force (TimeoutInForce).
func (g Gateway) Timeout() time.Duration {
	d, _ := g.TimeoutInForce()
	return d
}

// TimeoutDescription names the setting in force for a person, and what it
// overrides: "the AGIC annotation appgw.ingress.kubernetes.io/request-timeout
// (it overrides the gateway's backend settings)". overridden is "" unless
// the annotation wins over a request_timeout that is set, and then says so.
func (g Gateway) TimeoutDescription() (what, overridden string) {
	_, from := g.TimeoutInForce()
	switch from {
	case TimeoutAGIC:
		if g.RequestTimeout != nil {
			overridden = fmt.Sprintf("backend_http_settings.request_timeout = %d does not apply while the annotation is set", *g.RequestTimeout)
		}
		return "the AGIC annotation appgw.ingress.kubernetes.io/request-timeout (it overrides the gateway's backend settings)", overridden
	case TimeoutRequestTimeout:
		return "backend_http_settings.request_timeout", ""
	}
	return "backend_http_settings.request_timeout (not set: azurerm's default)", ""
}

// SettingsKeys are the keys an App Gateway object may hold: azurerm's
// (the global block, request_timeout, sku_name, the WAF's request body
// check) and every attribute of sseready_appgw_settings, so that
// jsonencode() of either reads. Keys that do not change the stream are
// accepted and not read; any other is an error, since a misspelt one
// would leave the hop on a default without a word.
var SettingsKeys = []string{
	"agic_request_timeout", "backend_response_headers", "findings", "global", "heartbeat_interval", "max_event_gap",
	"max_time_to_headers", "request_buffering", "request_buffering_enabled", "request_timeout",
	"response_buffering_enabled", "sku_name", "waf_body_inspection", "waf_request_body_check",
}

var globalKeys = []string{"request_buffering_enabled", "response_buffering_enabled"}

// Decode reads an App Gateway object at path (see SettingsKeys). Values
// unknown yet are recorded in r and left at their zero value.
func Decode(r *plain.Reader, m map[string]any, path string) Gateway {
	r.Keys(m, path, SettingsKeys...)
	var g Gateway
	if s, ok := r.String(m, path, "sku_name"); ok {
		if !slices.Contains(SKUs, s) {
			r.Fail(plain.Join(path, "sku_name"), "%q is not an Application Gateway SKU for SSE: use %s", s, strings.Join(SKUs, ", "))
		}
		g.SKUName = s
	}
	if b, ok := r.Bool(m, path, "waf_request_body_check"); ok {
		g.WAFRequestBodyCheck = b
	} else if b, ok := r.Bool(m, path, "waf_body_inspection"); ok {
		g.WAFRequestBodyCheck = b
	}
	for _, t := range []struct {
		key  string
		into **int64
	}{{"request_timeout", &g.RequestTimeout}, {"agic_request_timeout", &g.AGICRequestTimeout}} {
		if v := r.Int(m, path, t.key); v != nil {
			if *v < streamprofile.AppGWMinTimeout || *v > streamprofile.AppGWMaxTimeout {
				r.Fail(plain.Join(path, t.key), "%d is outside %d to %d seconds", *v, streamprofile.AppGWMinTimeout, streamprofile.AppGWMaxTimeout)
			} else {
				*t.into = v
			}
		}
	}
	g.Global = decodeGlobal(r, m, path)
	return g
}

// decodeGlobal reads the global block, or the switches given at the top as
// sseready_appgw_settings outputs them (a switch left out keeps the
// gateway's default, on). Given both ways, they must agree.
func decodeGlobal(r *plain.Reader, m map[string]any, path string) *Global {
	gp := plain.Join(path, "global")
	var out *Global
	inBlock := map[string]bool{}
	if block := r.Block(m, path, "global"); block != nil {
		r.Keys(block, gp, globalKeys...)
		// azurerm requires both switches; one left out of a file written by
		// hand keeps the gateway's default, on.
		out = &Global{RequestBufferingEnabled: true, ResponseBufferingEnabled: true}
		for _, key := range globalKeys {
			if v, ok := r.Bool(block, gp, key); ok {
				inBlock[key] = v
				out.set(key, v)
			}
		}
	}
	for _, key := range globalKeys {
		v, ok := r.Bool(m, path, key)
		if !ok {
			continue
		}
		if b, given := inBlock[key]; given && b != v {
			r.Fail(plain.Join(path, key), "is %v, and %v in global: give one", v, b)
		}
		if out == nil {
			out = &Global{RequestBufferingEnabled: true, ResponseBufferingEnabled: true}
		}
		out.set(key, v)
	}
	return out
}

func (g *Global) set(key string, v bool) {
	if key == "request_buffering_enabled" {
		g.RequestBufferingEnabled = v
	} else {
		g.ResponseBufferingEnabled = v
	}
}

// String describes the gateway for logs.
func (g Gateway) String() string {
	return fmt.Sprintf("response buffering %v, request_timeout %s", g.ResponseBuffering(), g.Timeout())
}
