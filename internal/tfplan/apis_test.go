package tfplan

import (
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// internal/testonly/azurermconfigs/apis: one instance with an LLM chat API, an echo API and
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

// Which APIs stream: each API is decided once, from what its paths say,
// and the findings of its paths follow the verdict, those of the shared
// Front Door and global policy included. The LLM API's buffering stays an
// error; the echo API, about which nothing says anything, gets warnings
// that say "if this API streams"; the REST API, whose operations declare
// JSON responses only, gets info. Only the LLM API's path is not ready.
// --stream-api and --streaming all change the verdicts.
func TestWhichAPIsStream(t *testing.T) {
	t.Parallel()
	data := show(t, "plan", "apis")
	with := func(s streamapi.Options) Options { o := stream; o.Streaming = s; return o }
	type want struct {
		verdict  streamapi.Verdict
		severity rules.Severity // of the global forward-request's and Front Door's findings
		evidence string         // a phrase of the evidence
	}
	chat := want{streamapi.Yes, rules.Error, "its backend https://aoai-gateway.openai.azure.com/openai (azurerm_api_management_backend.aoai.url) is an Azure OpenAI"}
	tests := []struct {
		name  string
		opts  streamapi.Options
		paths map[string]want
	}{
		{"auto", streamapi.Options{Mode: streamapi.Auto}, map[string]want{
			"api chat":     chat,
			"api echo-api": {streamapi.Unknown, rules.Warning, "nothing on its path says whether it streams"},
			"api orders":   {streamapi.No, rules.Info, "azurerm_api_management_api_operation.orders_create, azurerm_api_management_api_operation.orders_list declares the responses of its 2 operations as application/json, application/problem+json only"},
		}},
		{"--stream-api names the echo API", streamapi.Options{Mode: streamapi.Auto, Named: []string{"echo"}}, map[string]want{
			"api chat":     chat,
			"api echo-api": {streamapi.Yes, rules.Error, "named by --stream-api echo"},
			"api orders":   {streamapi.No, rules.Info, "application/json"},
		}},
		{"--streaming all", streamapi.Options{Mode: streamapi.All}, map[string]want{
			"api chat":     {streamapi.Yes, rules.Error, "--streaming all"},
			"api echo-api": {streamapi.Yes, rules.Error, "--streaming all"},
			"api orders":   {streamapi.Yes, rules.Error, "--streaming all"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := check(t, data, with(tt.opts))
			paths := pathsByLabel(t, rep, "api chat", "api echo-api", "api orders")
			for label, w := range tt.paths {
				p := paths[label]
				if p.Streaming != w.verdict || !strings.Contains(strings.Join(p.StreamingEvidence, "\n"), w.evidence) {
					t.Errorf("%s: %s %q, want %s with %q", label, p.Streaming, p.StreamingEvidence, w.verdict, w.evidence)
				}
				for _, at := range []Place{
					{Address: "azurerm_api_management_policy.global", Attribute: "xml_content"},
					{Address: "azurerm_cdn_frontdoor_profile.main", Attribute: "response_timeout_seconds"},
				} {
					i := slices.IndexFunc(p.Findings, func(f Finding) bool { return f.At == at })
					if i < 0 {
						t.Errorf("%s: no finding on %s: %q", label, at, keys(p))
						continue
					}
					f := p.Findings[i]
					if f.Severity != w.severity || (w.verdict == streamapi.Unknown) != strings.HasPrefix(f.Message, "if this API streams: ") {
						t.Errorf("%s: %s %s: %s", label, at, f.Severity, f.Message)
					}
				}
				// Ready counts the errors left.
				if p.Ready != (w.severity != rules.Error) {
					t.Errorf("%s: ready %v", label, p.Ready)
				}
			}
		})
	}
}
