package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

func TestAccAPIMPolicyCheck_broken(t *testing.T) {
	t.Parallel()
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
				// What is deployed is fixed_xml: its own verdict is what to gate on.
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.api", tfjsonpath.New("fixed_ready"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.api", tfjsonpath.New("fixed_findings"), knownvalue.ListExact([]knownvalue.Check{
					finding("SSE110", "error", 10, 5, "validate-content", "validate-content reads the whole response"),
				})),
			},
		}},
	})
}

func TestAccAPIMPolicyCheck_scope(t *testing.T) {
	t.Parallel()
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
						`<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`)),
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("fixed_ready"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.sseready_apim_policy_check.op", tfjsonpath.New("fixed_findings"), knownvalue.ListSizeExact(0)),
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
	t.Parallel()
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
	t.Parallel()
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

// llmGatewayPolicy routes on the stream flag, as LLM gateways do: the
// non-streaming branch buffers and answers cached completions, which is
// fine; the shared fragment holds the forward-request.
const llmGatewayPolicy = `<policies>
  <inbound>
    <base />
    <set-variable name="isStream" value="@(context.Request.Body.As<JObject>(preserveContent: true)["stream"]?.Value<bool>() ?? false)" />
    <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)" />
  </inbound>
  <backend>
    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<bool>("isStream"))">
        <include-fragment fragment-id="forward-streaming" />
      </when>
      <otherwise>
        <forward-request timeout="120" buffer-response="true" />
      </otherwise>
    </choose>
  </backend>
  <outbound>
    <base />
    <!-- sseready:accept SSE114 the safety team owns the window size -->
    <llm-content-safety backend-id="content-safety" />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`

func TestAccAPIMPolicyCheck_llmGateway(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_apim_policy_check.llm"
	config := func(fragment string) string {
		return `
data "sseready_apim_policy_check" "llm" {
  xml = <<-EOT
` + llmGatewayPolicy + `EOT
  fragments = {
    forward-streaming = <<-EOT
      <fragment>
        ` + fragment + `
      </fragment>
    EOT
  }
  accepted_rules = ["SSE140: token counts are estimates, and that is fine"]
}`
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: config(`<forward-request timeout="120" buffer-response="false" />`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						policyFinding("SSE101", "info", 13, 40, "forward-request", "buffer-response", "",
							`forward-request has buffer-response="true", so it buffers the response in 8 KB units: set buffer-response="false" (only requests that do not ask for a stream take this branch: the <otherwise> of the <choose> at line 8, column 5 (taken when no <when> matches))`),
						policyFinding("SSE114", "accepted", 20, 5, "llm-content-safety", "", "the safety team owns the window size", "llm-content-safety checks the streamed completion in a sliding window of 10000 characters"),
					})),
					// The fix leaves the non-streaming branch as it is.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("fixed_xml"), knownvalue.StringExact(llmGatewayPolicy)),
				},
			},
			{
				// The fragment buffers: the finding names it, placed in it, and
				// comes after the document's own.
				Config: config(`<forward-request timeout="120" />`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings").AtSliceIndex(2), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"rule":     knownvalue.StringExact("SSE101"),
						"severity": knownvalue.StringExact("error"),
						"fragment": knownvalue.StringExact("forward-streaming"),
						"line":     knownvalue.Int64Exact(2),
						"column":   knownvalue.Int64Exact(3),
						"message":  knownvalue.StringRegexp(errorRe(`(in fragment "forward-streaming", included at line 10, column 9)`)),
					})),
				},
			},
		},
	})
}

func TestAccAPIMPolicyCheck_badOptions(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: `
data "sseready_apim_policy_check" "x" {
  xml       = "<policies />"
  fragments = { broken = "<fragment>\n<set-header>" }
}`,
				ExpectError: attrErrorRe("fragments", `line 2, column 1: fragment "broken": <set-header> is not closed`),
			},
			{
				Config: `
data "sseready_apim_policy_check" "x" {
  xml            = "<policies />"
  accepted_rules = ["SSE1O1 typo"]
}`,
				ExpectError: attrErrorRe("accepted_rules", `"SSE1O1" is not a rule ID`),
			},
		},
	})
}

// A snippet with no root is checked as a fragment, with a warning.
func TestAccAPIMPolicyCheck_snippet(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_apim_policy_check" "x" {
  xml = "<cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" />"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.x", tfjsonpath.New("ready"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.sseready_apim_policy_check.x", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
					finding("SSE120", "error", 1, 1, "cache-lookup", "cache-lookup caches whole responses"),
					finding("SSE131", "warning", 1, 1, "cache-lookup", "the file holds policies without a <policies> or <fragment> root"),
				})),
			},
		}},
	})
}
