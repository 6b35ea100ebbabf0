package chaincheck

import (
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// goodChainJSON is goodChain written as jsonencode() of the
// sseready_chain_check input would write it.
const goodChainJSON = `{
  "front_door": {"response_timeout_seconds": 60},
  "app_gateway": {"sku_name": "WAF_v2", "global": {"request_buffering_enabled": true, "response_buffering_enabled": false},
                  "request_timeout": 60, "waf_request_body_check": true},
  "app_gateway_for_containers": {"route_timeout": "0s"},
  "apim": {
    "sku_name": "StandardV2_1",
    "policies": [{"scope": "api", "xml": "<policies><inbound><base /></inbound><backend><forward-request timeout=\"120\" buffer-response=\"false\" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"},
                 {"scope": "operation", "xml": "<policies><backend><base /></backend></policies>"}],
    "diagnostics": [{"identifier": "applicationinsights", "frontend_request": {"body_bytes": 0}, "frontend_response": {"body_bytes": 0},
                     "backend_request": {"body_bytes": 0}, "backend_response": {"body_bytes": 0}}]
  },
  "backend": {"max_event_gap": "10m", "heartbeat_interval": "20s",
              "response_headers": {"content-type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}}
}`

func decodeJSON(t *testing.T, src string) (Chain, []string) {
	t.Helper()
	v, err := plain.FromJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, errs := Decode(v)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return c, msgs
}

// The JSON form decodes to the chain the checks were written against, and
// the check agrees with the one on the struct.
func TestDecodeGoodChain(t *testing.T) {
	c, errs := decodeJSON(t, goodChainJSON)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := goodChain()
	switch {
	case *c.FrontDoor.ResponseTimeoutSeconds != 60, c.AppGateway.SKUName != "WAF_v2", c.AppGateway.Global == nil,
		c.AppGateway.Global.ResponseBufferingEnabled, !c.AppGateway.Global.RequestBufferingEnabled, *c.AppGateway.RequestTimeout != 60,
		!c.AppGateway.WAFRequestBodyCheck, *c.AppGatewayForContainers.RouteTimeout != 0, c.APIM.SKUName != want.APIM.SKUName,
		len(c.APIM.Policies) != 2, c.APIM.Policies[1].Scope != apimcheck.Operation, len(c.APIM.Diagnostics) != 1,
		c.APIM.Diagnostics[0].Blocks["backend_response"] == nil, c.Backend.MaxEventGap != 10*time.Minute,
		c.Backend.HeartbeatInterval != 20*time.Second, len(c.Backend.ResponseHeaders) != 4:
		t.Fatalf("decoded %+v", c)
	}
	r, cerrs := Check(c)
	if len(cerrs) > 0 || !r.Ready || len(r.Findings) != 0 {
		t.Fatalf("check: %v %v", cerrs, r.Findings)
	}
}

// Every value's own range and type is checked where it is read, with one
// message per setting whatever front end gave it.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"not an object", `[1]`, "chain: must be an object with keys such as apim, app_gateway and backend"},
		{"unknown hop", `{"apim_gateway": {}}`, "apim_gateway: is not a setting sseready knows here"},
		{"front door timeout", `{"front_door": {"response_timeout_seconds": 241}}`, "front_door.response_timeout_seconds: 241 is outside 16 to 240"},
		{"app gateway sku", `{"app_gateway": {"sku_name": "Standard_Large"}}`, `app_gateway.sku_name: "Standard_Large" is not an Application Gateway SKU for SSE: use Basic, Standard_v2, WAF_v2`},
		{"app gateway sku missing", `{"app_gateway": {"request_timeout": 40}}`, "app_gateway.sku_name: is required"},
		{"request timeout", `{"app_gateway": {"sku_name": "Basic", "request_timeout": 86401}}`, "app_gateway.request_timeout: 86401 is outside 1 to 86400 seconds"},
		{"request timeout zero", `{"app_gateway": {"sku_name": "Basic", "request_timeout": 0}}`, "app_gateway.request_timeout: 0 is outside 1 to 86400 seconds"},
		{"request timeout fraction", `{"app_gateway": {"sku_name": "Basic", "request_timeout": 30.5}}`, "app_gateway.request_timeout: must be a whole number, not 30.5"},
		{"global disagrees", `{"app_gateway": {"sku_name": "Basic", "response_buffering_enabled": true, "global": {"request_buffering_enabled": true, "response_buffering_enabled": false}}}`, "app_gateway.response_buffering_enabled: is true, and false in global: give one"},
		{"apim sku", `{"apim": {"sku_name": "Gold_1"}}`, `apim.sku_name: sku_name "Gold_1" is not an API Management SKU`},
		{"policy scope", `{"apim": {"policies": [{"scope": "tenant", "xml": "<policies />"}]}}`, `apim.policies[0].scope: unknown scope "tenant"`},
		{"policy null", `{"apim": {"policies": [null]}}`, "apim.policies[0]: is null: leave it out of the list"},
		{"body bytes", `{"apim": {"diagnostics": [{"identifier": "azuremonitor", "backend_response": {"body_bytes": 9000}}]}}`, "apim.diagnostics[0].backend_response.body_bytes: 9000 is outside 0 to 8192"},
		{"identifier", `{"apim": {"diagnostics": [{"identifier": "splunk"}]}}`, `apim.diagnostics[0].identifier: "splunk" is not a diagnostic identifier: use applicationinsights or azuremonitor`},
		{"identifier missing", `{"apim": {"diagnostics": [{"scope": "global"}]}}`, "apim.diagnostics[0].identifier: is required: applicationinsights or azuremonitor"},
		{"two blocks", `{"apim": {"diagnostics": [{"identifier": "azuremonitor", "frontend_request": [{"body_bytes": 0}, {"body_bytes": 0}]}]}}`, "apim.diagnostics[0].frontend_request: has 2 blocks: azurerm takes one"},
		{"wrong type", `{"backend": {"tcp_keepalive": "yes"}}`, `backend.tcp_keepalive: must be true or false, not the string "yes"`},
		{"duration", `{"backend": {"max_event_gap": "30"}}`, `backend.max_event_gap: "30" is not a duration`},
		{"route timeout", `{"app_gateway_for_containers": {"route_timeout": "-1s"}}`, `app_gateway_for_containers.route_timeout: "-1s" is negative`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := decodeJSON(t, tt.src)
			if len(errs) != 1 || !strings.HasPrefix(errs[0], tt.want) {
				t.Fatalf("errors %q, want one starting %q", errs, tt.want)
			}
		})
	}
}

// azurerm state writes blocks as lists of one; the top-level switches of
// sseready_appgw_settings' outputs read like the global block.
func TestDecodeShapes(t *testing.T) {
	c, errs := decodeJSON(t, `{"app_gateway": {"sku_name": "Standard_v2", "global": [{"request_buffering_enabled": true, "response_buffering_enabled": false}]},
	  "apim": {"diagnostics": [{"identifier": "azuremonitor", "frontend_request": [{"body_bytes": 0}], "frontend_response": []}]}}`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if g := c.AppGateway.Global; g == nil || g.ResponseBufferingEnabled || !g.RequestBufferingEnabled {
		t.Fatalf("global %+v", g)
	}
	if b := c.APIM.Diagnostics[0].Blocks; b["frontend_request"] == nil || b["frontend_response"] != nil {
		t.Fatalf("blocks %+v", b)
	}
	// A switch left out keeps the gateway's default, on.
	c, errs = decodeJSON(t, `{"app_gateway": {"sku_name": "Basic", "global": {"response_buffering_enabled": false}}}`)
	if len(errs) > 0 || c.AppGateway.ResponseBuffering() || !c.AppGateway.Global.RequestBufferingEnabled {
		t.Fatalf("half a global block: %v %+v", errs, c.AppGateway.Global)
	}
	c, errs = decodeJSON(t, `{"app_gateway": {"sku_name": "Standard_v2", "response_buffering_enabled": false, "request_timeout": 40}}`)
	if len(errs) > 0 || c.AppGateway.ResponseBuffering() || c.AppGateway.Timeout() != 40*time.Second || !c.AppGateway.Global.RequestBufferingEnabled {
		t.Fatalf("top-level switches: %v %+v", errs, c.AppGateway)
	}
}

// A value unknown at plan time is recorded by its path, once, and its
// checks wait.
func TestDecodeUnknown(t *testing.T) {
	v := map[string]any{
		"apim": map[string]any{
			"sku_name": plain.Unknown,
			"policies": []any{map[string]any{"scope": "api", "xml": plain.Unknown}},
		},
		"app_gateway": plain.Unknown,
	}
	c, errs := Decode(v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := strings.Join(c.Unknown, ","); got != "app_gateway,apim.sku_name,apim.policies[0].xml" {
		t.Fatalf("unknown %q", got)
	}
	if c.AppGateway == nil {
		t.Fatal("an unknown hop is still on the path")
	}
}
