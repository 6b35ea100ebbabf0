package tfplan

import (
	"slices"
	"strings"
	"testing"
)

// testdata/plans/apis: one instance with an LLM chat API, an echo API and
// a REST API, a Front Door straight to the gateway host, an Azure OpenAI
// backend entity and account.

// A Front Door whose origin is the instance's gateway host
// (<name>.azure-api.net) is a hop in front of every API's path, judged on
// each, and not a path of its own.
func TestFrontDoorFrontsTheGatewayHost(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "apis"), stream)
	paths := pathsByLabel(t, rep, "api chat", "api echo-api", "api orders")
	for label, p := range paths {
		for _, r := range []string{"azurerm_cdn_frontdoor_profile.main", "azurerm_cdn_frontdoor_origin_group.apim", "azurerm_cdn_frontdoor_origin.apim"} {
			if !slices.Contains(p.Resources, r) {
				t.Errorf("%s: %s is not on the path: %q", label, r, p.Resources)
			}
		}
		if !slices.ContainsFunc(p.Findings, func(f Finding) bool {
			return f.At == Place{Address: "azurerm_cdn_frontdoor_profile.main", Attribute: "response_timeout_seconds"}
		}) {
			t.Errorf("%s: Front Door's 16 s timeout is not judged: %q", label, keys(p))
		}
		if slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "taken to be") }) {
			t.Errorf("%s: the link was assumed: %q", label, p.Notes)
		}
	}
}
