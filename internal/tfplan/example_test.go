package tfplan

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sseready/terraform-provider-sseready/internal/provider"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// examples/azurerm wires sseready's outputs into every hop's azurerm
// resources. Planned by the real terraform with sseready's provider and
// the azurerm stand-in, check-plan finds nothing to fix on its path, and
// every hop it sets is on that path.
func TestAzurermExample(t *testing.T) {
	t.Parallel()
	data := azurermstandin.Plan(t, filepath.Join("..", "..", "examples", "azurerm"),
		azurermstandin.WithProvider("registry.terraform.io/sseready/sseready", providerserver.NewProtocol6(provider.New("test")())))
	readyPath(t, data,
		"azurerm_cdn_frontdoor_profile.chat", "azurerm_application_gateway.chat", "azurerm_api_management.chat",
		"azurerm_api_management_api_policy.chat", "azurerm_api_management_api_diagnostic.chat",
		"azurerm_lb_rule.backend", "azurerm_cognitive_account_rai_policy.streaming")
}

// examples/modules/sse-chain composes the appgw-sse and apim-sse-api
// modules: check-plan follows their resources through the module calls
// and finds the path ready, with the module's policy and diagnostic on it.
func TestSSEChainModulePlan(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "examples", "modules")
	data := azurermstandin.Plan(t, filepath.Join(root, "sse-chain"), azurermstandin.WithRoot(root),
		azurermstandin.WithProvider("registry.terraform.io/sseready/sseready", providerserver.NewProtocol6(provider.New("test")())))
	readyPath(t, data,
		"azurerm_application_gateway.chat", "azurerm_api_management.chat",
		"module.chat_api.azurerm_api_management_api_policy.this", `module.chat_api.azurerm_api_management_api_diagnostic.this["appinsights"]`)
}

// readyPath checks that the plan has one stream path, that check-plan
// finds nothing to fix on it, and that each resource is on it.
func readyPath(t *testing.T, data []byte, resources ...string) {
	t.Helper()
	rep := check(t, data, stream)
	if len(rep.Paths) != 1 {
		t.Fatalf("%d paths, want the chat API's:\n%s", len(rep.Paths), dump(rep))
	}
	p := rep.Paths[0]
	for _, f := range p.Findings {
		if f.Severity == rules.Error || f.Severity == rules.Warning {
			t.Errorf("%s: %s", key(f), f.Message)
		}
	}
	if !p.Ready || len(p.Errors) > 0 {
		t.Errorf("ready %v, errors %v:\n%s", p.Ready, p.Errors, dump(rep))
	}
	for _, r := range resources {
		if !slices.Contains(p.Resources, r) {
			t.Errorf("%s is not on the path: %q", r, p.Resources)
		}
	}
}
