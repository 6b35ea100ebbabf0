package provider

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccAppGWSettings(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
				// mode and value are required in each masking rule, as in azurerm.
				Config: `
data "sseready_apim_diagnostic" "sse" {
  identifier   = "azuremonitor"
  data_masking = { frontend_request = { headers = [{ mode = "Mask" }] } }
}`,
				ExpectError: errorRe(`attribute "value" is required`),
			},
			{
				Config: `
data "sseready_apim_diagnostic" "sse" {
  identifier   = "azuremonitor"
  data_masking = { frontend_request = { query_params = [{ mode = "Hide", value = null }] } }
}`,
				ExpectError: attrErrorRe("data_masking", `frontend_request.query_params[0].value is null: every masking rule needs a mode and a value`),
			},
			{
				// headers and query_params are optional, as in azurerm: one
				// may be left out.
				Config: `
data "sseready_apim_diagnostic" "sse" {
  identifier   = "azuremonitor"
  data_masking = { backend_request = { headers = [{ mode = "Hide", value = "Authorization" }] } }
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("backend_request").AtMapKey("data_masking"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"headers": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
							"mode": knownvalue.StringExact("Hide"), "value": knownvalue.StringExact("Authorization"),
						})}),
						"query_params": knownvalue.ListSizeExact(0),
					})),
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

// data_masking says required and optional where azurerm's data_masking
// block does: headers and query_params optional, mode and value required
// in each of their rules.
func TestAPIMDiagnosticDataMaskingMatchesAzurerm(t *testing.T) {
	t.Parallel()
	type azAttr struct {
		Required bool `json:"required"`
		Optional bool `json:"optional"`
	}
	type azBlock struct {
		Attributes map[string]azAttr `json:"attributes"`
		BlockTypes map[string]struct {
			MinItems int     `json:"min_items"`
			Block    azBlock `json:"block"`
		} `json:"block_types"`
	}
	data, err := os.ReadFile("testdata/azurerm-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var az struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]struct {
				Block struct {
					BlockTypes map[string]struct {
						Block struct {
							BlockTypes map[string]struct {
								Block azBlock `json:"block"`
							} `json:"block_types"`
						} `json:"block"`
					} `json:"block_types"`
				} `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &az); err != nil {
		t.Fatal(err)
	}
	var resp datasource.SchemaResponse
	newAPIMDiagnosticDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	dm, ok := resp.Schema.Attributes["data_masking"].(schema.MapNestedAttribute)
	if !ok {
		t.Fatalf("data_masking is a %T, whose fields cannot say what is required", resp.Schema.Attributes["data_masking"])
	}
	for _, resource := range []string{"azurerm_api_management_api_diagnostic", "azurerm_api_management_diagnostic"} {
		for _, block := range []string{"frontend_request", "frontend_response", "backend_request", "backend_response"} {
			theirs := az.ProviderSchemas["registry.terraform.io/hashicorp/azurerm"].ResourceSchemas[resource].Block.BlockTypes[block].Block.BlockTypes["data_masking"].Block
			if len(theirs.BlockTypes) == 0 {
				t.Fatalf("%s.%s.data_masking is not in the vendored schema", resource, block)
			}
			for list, bt := range theirs.BlockTypes {
				ours, ok := dm.NestedObject.Attributes[list].(schema.ListNestedAttribute)
				if !ok {
					t.Fatalf("data_masking.%s is missing or not a list of rules", list)
				}
				if ours.IsRequired() != (bt.MinItems > 0) {
					t.Errorf("data_masking.%s: required %v, azurerm's min_items %d", list, ours.IsRequired(), bt.MinItems)
				}
				for name, a := range bt.Block.Attributes {
					field, ok := ours.NestedObject.Attributes[name]
					if !ok || field.IsRequired() != a.Required || field.IsOptional() != a.Optional {
						t.Errorf("data_masking.%s.%s: ours %v, azurerm required %v optional %v", list, name, field, a.Required, a.Optional)
					}
				}
			}
		}
	}
}
