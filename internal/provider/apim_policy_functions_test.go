package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Provider functions need Terraform 1.8.
var functionVersions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

const brokenPolicyLocal = `
locals {
  broken = <<-EOT
` + brokenPolicy + `EOT
}
`

func TestAccCheckAPIMPolicyFunction(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		TerraformVersionChecks: functionVersions,
		Steps: []resource.TestStep{
			{
				Config: brokenPolicyLocal + `
output "broken" { value = provider::sseready::check_apim_policy(local.broken) }
output "fixed"  { value = provider::sseready::check_apim_policy(provider::sseready::fix_apim_policy(local.broken)) }
output "good"   { value = provider::sseready::check_apim_policy("<policies><backend><forward-request timeout=\"30\" buffer-response=\"false\" /></backend></policies>") }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("broken", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ready":    knownvalue.Bool(false),
						"findings": brokenPolicyFindings,
					})),
					statecheck.ExpectKnownOutputValue("fixed", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ready": knownvalue.Bool(false),
						"findings": knownvalue.ListExact([]knownvalue.Check{
							finding("SSE110", "error", 10, 5, "validate-content", "validate-content reads the whole response"),
						}),
					})),
					statecheck.ExpectKnownOutputValue("good", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ready":    knownvalue.Bool(true),
						"findings": knownvalue.ListSizeExact(0),
					})),
				},
			},
		},
	})
}

func TestAccCheckAPIMPolicyFunction_scopeAndErrors(t *testing.T) {
	t.Parallel()
	const inherits = `"<policies><backend><base /></backend></policies>"`
	accTest(t, resource.TestCase{
		TerraformVersionChecks: functionVersions,
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy("<policies>") }`,
				ExpectError: errorRe(`the policy document does not parse at line 1, column 1: <policies> is not closed`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy(` + inherits + `, "tenant") }`,
				ExpectError: errorRe(`unknown scope "tenant": use one of global, workspace, product, api, operation`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy(` + inherits + `, "api", "operation") }`,
				ExpectError: errorRe(`at most one options argument may be given, got 2`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy(null) }`,
				ExpectError: errorRe(`argument must not be null`),
			},
			{
				// An argument unknown at plan gives an unknown result, not an error.
				Config: `
resource "terraform_data" "xml" { input = ` + inherits + ` }
output "api"       { value = provider::sseready::check_apim_policy(terraform_data.xml.output).ready }
output "operation" { value = provider::sseready::check_apim_policy(terraform_data.xml.output, "operation").ready }
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownOutputValue("api")},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("api", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("operation", knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccFixAPIMPolicyFunction(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		TerraformVersionChecks: functionVersions,
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::sseready::fix_apim_policy("<policies></inbound></policies>") }`,
				ExpectError: errorRe(`end tag </inbound> has no matching start tag`),
			},
			{
				Config: brokenPolicyLocal + `
output "fixed"   { value = provider::sseready::fix_apim_policy(local.broken) }
output "again"   { value = provider::sseready::fix_apim_policy(provider::sseready::fix_apim_policy(local.broken)) }
output "op"      { value = provider::sseready::fix_apim_policy("<policies><backend><base /></backend></policies>", "operation") }
output "api"     { value = provider::sseready::fix_apim_policy("<policies><backend><base /></backend></policies>") }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("fixed", knownvalue.StringExact(brokenPolicyFixed)),
					statecheck.ExpectKnownOutputValue("again", knownvalue.StringExact(brokenPolicyFixed)),
					statecheck.ExpectKnownOutputValue("op", knownvalue.StringExact("<policies><backend><base /></backend></policies>")),
					statecheck.ExpectKnownOutputValue("api", knownvalue.StringExact(`<policies><backend><forward-request timeout="120" buffer-response="false" /></backend></policies>`)),
				},
			},
		},
	})
}

// The options object: fragments and accepted rules; today's scope string
// still works beside it.
func TestAccAPIMPolicyFunctions_options(t *testing.T) {
	t.Parallel()
	const fragment = `"<fragment><forward-request timeout=\"120\" /></fragment>"`
	const policy = `"<policies><backend><include-fragment fragment-id=\"fwd\" /></backend></policies>"`
	accTest(t, resource.TestCase{
		TerraformVersionChecks: functionVersions,
		Steps: []resource.TestStep{
			{
				Config: `
output "unresolved" { value = provider::sseready::check_apim_policy(` + policy + `) }
output "resolved"   { value = provider::sseready::check_apim_policy(` + policy + `, { fragments = { fwd = ` + fragment + ` } }) }
output "accepted"   { value = provider::sseready::check_apim_policy(` + policy + `, { scope = "api", fragments = { fwd = ` + fragment + ` }, accepted_rules = ["SSE101: batch only"] }) }
output "fixed"      { value = provider::sseready::fix_apim_policy("<policies><backend><forward-request timeout=\"120\" /></backend></policies>", { accepted_rules = ["SSE101"] }) }
output "scope"      { value = provider::sseready::check_apim_policy("<policies><backend><base /></backend></policies>", { scope = "operation" }).ready }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("unresolved", knownvalue.ObjectPartial(map[string]knownvalue.Check{"ready": knownvalue.Bool(true)})),
					statecheck.ExpectKnownOutputValue("resolved", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ready": knownvalue.Bool(false),
						"findings": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"rule": knownvalue.StringExact("SSE101"), "severity": knownvalue.StringExact("error"), "fragment": knownvalue.StringExact("fwd"),
						})}),
					})),
					statecheck.ExpectKnownOutputValue("accepted", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ready": knownvalue.Bool(true),
						"findings": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"rule": knownvalue.StringExact("SSE101"), "severity": knownvalue.StringExact("accepted"), "reason": knownvalue.StringExact("batch only"),
						})}),
					})),
					statecheck.ExpectKnownOutputValue("fixed", knownvalue.StringExact(`<policies><backend><forward-request timeout="120" /></backend></policies>`)),
					statecheck.ExpectKnownOutputValue("scope", knownvalue.Bool(true)),
				},
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy("<policies />", { scopes = "api" }) }`,
				ExpectError: errorRe(`options has no attribute "scopes"`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy("<policies />", 42) }`,
				ExpectError: errorRe(`the options are a tftypes.Number: give a scope such as "operation", or an object with scope, fragments and accepted_rules`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy("<policies />", { fragments = { f = "<policies />" } }) }`,
				ExpectError: errorRe(`fragments, line 1, column 1: fragment "f": the root element is <policies>: a policy fragment has a <fragment> root`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_apim_policy("<policies />", { accepted_rules = ["SSE999"] }) }`,
				ExpectError: errorRe(`"SSE999" is not a rule ID`),
			},
		},
	})
}
