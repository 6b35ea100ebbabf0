package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sseready/terraform-provider-sseready/internal/testcorpus"
)

func TestAccAPIMPolicyCheck_broken(t *testing.T) {
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_apim_policy_check" "api" {
  xml = <<-EOT
` + brokenPolicy + `EOT
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.api", tfjsonpath.New("ready"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.api", tfjsonpath.New("findings"), brokenPolicyFindings),
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.api", tfjsonpath.New("fixed_xml"), knownvalue.StringExact(brokenPolicyFixed)),
			},
		}},
	})
}

func TestAccAPIMPolicyCheck_scope(t *testing.T) {
	const config = `
data "sseready_apim_policy_check" "op" {
  scope = %q
  xml   = "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
}`
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: sprintf(config, "api"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("ready"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						finding("SSE102", "error", 1, 47, "base", "<backend> only says <base />, so at api scope"),
					})),
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("fixed_xml"), knownvalue.StringExact(
						`<policies><inbound><base /></inbound><backend><forward-request buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`)),
				},
			},
			{
				Config: sprintf(config, "operation"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("ready"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						finding("SSE102", "warning", 1, 47, "base", "at operation scope <base /> runs the API-scope <backend>"),
					})),
				},
			},
		},
	})
}

func TestAccAPIMPolicyCheck_ready(t *testing.T) {
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_apim_policy" "sse" {}

data "sseready_apim_policy_check" "sse" {
  xml = data.sseready_apim_policy.sse.xml
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.sse", tfjsonpath.New("ready"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.sse", tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.sse", tfjsonpath.New("fixed_xml"), knownvalue.StringExact(testcorpus.MicrosoftSSEPolicy)),
			},
		}},
	})
}

func TestAccAPIMPolicyCheck_errors(t *testing.T) {
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				// Static XML is parsed at validate time.
				Config:      `data "sseready_apim_policy_check" "x" { xml = "<policies>\n  <inbound>\n</policies>" }`,
				ExpectError: errorRe(`The policy document does not parse at line 3, column 1: end tag </policies> found while <inbound> is still open`),
			},
			{
				Config:      `data "sseready_apim_policy_check" "x" { xml = "<policies><set-body>@(x</set-body></policies>" }`,
				ExpectError: errorRe(`line 1, column 21: unterminated policy expression: no ')' closes this '('`),
			},
			{
				Config:      `data "sseready_apim_policy_check" "x" { xml = "" }`,
				ExpectError: errorRe(`the document is empty`),
			},
			{
				Config: `
data "sseready_apim_policy_check" "x" {
  xml   = "<policies/>"
  scope = "API"
}`,
				ExpectError: errorRe(`Attribute scope value must be one of: ["global" "workspace" "product" "api" "operation"], got: "API"`),
			},
			{
				// A postcondition stops an apply whose policy would buffer.
				Config: `
data "sseready_apim_policy_check" "api" {
  xml = <<-EOT
` + brokenPolicy + `EOT
}

resource "terraform_data" "policy" {
  input = data.sseready_apim_policy_check.api.fixed_xml
  lifecycle {
    postcondition {
      condition     = data.sseready_apim_policy_check.api.ready
      error_message = join("; ", [for f in data.sseready_apim_policy_check.api.findings : "${f.rule} line ${f.line}: ${f.message}" if f.severity == "error"])
    }
  }
}`,
				ExpectError: errorRe(`SSE101 line 6: forward-request has no buffer-response`),
			},
			{
				// A check block reads the same outputs; a passing one is quiet.
				Config: `
data "sseready_apim_policy" "sse" {}

check "sse_policy" {
  data "sseready_apim_policy_check" "sse" {
    xml = data.sseready_apim_policy.sse.xml
  }
  assert {
    condition     = data.sseready_apim_policy_check.sse.ready
    error_message = "the policy would break SSE streams"
  }
}`,
				// Terraform re-reads a data source scoped to a check block on
				// every plan, so the plan after apply always shows that read.
				ExpectNonEmptyPlan: true,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.sse", tfjsonpath.New("ready"), knownvalue.Bool(true)),
				},
			},
		},
	})
}
