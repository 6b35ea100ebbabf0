package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

func TestAccAPIMPolicy_default(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `data "sseready_apim_policy" "sse" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_apim_policy.sse", tfjsonpath.New("xml"), knownvalue.StringExact(testcorpus.MicrosoftSSEPolicy)),
				statecheck.ExpectKnownValue("data.sseready_apim_policy.sse", tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func TestAccAPIMPolicy_options(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_apim_policy" "chat" {
  timeout                   = 90
  http_version              = "2or1"
  fail_on_error_status_code = false
  cache_control_no_cache    = true
  backend_id                = "chat \"stream\" <v2> & co"
  inbound_xml               = <<-EOT
    <rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault("X-User", ""))" />
  EOT
  outbound_xml = "<set-header name=\"X-Accel-Buffering\" exists-action=\"override\"><value>no</value></set-header>"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.sseready_apim_policy.chat", tfjsonpath.New("xml"), knownvalue.StringExact(`<policies>
    <inbound>
        <base />
        <rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault("X-User", ""))" />
        <set-backend-service backend-id="chat &quot;stream&quot; &lt;v2&gt; &amp; co" />
    </inbound>
    <backend>
        <forward-request timeout="90" http-version="2or1" fail-on-error-status-code="false" buffer-response="false" />
    </backend>
    <outbound>
        <base />
        <set-header name="Cache-Control" exists-action="override">
            <value>no-cache</value>
        </set-header>
        <set-header name="X-Accel-Buffering" exists-action="override"><value>no</value></set-header>
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>
`)),
				// HTTP/2 to the backend is a preview of the v2 and self-hosted gateways.
				statecheck.ExpectKnownValue("data.sseready_apim_policy.chat", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
					policyFinding("SSE109", "warning", 8, 39, "forward-request", "http-version", "", `http-version="2or1" asks for HTTP/2 to the backend, which is preview`),
				})),
			},
		}},
	})
}

func TestAccAPIMPolicy_errors(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      `data "sseready_apim_policy" "x" { timeout = 300 }`,
				ExpectError: attrErrorRe("timeout", `300 is over 240 seconds, which APIM may not honor (SSE104)`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { timeout = 1.5 }`,
				ExpectError: attrErrorRe("timeout", `1.5 is not a whole number of seconds: write one such as 120`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { timeout = -1 }`,
				ExpectError: attrErrorRe("timeout", `-1 is negative: forward-request's timeout is 0 or more seconds`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { http_version = "3" }`,
				ExpectError: attrErrorRe("http_version", `"3" is not an http-version of forward-request: use 1, 2 or 2or1`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { accepted_rules = ["SSE999"] }`,
				ExpectError: attrErrorRe("accepted_rules", `"SSE999" is not a rule ID`),
			},
			{
				Config: `
data "sseready_apim_policy" "x" {
  outbound_xml = <<-EOT
    <base-not />
    <validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent" />
  EOT
}`,
				ExpectError: attrErrorRe("outbound_xml", `line 2, column 1: SSE110: validate-content reads the whole response`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { inbound_xml = "<set-header name=\"a\">\n<value>1</value>" }`,
				ExpectError: attrErrorRe("inbound_xml", `line 1, column 1: <set-header> is not closed`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { backend_id = "@(context.Variables[\"b\"]" }`,
				ExpectError: attrErrorRe("backend_id", `the value starts with @(, so APIM reads it as a policy expression, and it is not a valid one`),
			},
			{
				Config:      `data "sseready_apim_policy" "x" { accepted_rules = [null] }`,
				ExpectError: attrErrorRe("accepted_rules", `accepted_rules holds a null`),
			},
			{
				// Known only at apply: checked then, not at validate time.
				Config: `
resource "terraform_data" "late" {
  input = "<set-body>@(context.Response.Body.As<string>())</set-body>"
}

data "sseready_apim_policy" "x" {
  outbound_xml = terraform_data.late.output
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue("data.sseready_apim_policy.x", tfjsonpath.New("xml")),
					},
				},
				ExpectError: attrErrorRe("outbound_xml", `line 1, column 1: SSE111: set-body rewrites the response body`),
			},
			{
				// A rule ID unknown until apply is accepted at validate and
				// plan time, and applied once known.
				Config: `
resource "terraform_data" "rule" {
  input = "SSE110"
}

data "sseready_apim_policy" "x" {
  accepted_rules = [terraform_data.rule.output]
  outbound_xml   = "<validate-content unspecified-content-type-action=\"prevent\" max-size=\"1024\" size-exceeded-action=\"prevent\" />"
}`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue("data.sseready_apim_policy.x", tfjsonpath.New("xml")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sseready_apim_policy.x", tfjsonpath.New("findings"), knownvalue.ListSizeExact(1)),
				},
			},
			{
				// With the rules accepted, the policy renders and the findings
				// say what was accepted, located in xml.
				Config: `
data "sseready_apim_policy" "x" {
  timeout        = 300
  accepted_rules = ["SSE104", "SSE110: the API validates JSON, it never streams"]
  outbound_xml   = "<validate-content unspecified-content-type-action=\"prevent\" max-size=\"1024\" size-exceeded-action=\"prevent\" />"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sseready_apim_policy.x", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						policyFinding("SSE104", "accepted", 6, 26, "forward-request", "timeout", "accepted in accepted_rules (no reason given)", `timeout="300" is over 240 seconds`),
						policyFinding("SSE110", "accepted", 10, 9, "validate-content", "", "the API validates JSON, it never streams", "validate-content reads the whole response"),
					})),
				},
			},
		},
	})
}

// Issue 8 §1: a raw '<' in a later expression attribute once failed the
// plan with a false SSE100; fragments are checked where they are included.
func TestAccAPIMPolicy_llmInbound(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: `
data "sseready_apim_policy" "x" {
  outbound_xml = "<include-fragment fragment-id=\"log\" />"
  fragments    = { log = "<fragment><set-body>@(context.Response.Body.As<string>(true))</set-body></fragment>" }
}`,
				ExpectError: attrErrorRe("outbound_xml", `in fragment "log", line 1, column 11: SSE111`),
			},
			{
				Config: `
data "sseready_apim_policy" "x" {
  backend_id  = "@((string)context.Variables[\"pool\"])"
  inbound_xml = <<-XML
    <set-variable name="pool" value="@(context.Request.Headers.GetValueOrDefault("x-region", "eu") + "-pool")" />
    <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400)" />
  XML
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sseready_apim_policy.x", tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.sseready_apim_policy.x", tfjsonpath.New("xml"), knownvalue.StringRegexp(regexp.MustCompile(
						`(?s)<set-variable name="pool".*increment-condition="@\(context.Response.StatusCode >= 200 && context.Response.StatusCode < 400\)" />\n        <set-backend-service backend-id="@\(\(string\)context.Variables\[&quot;pool&quot;\]\)" />\n    </inbound>`))),
				},
			},
		},
	})
}
