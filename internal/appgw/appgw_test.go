package appgw

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestDerive(t *testing.T) {
	tests := []struct {
		name       string
		spec       Spec
		requestBuf bool
		timeout    int64
		findings   string
	}{
		{name: "Standard_v2, events every 20 s",
			spec: Spec{SKUName: StandardV2, MaxEventGap: 20 * time.Second},
			// 4/3 * 20 = 27, below azurerm's default of 30.
			requestBuf: true, timeout: 30},
		{name: "long gaps filled by a heartbeat",
			spec:       Spec{SKUName: StandardV2, MaxEventGap: time.Hour, HeartbeatInterval: 45 * time.Second},
			requestBuf: true, timeout: 60},
		{name: "slow headers count as silence",
			spec: Spec{SKUName: StandardV2, MaxEventGap: time.Hour, HeartbeatInterval: 20 * time.Second, MaxTimeToHeaders: 30 * time.Second},
			// 4/3 of the 30 s wait for headers, not of the 20 s heartbeat.
			requestBuf: true, timeout: 40},
		{name: "long gaps, no heartbeat",
			spec:       Spec{SKUName: StandardV2, MaxEventGap: 10 * time.Minute},
			requestBuf: true, timeout: 800},
		{name: "request buffering off as chosen",
			spec:       Spec{SKUName: StandardV2, MaxEventGap: 20 * time.Second, RequestBuffering: ptr(false)},
			requestBuf: false, timeout: 30},
		{name: "WAF with body inspection forces request buffering",
			spec:       Spec{SKUName: WAFV2, MaxEventGap: 20 * time.Second, RequestBuffering: ptr(false), WAFBodyInspection: true},
			requestBuf: true, timeout: 30, findings: "SSE303 warning app_gateway"},
		{name: "WAF without body inspection keeps the choice",
			spec:       Spec{SKUName: WAFV2, MaxEventGap: 20 * time.Second, RequestBuffering: ptr(false)},
			requestBuf: false, timeout: 30},
		{name: "Basic SKU",
			spec:       Spec{SKUName: Basic, MaxEventGap: 20 * time.Second},
			requestBuf: true, timeout: 30, findings: "SSE304 warning app_gateway"},
		{name: "silence beyond the largest request_timeout",
			spec:       Spec{SKUName: StandardV2, MaxEventGap: 30 * time.Hour},
			requestBuf: true, timeout: 86400, findings: "SSE401 error app_gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, errs := Derive(tt.spec)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if s.ResponseBufferingEnabled {
				t.Error("response buffering must always be off")
			}
			if s.RequestBufferingEnabled != tt.requestBuf || s.RequestTimeout != tt.timeout {
				t.Errorf("request buffering %v timeout %d, want %v %d", s.RequestBufferingEnabled, s.RequestTimeout, tt.requestBuf, tt.timeout)
			}
			var got []string
			for _, f := range s.Findings {
				got = append(got, fmt.Sprintf("%s %s %s", f.Rule, f.Severity, f.Hop))
			}
			if strings.Join(got, ", ") != tt.findings {
				t.Errorf("findings %v, want %q", got, tt.findings)
			}
			if s.BackendResponseHeaders["Content-Type"] != "text/event-stream" {
				t.Errorf("headers %v", s.BackendResponseHeaders)
			}
		})
	}
}

func TestDeriveInputErrors(t *testing.T) {
	tests := []struct {
		spec Spec
		want []string
	}{
		{Spec{SKUName: "Standard_Small", MaxEventGap: time.Second}, []string{`sku_name: "Standard_Small" is not an Application Gateway SKU for SSE: use Basic, Standard_v2 or WAF_v2`}},
		{Spec{SKUName: StandardV2}, []string{"max_event_gap: is required"}},
		{Spec{SKUName: "", MaxEventGap: time.Second, HeartbeatInterval: time.Minute}, []string{`sku_name: "" is not`, "heartbeat_interval: 1m0s is longer than max_event_gap (1s)"}},
	}
	for _, tt := range tests {
		_, errs := Derive(tt.spec)
		if len(errs) != len(tt.want) {
			t.Fatalf("%+v: errors %v, want %v", tt.spec, errs, tt.want)
		}
		for i, e := range errs {
			if !strings.HasPrefix(e.Error(), tt.want[i]) {
				t.Errorf("error %q, want it to start with %q", e, tt.want[i])
			}
		}
	}
}

// The timeout in force, and which setting decides it: the AGIC annotation,
// then request_timeout, then azurerm's default (FACTS.md).
func TestTimeoutInForce(t *testing.T) {
	tests := []struct {
		name       string
		g          Gateway
		want       time.Duration
		from       TimeoutSetting
		what       string
		overridden string
	}{
		{"nothing set", Gateway{}, 30 * time.Second, TimeoutDefault, "(not set: azurerm's default)", ""},
		{"request_timeout", Gateway{RequestTimeout: ptr(int64(600))}, 10 * time.Minute, TimeoutRequestTimeout, "backend_http_settings.request_timeout", ""},
		{"the annotation alone", Gateway{AGICRequestTimeout: ptr(int64(45))}, 45 * time.Second, TimeoutAGIC, "appgw.ingress.kubernetes.io/request-timeout", ""},
		{"the annotation over request_timeout", Gateway{RequestTimeout: ptr(int64(600)), AGICRequestTimeout: ptr(int64(30))}, 30 * time.Second, TimeoutAGIC,
			"it overrides the gateway's backend settings", "request_timeout = 600 does not apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, from := tt.g.TimeoutInForce()
			if d != tt.want || from != tt.from || tt.g.Timeout() != tt.want {
				t.Errorf("%s from %s (Timeout %s), want %s from %s", d, from, tt.g.Timeout(), tt.want, tt.from)
			}
			what, overridden := tt.g.TimeoutDescription()
			if !strings.Contains(what, tt.what) || (tt.overridden == "") != (overridden == "") || !strings.Contains(overridden, tt.overridden) {
				t.Errorf("described as %q, %q; want %q, %q", what, overridden, tt.what, tt.overridden)
			}
		})
	}
}
