package tfplan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// bigAPIs and bigProductAPIs size the generated configuration: each API
// has 5 resources (the API, its policy, an operation, the operation's
// policy, a diagnostic), 10 are in the product, and 10 resources are
// shared: 36*5 + 10 + 10 = 200.
const (
	bigAPIs        = 36
	bigProductAPIs = 10
	bigResources   = bigAPIs*5 + bigProductAPIs + 10
)

// bigConfig writes a 200-resource azurerm configuration of one API
// Management service: 36 APIs with policies, operations and diagnostics,
// a product with 10 of them, a fragment, an Application Gateway in front.
func bigConfig(dir string) error {
	var apis []string
	for i := range bigAPIs {
		apis = append(apis, fmt.Sprintf("%q = %t", fmt.Sprintf("api%02d", i), i < bigProductAPIs))
	}
	tf := `terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm" }
  }
}

provider "azurerm" {
  features {}
  subscription_id = "00000000-0000-0000-0000-000000000000"
}

locals {
  apis = { ` + strings.Join(apis, ", ") + ` }
  policy = <<-XML
    <policies>
        <inbound>
            <base />
            <include-fragment fragment-id="auth" />
            <rate-limit-by-key calls="60" renewal-period="60" counter-key="@(context.Subscription?.Key ?? "anonymous")" />
        </inbound>
        <backend>
            <forward-request timeout="120" buffer-response="false" />
        </backend>
        <outbound>
            <base />
        </outbound>
        <on-error>
            <base />
        </on-error>
    </policies>
  XML
  inherit = <<-XML
    <policies>
        <inbound>
            <base />
            <set-header name="X-Op" exists-action="override">
                <value>@(context.Operation.Id)</value>
            </set-header>
        </inbound>
        <backend>
            <base />
        </backend>
        <outbound>
            <base />
        </outbound>
        <on-error>
            <base />
        </on-error>
    </policies>
  XML
}

resource "azurerm_resource_group" "main" {
  name     = "rg-big"
  location = "westeurope"
}

resource "azurerm_api_management" "main" {
  name                = "apim-big"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "StandardV2_1"
}

resource "azurerm_api_management_policy" "global" {
  api_management_id = azurerm_api_management.main.id
  xml_content       = "<policies><inbound /><backend><forward-request timeout=\"120\" buffer-response=\"false\" /></backend><outbound /><on-error /></policies>"
}

resource "azurerm_api_management_policy_fragment" "auth" {
  api_management_id = azurerm_api_management.main.id
  name              = "auth"
  format            = "rawxml"
  value             = "<fragment><check-header name=\"Authorization\" failed-check-httpcode=\"401\" failed-check-error-message=\"@(\"no token for \" + context.Api.Name)\" ignore-case=\"false\" /></fragment>"
}

resource "azurerm_api_management_logger" "main" {
  name                = "appi"
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_api_management_diagnostic" "global" {
  identifier               = "applicationinsights"
  api_management_name      = azurerm_api_management.main.name
  resource_group_name      = azurerm_resource_group.main.name
  api_management_logger_id = azurerm_api_management_logger.main.id
  frontend_request {
    body_bytes = 512
  }
}

resource "azurerm_api_management_product" "chat" {
  product_id          = "chat"
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Chat"
  published           = true
}

resource "azurerm_api_management_product_policy" "chat" {
  product_id          = azurerm_api_management_product.chat.product_id
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = local.inherit
}

resource "azurerm_api_management_api" "api" {
  for_each            = local.apis
  name                = each.key
  resource_group_name = azurerm_resource_group.main.name
  api_management_name = azurerm_api_management.main.name
  revision            = "1"
  path                = each.key
}

resource "azurerm_api_management_product_api" "chat" {
  for_each            = { for k, v in local.apis : k => v if v }
  api_name            = azurerm_api_management_api.api[each.key].name
  product_id          = azurerm_api_management_product.chat.product_id
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_api_management_api_policy" "api" {
  for_each            = local.apis
  api_name            = azurerm_api_management_api.api[each.key].name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = local.policy
}

resource "azurerm_api_management_api_operation" "stream" {
  for_each            = local.apis
  operation_id        = "stream"
  api_name            = azurerm_api_management_api.api[each.key].name
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Stream"
  method              = "POST"
  url_template        = "/stream"
}

resource "azurerm_api_management_api_operation_policy" "stream" {
  for_each            = local.apis
  api_name            = azurerm_api_management_api_operation.stream[each.key].api_name
  operation_id        = azurerm_api_management_api_operation.stream[each.key].operation_id
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = local.inherit
}

resource "azurerm_api_management_api_diagnostic" "api" {
  for_each                 = local.apis
  identifier               = "applicationinsights"
  api_name                 = azurerm_api_management_api.api[each.key].name
  api_management_name      = azurerm_api_management.main.name
  resource_group_name      = azurerm_resource_group.main.name
  api_management_logger_id = azurerm_api_management_logger.main.id
  frontend_request {
    body_bytes = 0
  }
  frontend_response {
    body_bytes = 0
  }
  backend_request {
    body_bytes = 0
  }
  backend_response {
    body_bytes = 0
  }
}

resource "azurerm_public_ip" "appgw" {
  name                = "pip-appgw"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  allocation_method   = "Static"
}

resource "azurerm_application_gateway" "main" {
  name                = "agw-big"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }
  global {
    request_buffering_enabled  = true
    response_buffering_enabled = false
  }
  gateway_ip_configuration {
    name      = "gateway"
    subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-big/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw"
  }
  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.appgw.id
  }
  frontend_port {
    name = "http"
    port = 80
  }
  backend_address_pool {
    name  = "apim"
    fqdns = ["apim-big.azure-api.net"]
  }
  backend_http_settings {
    name                  = "apim"
    cookie_based_affinity = "Disabled"
    port                  = 443
    protocol              = "Https"
    request_timeout       = 300
  }
  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }
  request_routing_rule {
    name                       = "apim"
    priority                   = 100
    rule_type                  = "Basic"
    http_listener_name         = "http"
    backend_address_pool_name  = "apim"
    backend_http_settings_name = "apim"
  }
}
`
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o600)
}

// bigPlan is `terraform show -json` of the generated configuration's plan.
func bigPlan(tb testing.TB) []byte {
	tb.Helper()
	dir := tb.TempDir()
	if err := bigConfig(dir); err != nil {
		tb.Fatal(err)
	}
	data := azurermstandin.Plan(tb, dir)
	p, err := Read(data)
	if err != nil {
		tb.Fatal(err)
	}
	if len(p.Resources) != bigResources {
		tb.Fatalf("the plan has %d resources, want %d", len(p.Resources), bigResources)
	}
	return data
}

// The generated plan checks as intended: one path per API, ready, every
// resource but the resource group and the public IP on a path; how long it takes is logged (with no bound: the
// machine may be loaded).
func TestBigPlan(t *testing.T) {
	data := bigPlan(t)
	start := time.Now()
	p, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	rep := Check(p, stream)
	elapsed := time.Since(start)
	notOnPath := []string{"azurerm_public_ip.appgw", "azurerm_resource_group.main"}
	if len(rep.Paths) != bigAPIs || !rep.Ready() || !slices.Equal(rep.NotOnPath, notOnPath) {
		t.Fatalf("%d paths (want %d), ready %v, not on a path %q\n%s", len(rep.Paths), bigAPIs, rep.Ready(), rep.NotOnPath, dump(rep))
	}
	// Every operation has a policy: one path per operation, not per API.
	// The global diagnostic logs bodies, and every API's overrides it.
	for _, path := range rep.Paths {
		if !strings.HasSuffix(path.Label, " > operation stream") {
			t.Errorf("path %q", path.Label)
		}
		for _, f := range path.Findings {
			if f.Severity != "info" {
				t.Errorf("%s: %s: %s", path.Label, key(f), f.Message)
			}
		}
	}
	t.Logf("%d resources, %d KB of JSON, %d paths: read and checked in %s", bigResources, len(data)/1024, len(rep.Paths), elapsed)
}

// BenchmarkCheckPlan200 runs check-plan's domain part (Read and Check) on
// the 200-resource plan and, in the same iteration, the baseline:
// encoding/json decoding the same file into interface values. ratio is
// check-plan's time over the baseline's: the machine's noise hits both
// alike.
func BenchmarkCheckPlan200(b *testing.B) {
	data := bigPlan(b)
	var ours, base time.Duration
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		p, err := Read(data)
		if err != nil {
			b.Fatal(err)
		}
		if rep := Check(p, stream); !rep.Ready() {
			b.Fatal("not ready")
		}
		mid := time.Now()
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
		ours += mid.Sub(start)
		base += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Microseconds())/n/1000, "check-plan-ms/op")
	b.ReportMetric(float64(base.Microseconds())/n/1000, "encoding-json-ms/op")
	b.ReportMetric(ours.Seconds()/base.Seconds(), "ratio")
}
