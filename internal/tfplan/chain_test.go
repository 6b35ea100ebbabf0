package tfplan

import (
	"testing"
)

// Each path keeps the chain it was checked as, its policies named by
// their addresses, and the resource behind each hop, for a picture of it.
func TestPathKeepsItsChain(t *testing.T) {
	gw := res{addr: "azurerm_application_gateway.main", values: map[string]any{
		"name": "agw", "sku": []any{map[string]any{"name": "Standard_v2"}},
		"global":                []any{map[string]any{"request_buffering_enabled": true, "response_buffering_enabled": false}},
		"backend_address_pool":  []any{map[string]any{"name": "apim"}},
		"backend_http_settings": []any{map[string]any{"name": "s", "request_timeout": 20}},
	}}
	rep := check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", streaming), gw), stream)
	if len(rep.Paths) != 1 {
		t.Fatalf("%s", dump(rep))
	}
	p := rep.Paths[0]
	c := p.Chain
	if c == nil || c.AppGateway == nil || c.APIM == nil || c.FrontDoor != nil {
		t.Fatalf("chain %+v", c)
	}
	if len(c.APIM.Policies) != 1 || c.APIM.Policies[0].Name != "azurerm_api_management_api_policy.chat" || c.Backend.HeartbeatInterval.String() != "20s" {
		t.Errorf("policies %+v, backend %+v", c.APIM.Policies, c.Backend)
	}
	if d := c.AppGateway.Timeout(); d.Seconds() != 20 {
		t.Errorf("request timeout %s", d)
	}
	want := map[string]string{"app_gateway": "azurerm_application_gateway.main", "apim": "azurerm_api_management.main"}
	for hop, addr := range want {
		if p.HopAddresses[hop] != addr {
			t.Errorf("hop %s: %q, want %q (all: %v)", hop, p.HopAddresses[hop], addr, p.HopAddresses)
		}
	}
}
