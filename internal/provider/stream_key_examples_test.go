package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// exampleURL is the deployment the key examples read.
const exampleURL = "https://apim-chat.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"

// onLoopback is an example's configuration with its URL pointed at url.
func onLoopback(t *testing.T, example, url string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", example))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), exampleURL) {
		t.Fatalf("%s does not read %s", example, exampleURL)
	}
	return strings.ReplaceAll(string(b), exampleURL, url)
}

// The documented examples that pass keys, applied as written against a
// loopback endpoint: each key arrives, and none is in the plan or state.
func TestAccStreamKeyExamples(t *testing.T) {
	t.Run("data source, headers_from_env", func(t *testing.T) {
		t.Setenv("AZURE_OPENAI_KEY", envSecret)
		var sent sentHeaders
		accTest(t, resource.TestCase{Steps: []resource.TestStep{{
			Config: onLoopback(t, "data-sources/sseready_stream_probe/data-source.tf", sent.endpoint(t)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{absent{envSecret}},
				PostApplyPostRefresh: []plancheck.PlanCheck{absent{envSecret}},
			},
			// A data source in a check block is read again on every plan.
			ExpectNonEmptyPlan: true,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_stream_probe.chat", tfjsonpath.New("ok"), knownvalue.Bool(true)),
				absent{envSecret},
			},
		}}})
		if got := sent.values("Api-Key"); !allEqual(got, envSecret) {
			t.Errorf("the endpoint got api-key %q", got)
		}
	})
	t.Run("ephemeral resource", func(t *testing.T) {
		const key = "apim-sub-77c3-never-stored"
		var sent sentHeaders
		accTest(t, resource.TestCase{
			TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
			Steps: []resource.TestStep{{
				Config:           onLoopback(t, "ephemeral-resources/sseready_stream_probe/ephemeral-resource.tf", sent.endpoint(t)),
				ConfigVariables:  config.Variables{"apim_subscription_key": config.StringVariable(key)},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{absent{key}}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("terraform_data.chat_release", tfjsonpath.New("output"), knownvalue.StringExact("v1")),
					absent{key},
				},
			}},
		})
		if got := sent.values("Ocp-Apim-Subscription-Key"); !allEqual(got, key) {
			t.Errorf("the endpoint got Ocp-Apim-Subscription-Key %q", got)
		}
	})
}
