package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// goodChainHCL is a streaming path: App Gateway with buffering off and a
// timeout above the heartbeat, APIM StandardV2 with a streaming policy
// and body logging off, a backend with 20 s heartbeats.
const goodChainHCL = `{
  app_gateway = {
    sku_name        = "Standard_v2"
    global          = { request_buffering_enabled = true, response_buffering_enabled = false }
    request_timeout = 60
  }
  apim = {
    sku_name = "StandardV2_1"
    policies = [{ scope = "api", xml = data.sseready_apim_policy.sse.xml }]
    diagnostics = [{
      identifier        = "applicationinsights"
      frontend_request  = { body_bytes = 0 }
      frontend_response = { body_bytes = 0 }
      backend_request   = { body_bytes = 0 }
      backend_response  = { body_bytes = 0 }
    }]
  }
  backend = {
    max_event_gap      = "10m"
    heartbeat_interval = "20s"
    response_headers   = { "Content-Type" = "text/event-stream", "Cache-Control" = "no-cache", "Connection" = "keep-alive", "X-Accel-Buffering" = "no" }
  }
}`

// brokenChainHCL buffers at App Gateway (no global block), runs on the
// Consumption tier, logs bodies, and stays silent ten minutes.
const brokenChainHCL = `{
  app_gateway = { sku_name = "Standard_v2" }
  apim = {
    sku_name    = "Consumption_0"
    policies    = [{ xml = "<policies><backend><forward-request timeout=\"60\" buffer-response=\"false\" /></backend></policies>" }]
    diagnostics = [{ scope = "global", identifier = "azuremonitor", frontend_response = { body_bytes = 1024 } }]
  }
  backend = { max_event_gap = "10m", response_headers = { "Content-Type" = "text/event-stream", "Cache-Control" = "no-cache", "Connection" = "keep-alive", "X-Accel-Buffering" = "no" } }
}`

// The chain check's acceptance tests, one behaviour each: a bad setting
// is an error on its attribute (one test per kind of bad value), a
// broken chain lists every finding, a setting unknown at plan defers
// the check, and the chain sseready sets up is ready.

func TestAccChainCheck_policyThatDoesNotParse(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_chain_check" "path" {
  apim    = { policies = [{ xml = "<policies>\n<backend>" }] }
  backend = { max_event_gap = "30s" }
}`,
			ExpectError: attrErrorRe("apim.policies[0].xml", `line 2, column 1: <backend> is not closed`),
		}},
	})
}

func TestAccChainCheck_bodyBytesOutOfRange(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_chain_check" "path" {
  apim = { diagnostics = [{ identifier = "azuremonitor", backend_response = { body_bytes = 9000 } }] }
}`,
			ExpectError: attrErrorRe("apim.diagnostics[0].backend_response.body_bytes", `9000 is outside 0 to 8192`),
		}},
	})
}

func TestAccChainCheck_requestTimeoutOutOfRange(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_chain_check" "path" {
  app_gateway = { sku_name = "Standard_v2", request_timeout = 0 }
}`,
			ExpectError: attrErrorRe("app_gateway.request_timeout", `0 is outside 1 to 86400`),
		}},
	})
}

func TestAccChainCheck_requestTimeoutNotWhole(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_chain_check" "path" {
  app_gateway = { sku_name = "Standard_v2", request_timeout = 30.5 }
}`,
			ExpectError: attrErrorRe("app_gateway.request_timeout", `must be a whole number, not 30.5`),
		}},
	})
}

func TestAccChainCheck_skuCapacityOutOfRange(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_chain_check" "path" {
  apim = { sku_name = "Standard_5" }
}`,
			ExpectError: attrErrorRe("apim.sku_name", `sku_name "Standard_5": Standard takes a capacity from 1 to 4`),
		}},
	})
}

func TestAccChainCheck_brokenChainListsEveryFinding(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_chain_check.path"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `data "sseready_chain_check" "path" ` + brokenChainHCL,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
					chainFinding("app_gateway", "SSE301", "error", "app_gateway.global", "azurerm_application_gateway has no global block"),
					chainFinding("app_gateway", "SSE302", "error", "app_gateway.request_timeout", "backend_http_settings.request_timeout (not set: azurerm's default) is 30s and the stream can stay silent for 10m0s"),
					chainFinding("apim", "SSE201", "error", "apim.sku_name", "sku_name Consumption_0 is the Consumption tier"),
					chainFinding("apim", "SSE204", "error", "apim.diagnostics[0].frontend_response.body_bytes", "the global (All APIs) azuremonitor diagnostic may log bodies (frontend_response.body_bytes = 1024;"),
					chainFinding("load_balancer", "SSE401", "error", "backend.heartbeat_interval", "the stream can stay silent for 10m0s"),
				})),
			},
		}},
	})
}

// A setting unknown at plan defers the whole check to apply: ready and
// findings are unknown together, even though App Gateway's missing
// global block is known to break the stream.
func TestAccChainCheck_unknownSettingDefersToApply(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_chain_check.path"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "sku" { input = "StandardV2_1" }

data "sseready_chain_check" "path" {
  app_gateway = { sku_name = "Standard_v2", request_timeout = 60 }
  apim        = { sku_name = terraform_data.sku.output }
  backend     = { max_event_gap = "30s" }
}

output "ready"    { value = data.sseready_chain_check.path.ready }
output "findings" { value = data.sseready_chain_check.path.findings }
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownOutputValue("ready"),
					plancheck.ExpectUnknownOutputValue("findings"),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("ready", knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings").AtSliceIndex(0),
					chainFinding("app_gateway", "SSE301", "error", "app_gateway.global", "azurerm_application_gateway has no global block")),
			},
		}},
	})
}

func TestAccChainCheck_goodChainIsReady(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_chain_check.path"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_apim_policy" "sse" {}

data "sseready_chain_check" "path" ` + goodChainHCL,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func chainFinding(hop, rule, severity, element, message string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"hop":      knownvalue.StringExact(hop),
		"rule":     knownvalue.StringExact(rule),
		"severity": knownvalue.StringExact(severity),
		"element":  knownvalue.StringExact(element),
		"message":  knownvalue.StringRegexp(errorRe(message)),
	})
}

func TestAccCheckChainFunction(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		TerraformVersionChecks: functionVersions,
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::sseready::check_chain({ apim = { sku_nam = "StandardV2_1" } }) }`,
				ExpectError: errorRe(`apim.sku_nam: is not a setting sseready knows here`),
			},
			{
				Config:      `output "x" { value = provider::sseready::check_chain("apim") }`,
				ExpectError: errorRe(`chain: must be an object with keys such as apim, app_gateway and backend`),
			},
			{
				Config: `
data "sseready_apim_policy" "sse" {}

output "good"   { value = provider::sseready::check_chain(` + goodChainHCL + `) }
output "broken" { value = provider::sseready::check_chain(` + brokenChainHCL + `) }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("good", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ready": knownvalue.Bool(true), "complete": knownvalue.Bool(true),
						"unknown": knownvalue.ListSizeExact(0), "findings": knownvalue.ListSizeExact(0),
					})),
					statecheck.ExpectKnownOutputValue("broken", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"ready": knownvalue.Bool(false), "complete": knownvalue.Bool(true), "findings": knownvalue.ListSizeExact(5),
					})),
				},
			},
			{
				// The policy is known only at apply. At plan the result says
				// which setting is unknown; ready waits with the findings, even
				// when a known setting already breaks the stream (here App
				// Gateway's buffering): a false ready whose findings are unknown
				// would fail a precondition without saying why.
				Config: `
resource "terraform_data" "policy" {
  input = "<policies><backend><forward-request timeout=\"60\" buffer-response=\"false\" /></backend></policies>"
}

locals {
  apim    = { sku_name = "StandardV2_1", policies = [{ xml = terraform_data.policy.output }] }
  backend = { max_event_gap = "30s" }
}

output "waiting" { value = provider::sseready::check_chain({ apim = local.apim, backend = local.backend }) }
output "failing" { value = provider::sseready::check_chain({ apim = local.apim, backend = local.backend, app_gateway = { sku_name = "WAF_v2" } }) }
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownOutputValueAtPath("waiting", tfjsonpath.New("ready")),
						plancheck.ExpectUnknownOutputValueAtPath("waiting", tfjsonpath.New("findings")),
						plancheck.ExpectKnownOutputValueAtPath("waiting", tfjsonpath.New("complete"), knownvalue.Bool(false)),
						plancheck.ExpectKnownOutputValueAtPath("waiting", tfjsonpath.New("unknown"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("apim.policies[0].xml"),
						})),
						plancheck.ExpectUnknownOutputValueAtPath("failing", tfjsonpath.New("ready")),
						plancheck.ExpectUnknownOutputValueAtPath("failing", tfjsonpath.New("findings")),
						plancheck.ExpectKnownOutputValueAtPath("failing", tfjsonpath.New("complete"), knownvalue.Bool(false)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValueAtPath("waiting", tfjsonpath.New("ready"), knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValueAtPath("waiting", tfjsonpath.New("complete"), knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValueAtPath("failing", tfjsonpath.New("ready"), knownvalue.Bool(false)),
				},
			},
			{
				// Each unknown setting is listed once, however often the check
				// reads it (the SKU is read for its value and for being empty).
				Config: `
resource "terraform_data" "apim" {
  input = {
    sku    = "StandardV2_1"
    policy = "<policies><backend><forward-request timeout=\"60\" buffer-response=\"false\" /></backend></policies>"
  }
}

output "sku" {
  value = provider::sseready::check_chain({
    apim    = { sku_name = terraform_data.apim.output.sku, policies = [{ xml = terraform_data.apim.output.policy }] }
    backend = { max_event_gap = "30s" }
  })
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownOutputValueAtPath("sku", tfjsonpath.New("ready")),
						plancheck.ExpectKnownOutputValueAtPath("sku", tfjsonpath.New("unknown"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("apim.sku_name"),
							knownvalue.StringExact("apim.policies[0].xml"),
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("sku", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"ready": knownvalue.Bool(true), "complete": knownvalue.Bool(true), "unknown": knownvalue.ListSizeExact(0),
					})),
				},
			},
			{
				// Whether the API diagnostic overrides the global one depends on
				// its identifier, unknown at plan: ready waits, it is not false.
				Config: `
resource "terraform_data" "id" { input = "applicationinsights" }

locals {
  off = { body_bytes = 0 }
  chain = provider::sseready::check_chain({
    apim = {
      sku_name = "StandardV2_1"
      diagnostics = [
        { scope = "global", identifier = "applicationinsights", frontend_request = local.off, frontend_response = { body_bytes = 1024 }, backend_request = local.off, backend_response = local.off },
        { identifier = terraform_data.id.output, frontend_request = local.off, frontend_response = local.off, backend_request = local.off, backend_response = local.off },
      ]
    }
    backend = { max_event_gap = "30s" }
  })
}

output "diag" { value = local.chain }

resource "terraform_data" "guarded" {
  input = "deploy"
  lifecycle {
    precondition {
      condition     = local.chain.ready != false
      error_message = "the chain breaks the stream"
    }
  }
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownOutputValueAtPath("diag", tfjsonpath.New("ready")),
						plancheck.ExpectKnownOutputValueAtPath("diag", tfjsonpath.New("unknown"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("apim.diagnostics[1].identifier"),
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValueAtPath("diag", tfjsonpath.New("ready"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccAPIMSKUSupportsSSEFunction(t *testing.T) {
	t.Parallel()
	accTest(t, resource.TestCase{
		TerraformVersionChecks: functionVersions,
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::sseready::apim_sku_supports_sse("Standard_5") }`,
				ExpectError: errorRe(`sku_name "Standard_5": Standard takes a capacity from 1 to 4`),
			},
			{
				Config:      `output "x" { value = provider::sseready::apim_sku_supports_sse("standardv2_1") }`,
				ExpectError: errorRe(`names are case-sensitive, did you mean StandardV2_1?`),
			},
			{
				Config: `
variable "sku" {
  type    = string
  default = "PremiumV2_2"
  validation {
    condition     = provider::sseready::apim_sku_supports_sse(var.sku)
    error_message = "SSE needs a classic or v2 tier."
  }
}

output "consumption" { value = provider::sseready::apim_sku_supports_sse("Consumption_0") }
output "developer"   { value = provider::sseready::apim_sku_supports_sse("Developer_1") }
output "premium_v2"  { value = provider::sseready::apim_sku_supports_sse(var.sku) }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("consumption", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("developer", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("premium_v2", knownvalue.Bool(true)),
				},
			},
		},
	})
}

// The chain's policies are checked with the fragments they include.
func TestAccChainCheck_fragments(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_chain_check.path"
	config := func(fragment string) string {
		return `
data "sseready_chain_check" "path" {
  apim = {
    sku_name  = "StandardV2_1"
    policies  = [{ xml = "<policies><inbound><base /></inbound><backend><include-fragment fragment-id=\"fwd\" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>" }]
    fragments = { fwd = ` + fragment + ` }
  }
  backend = { max_event_gap = "30s", heartbeat_interval = "15s" }
}`
	}
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      config(`"<fragment>\n<forward-request>"`),
				ExpectError: attrErrorRe("apim", `line 2, column 1: fragment "fwd": <forward-request> is not closed`),
			},
			{
				Config: config(`"<fragment><forward-request timeout=\"120\" /></fragment>"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"rule":     knownvalue.StringExact("SSE101"),
							"fragment": knownvalue.StringExact("fwd"),
						}),
					})),
				},
			},
		},
	})
}

// sameAsTheDataSource reads a jsonencode() of the chain input as the CLI
// reads it (plain JSON, chaincheck.Decode) and checks it against what the
// data source concluded from the same input, captured first from the
// "verdict" output: one decoding for both front ends.
type sameAsTheDataSource struct{ verdict *string }

// captured stores the data source's verdict for the checks after it.
type captured struct{ into *string }

func (c captured) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("expected the verdict as a string, got %v", v)
	}
	*c.into = s
	return nil
}

func (c captured) String() string { return "captured" }

func (d sameAsTheDataSource) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("expected the JSON as a string, got %T", v)
	}
	pv, err := plain.FromJSON([]byte(s))
	if err != nil {
		return err
	}
	c, errs := chaincheck.Decode(pv, chaincheck.ResultKeys...)
	if len(errs) > 0 {
		return fmt.Errorf("the JSON does not decode: %v", errs)
	}
	res, errs := chaincheck.Check(c)
	if len(errs) > 0 {
		return fmt.Errorf("the JSON does not check: %v", errs)
	}
	got := fmt.Sprint(res.Ready)
	for _, f := range res.Findings {
		got += " " + f.Rule + ":" + string(f.Severity) + ":" + f.Element
	}
	if got != *d.verdict {
		return fmt.Errorf("from JSON: %s\nthe data source: %s", got, *d.verdict)
	}
	return nil
}

func (d sameAsTheDataSource) String() string { return "the same verdict as the data source" }

func TestAccChainCheck_jsonencodeReadsTheSame(t *testing.T) {
	t.Parallel()
	var verdict string
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
locals {
  chain = {
    app_gateway = { sku_name = "Standard_v2", request_timeout = 20 }
    apim = {
      sku_name = "StandardV2_1"
      policies = [{ scope = "operation", xml = "<policies><backend><base /></backend></policies>" }]
      diagnostics = [{ identifier = "applicationinsights", scope = "global", frontend_response = { body_bytes = 1024 } }]
    }
    backend = { max_event_gap = "45s", heartbeat_interval = "15s" }
  }
}

data "sseready_chain_check" "path" {
  app_gateway = local.chain.app_gateway
  apim        = local.chain.apim
  backend     = local.chain.backend
}

output "verdict" {
  value = join(" ", concat([tostring(data.sseready_chain_check.path.ready)],
    [for f in data.sseready_chain_check.path.findings : "${f.rule}:${f.severity}:${f.element}"]))
}
output "chain_json" { value = jsonencode(local.chain) }
output "whole_json" { value = jsonencode(data.sseready_chain_check.path) }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("verdict", captured{&verdict}),
				statecheck.ExpectKnownOutputValue("verdict", knownvalue.StringRegexp(regexp.MustCompile(`^false .*SSE102:error:base`))),
				statecheck.ExpectKnownOutputValue("chain_json", sameAsTheDataSource{&verdict}),
				statecheck.ExpectKnownOutputValue("whole_json", sameAsTheDataSource{&verdict}),
			},
		}},
	})
}

// Every hop's clock, on the data source: a load balancer rule of the
// user's, Container Apps, App Service, the AGIC annotation, the HTTPRoute's
// timeouts and the Azure OpenAI content filter.
func TestAccChainCheck_everyHopsClock(t *testing.T) {
	t.Parallel()
	const ds = "data.sseready_chain_check.path"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `
data "sseready_chain_check" "path" {
  app_gateway                = { sku_name = "Standard_v2", global = { request_buffering_enabled = true, response_buffering_enabled = false }, request_timeout = 600, agic_request_timeout = 30 }
  app_gateway_for_containers = { route_timeout = "0s", request_timeout = "60s" }
  load_balancer              = { idle_timeout_in_minutes = 4, tcp_reset_enabled = false }
  container_apps             = { request_idle_timeout_in_minutes = 30 }
  app_service                = {}
  azure_openai               = { content_filter_mode = "Default" }
  backend                    = { max_event_gap = "45s", heartbeat_interval = "40s", response_headers = { "Content-Type" = "text/event-stream", "Cache-Control" = "no-cache", "Connection" = "keep-alive", "X-Accel-Buffering" = "no" } }
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("ready"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
					chainFinding("app_gateway", "SSE302", "error", "app_gateway.agic_request_timeout", "the AGIC annotation appgw.ingress.kubernetes.io/request-timeout (it overrides the gateway's backend settings) is 30s and the stream can stay silent for 40s"),
					chainFinding("app_gateway_for_containers", "SSE403", "error", "app_gateway_for_containers.request_timeout", "the HTTPRoute's timeouts.request is 1m0s"),
					chainFinding("azure_openai", "SSE406", "warning", "azure_openai.content_filter_mode", "the content filter's mode is Default"),
				})),
			},
		}},
	})
}
