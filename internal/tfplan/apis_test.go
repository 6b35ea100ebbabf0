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

// The chat API routes to the backend entity "aoai" with
// set-backend-service backend-id: the entity, the Azure OpenAI account its
// url is and the account's deployment are on the chat API's path, and the
// deployment's content filter (none named: the default, which delivers in
// chunks) is judged there, and only there.
func TestBackendEntityToAnOpenAIAccount(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "apis"), stream)
	paths := pathsByLabel(t, rep, "api chat", "api echo-api", "api orders")
	ai := []string{"azurerm_api_management_backend.aoai", "azurerm_cognitive_account.openai", "azurerm_cognitive_deployment.gpt"}
	chat := paths["api chat"]
	for _, r := range ai {
		if !slices.Contains(chat.Resources, r) {
			t.Errorf("chat: %s is not on the path: %q", r, chat.Resources)
		}
	}
	if !slices.Contains(keys(chat), "azurerm_cognitive_deployment.gpt rai_policy_name SSE406 warning") {
		t.Errorf("chat: the default content filter is not judged: %q", keys(chat))
	}
	for _, label := range []string{"api echo-api", "api orders"} {
		p := paths[label]
		for _, r := range ai {
			if slices.Contains(p.Resources, r) {
				t.Errorf("%s: %s is on the path", label, r)
			}
		}
		if slices.ContainsFunc(p.Findings, func(f Finding) bool { return f.Rule == "SSE406" }) {
			t.Errorf("%s: another API's content filter is judged: %q", label, keys(p))
		}
	}
	if len(rep.NotOnPath) != 1 || rep.NotOnPath[0] != "azurerm_resource_group.main" {
		t.Errorf("not on a path: %q", rep.NotOnPath)
	}
}
