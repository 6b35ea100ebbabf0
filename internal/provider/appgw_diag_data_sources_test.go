package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccAppGWSettings(t *testing.T) {
	const ds = "data.sseready_appgw_settings.gw"
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      "data \"sseready_appgw_settings\" \"gw\" {\n sku_name = \"Standard_Small\"\n max_event_gap = \"20s\"\n}",
				ExpectError: attrErrorRe("sku_name", `"Standard_Small" is not an Application Gateway SKU for SSE: use Basic, Standard_v2 or WAF_v2`),
			},
			{
				Config:      "data \"sseready_appgw_settings\" \"gw\" {\n sku_name = \"WAF_v2\"\n max_event_gap = \"twenty seconds\"\n}",
				ExpectError: attrErrorRe("max_event_gap", `"twenty seconds" is not a duration`),
			},
			{
				Config: `
data "sseready_appgw_settings" "gw" {
  sku_name            = "WAF_v2"
  max_event_gap       = "10m"
  heartbeat_interval  = "45s"
  waf_body_inspection = true
  request_buffering   = false
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("response_buffering_enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("request_buffering_enabled"), knownvalue.Bool(true)),
					// 4/3 of the 45 s heartbeat.
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("request_timeout"), knownvalue.Int64Exact(60)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("backend_response_headers").AtMapKey("Content-Type"), knownvalue.StringExact("text/event-stream")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"rule":     knownvalue.StringExact("SSE303"),
							"severity": knownvalue.StringExact("warning"),
							"message":  knownvalue.StringRegexp(errorRe("request_buffering_enabled is set to true although you asked for false")),
							"hop":      knownvalue.StringExact("app_gateway"),
						}),
					})),
				},
			},
		},
	})
}

func TestAccAPIMDiagnostic(t *testing.T) {
	const ds = "data.sseready_apim_diagnostic.sse"
	off := func(headers knownvalue.Check, masking knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"body_bytes":     knownvalue.Int64Exact(0),
			"headers_to_log": headers,
			"data_masking":   masking,
		})
	}
	none := knownvalue.SetExact([]knownvalue.Check{})
	accTest(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      `data "sseready_apim_diagnostic" "sse" { identifier = "eventhub" }`,
				ExpectError: attrErrorRe("identifier", `"eventhub" is not a diagnostic identifier: use applicationinsights or azuremonitor`),
			},
			{
				Config:      "data \"sseready_apim_diagnostic\" \"sse\" {\n identifier = \"azuremonitor\"\n sampling_percentage = 150\n}",
				ExpectError: attrErrorRe("sampling_percentage", `150 is outside 0 to 100`),
			},
			{
				Config:      "data \"sseready_apim_diagnostic\" \"sse\" {\n identifier = \"azuremonitor\"\n operation_name_format = \"Url\"\n}",
				ExpectError: attrErrorRe("operation_name_format", `applies to applicationinsights only`),
			},
			{
				Config:      "data \"sseready_apim_diagnostic\" \"sse\" {\n identifier = \"azuremonitor\"\n headers_to_log = { request = [\"a\"] }\n}",
				ExpectError: attrErrorRe("headers_to_log", `"request" is not a logging block: use frontend_request, frontend_response, backend_request, backend_response`),
			},
			{
				Config: `
resource "terraform_data" "header" { input = "X-Request-Id" }

data "sseready_apim_diagnostic" "sse" {
  identifier     = "azuremonitor"
  headers_to_log = { frontend_request = [terraform_data.header.output] }
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("frontend_request").AtMapKey("headers_to_log"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("X-Request-Id")})),
				},
			},
			{
				Config: `data "sseready_apim_diagnostic" "sse" { identifier = "azuremonitor" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("frontend_request"), off(none, knownvalue.Null())),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("backend_response"), off(none, knownvalue.Null())),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("sampling_percentage"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("verbosity"), knownvalue.Null()),
				},
			},
			{
				Config: `
data "sseready_apim_diagnostic" "sse" {
  identifier          = "applicationinsights"
  sampling_percentage = 25
  verbosity           = "information"
  log_client_ip       = true
  headers_to_log = {
    frontend_request = ["X-Request-Id", "traceparent"]
  }
  data_masking = {
    frontend_request = {
      headers      = [{ mode = "Mask", value = "Authorization" }]
      query_params = []
    }
  }
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("frontend_request"), off(
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("X-Request-Id"), knownvalue.StringExact("traceparent")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"headers": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
								"mode": knownvalue.StringExact("Mask"), "value": knownvalue.StringExact("Authorization"),
							})}),
							"query_params": knownvalue.ListSizeExact(0),
						}))),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("frontend_response"), off(none, knownvalue.Null())),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("backend_request"), off(none, knownvalue.Null())),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("sampling_percentage"), knownvalue.Float64Exact(25)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("verbosity"), knownvalue.StringExact("information")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("log_client_ip"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("always_log_errors"), knownvalue.Null()),
				},
			},
		},
	})
}
