// Package appgw derives the Application Gateway settings an SSE stream
// needs, in the shape azurerm_application_gateway takes them: the global
// block's buffering switches and the backend settings' request_timeout.
package appgw

import (
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// SKU names azurerm accepts for sku.name (FACTS.md).
const (
	Basic      = "Basic"
	StandardV2 = "Standard_v2"
	WAFV2      = "WAF_v2"
)

// SKUs lists them.
var SKUs = []string{Basic, StandardV2, WAFV2}

// Names of the inputs, as errors report them.
const (
	FieldSKU         = "sku_name"
	FieldMaxEventGap = "max_event_gap"
	FieldHeartbeat   = "heartbeat_interval"
	FieldTTFB        = "max_time_to_headers"
)

// Spec is what the user tells about the gateway and the stream.
type Spec struct {
	SKUName           string
	MaxEventGap       time.Duration
	HeartbeatInterval time.Duration
	// MaxTimeToHeaders is the longest wait for the backend's response
	// headers, a silence the gateway sees too (0: not given).
	MaxTimeToHeaders time.Duration
	// WAFBodyInspection is true when the WAF inspects request bodies
	// (waf_configuration.request_body_check).
	WAFBodyInspection bool
	// RequestBuffering is the user's choice for request buffering (nil:
	// the gateway's default, on).
	RequestBuffering *bool
}

// Settings are the values for azurerm_application_gateway.
type Settings struct {
	// ResponseBufferingEnabled and RequestBufferingEnabled go in the
	// global block.
	ResponseBufferingEnabled bool
	RequestBufferingEnabled  bool
	// RequestTimeout goes in backend_http_settings, in seconds.
	RequestTimeout         int64
	BackendResponseHeaders map[string]string
	Findings               []rules.Finding
}

// Derive computes the settings. Each problem with the inputs is returned
// as an *input.Error; there are no settings unless there are none.
func Derive(spec Spec) (Settings, []*input.Error) {
	var errs []*input.Error
	if !knownSKU(spec.SKUName) {
		errs = append(errs, input.Errorf(FieldSKU, "%q is not an Application Gateway SKU for SSE: use Basic, Standard_v2 or WAF_v2", spec.SKUName))
	}
	budget, perrs := streamprofile.Plan(streamprofile.Profile{
		MaxEventGap:       spec.MaxEventGap,
		HeartbeatInterval: spec.HeartbeatInterval,
		MaxTimeToHeaders:  spec.MaxTimeToHeaders,
		Hops:              []streamprofile.Hop{streamprofile.AppGateway},
	})
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return Settings{}, errs
	}
	s := Settings{
		ResponseBufferingEnabled: false,
		RequestBufferingEnabled:  true,
		RequestTimeout:           budget.AppGWRequestTimeout,
		BackendResponseHeaders:   streamprofile.BackendResponseHeaders(),
		Findings:                 budget.Findings,
	}
	if spec.RequestBuffering != nil {
		s.RequestBufferingEnabled = *spec.RequestBuffering
	}
	if spec.SKUName == WAFV2 && spec.WAFBodyInspection && !s.RequestBufferingEnabled {
		s.RequestBufferingEnabled = true
		s.Findings = append(s.Findings, finding(rules.AppGWWAFBuffersRequest, rules.Warning, "request_buffering",
			"request_buffering_enabled is set to true although you asked for false: on WAF_v2 the WAF inspects request bodies (request_body_check), so requests are buffered anyway; responses still stream"))
	}
	if spec.SKUName == Basic {
		s.Findings = append(s.Findings, finding(rules.AppGWBasicSKU, rules.Warning, "sku_name",
			"whether the Basic SKU honors response_buffering_enabled = false is not documented: prefer Standard_v2 or WAF_v2 for SSE, or test the stream through this gateway"))
	}
	return s, nil
}

func finding(id string, sev rules.Severity, element, msg string) rules.Finding {
	f := rules.MustLookup(id).Finding(0, 0, element, "%s", msg)
	f.Severity = sev
	return f
}

func knownSKU(name string) bool {
	for _, s := range SKUs {
		if s == name {
			return true
		}
	}
	return false
}
