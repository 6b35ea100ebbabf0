package provider

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/appgw"
)

// azurermSchema is testdata/azurerm-schema.json: the parts of azurerm's
// real schema (shared/azurerm/schema.json, extracted by
// tools/azurermschema) that sseready's values are meant for.
type azBlock struct {
	Attributes map[string]struct {
		Type json.RawMessage `json:"type"`
	} `json:"attributes"`
	BlockTypes map[string]struct {
		NestingMode string  `json:"nesting_mode"`
		MaxItems    int     `json:"max_items"`
		Block       azBlock `json:"block"`
	} `json:"block_types"`
}

func loadAzurerm(t *testing.T) map[string]azBlock {
	t.Helper()
	data, err := os.ReadFile("testdata/azurerm-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]struct {
				Block azBlock `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]azBlock{}
	for name, r := range s.ProviderSchemas["registry.terraform.io/hashicorp/azurerm"].ResourceSchemas {
		out[name] = r.Block
	}
	return out
}

// dataSourceType returns the Terraform type of a data source attribute,
// following a dotted path through nested objects and lists ("[]").
func dataSourceType(t *testing.T, ds datasource.DataSource, attrPath string) tftypes.Type {
	t.Helper()
	var resp datasource.SchemaResponse
	ds.Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	typ := resp.Schema.Type().TerraformType(context.Background())
	for _, step := range strings.Split(attrPath, ".") {
		name, list := strings.CutSuffix(step, "[]")
		obj, ok := typ.(tftypes.Object)
		if !ok {
			t.Fatalf("%s: %s is not an object", attrPath, step)
		}
		if typ, ok = obj.AttributeTypes[name]; !ok {
			t.Fatalf("%s: no attribute %s", attrPath, name)
		}
		if list {
			l, ok := typ.(tftypes.List)
			if !ok {
				t.Fatalf("%s: %s is not a list", attrPath, step)
			}
			typ = l.ElementType
		}
	}
	return typ
}

// azurermType finds resource.path in the schema: an attribute's type, or
// a block as the object type sseready writes it as (nested list blocks
// as lists of objects, a block of at most one item as a single object).
func azurermType(t *testing.T, az map[string]azBlock, resource, attrPath string) tftypes.Type {
	t.Helper()
	block, ok := az[resource]
	if !ok {
		t.Fatalf("no resource %s in the azurerm schema", resource)
	}
	steps := strings.Split(attrPath, ".")
	for i, step := range steps {
		if a, ok := block.Attributes[step]; ok && i == len(steps)-1 {
			ty, err := tftypes.ParseJSONType(a.Type) //nolint:staticcheck // the only public parser of cty JSON types
			if err != nil {
				t.Fatalf("%s.%s: %v", resource, attrPath, err)
			}
			return ty
		}
		bt, ok := block.BlockTypes[step]
		if !ok {
			t.Fatalf("azurerm %s has no attribute or block %s", resource, strings.Join(steps[:i+1], "."))
		}
		block = bt.Block
		if i == len(steps)-1 {
			return blockAsObject(bt.Block)
		}
	}
	return nil
}

func blockAsObject(b azBlock) tftypes.Type {
	attrs := map[string]tftypes.Type{}
	for name, a := range b.Attributes {
		ty, err := tftypes.ParseJSONType(a.Type) //nolint:staticcheck
		if err != nil {
			panic(err)
		}
		attrs[name] = ty
	}
	for name, bt := range b.BlockTypes {
		obj := blockAsObject(bt.Block)
		if bt.NestingMode == "list" && bt.MaxItems != 1 {
			attrs[name] = tftypes.List{ElementType: obj}
		} else {
			attrs[name] = obj
		}
	}
	return tftypes.Object{AttributeTypes: attrs}
}

// Every value meant for an azurerm argument has azurerm's type, and,
// where sseready names it after azurerm, azurerm's name.
func TestValuesFitAzurerm(t *testing.T) {
	t.Parallel()
	az := loadAzurerm(t)
	policy, check := newAPIMPolicyDataSource(), newAPIMPolicyCheckDataSource()
	diag, appgwDS, profile, chain := newAPIMDiagnosticDataSource(), newAppGWSettingsDataSource(), newStreamProfileDataSource(), newChainCheckDataSource()
	type row struct {
		ds       datasource.DataSource
		ours     string
		resource string
		theirs   string
		// sameName: sseready names the value as azurerm does. Others are
		// named by what they are (xml, appgw_request_timeout) or flatten
		// a block (sku_name for sku.name).
		sameName bool
	}
	tests := []row{
		{policy, "xml", "azurerm_api_management_api_policy", "xml_content", false},
		{policy, "xml", "azurerm_api_management_api_operation_policy", "xml_content", false},
		{policy, "xml", "azurerm_api_management_product_policy", "xml_content", false},
		{policy, "xml", "azurerm_api_management_policy", "xml_content", false},
		{check, "fixed_xml", "azurerm_api_management_api_policy", "xml_content", false},
		{appgwDS, "response_buffering_enabled", "azurerm_application_gateway", "global.response_buffering_enabled", true},
		{appgwDS, "request_buffering_enabled", "azurerm_application_gateway", "global.request_buffering_enabled", true},
		{appgwDS, "request_timeout", "azurerm_application_gateway", "backend_http_settings.request_timeout", true},
		{appgwDS, "sku_name", "azurerm_application_gateway", "sku.name", false},
		{profile, "appgw_request_timeout", "azurerm_application_gateway", "backend_http_settings.request_timeout", false},
		{profile, "front_door_origin_response_timeout", "azurerm_cdn_frontdoor_profile", "response_timeout_seconds", false},
		{chain, "app_gateway.sku_name", "azurerm_application_gateway", "sku.name", false},
		{chain, "app_gateway.request_timeout", "azurerm_application_gateway", "backend_http_settings.request_timeout", true},
		{chain, "app_gateway.global", "azurerm_application_gateway", "global", true},
		{chain, "app_gateway.waf_request_body_check", "azurerm_application_gateway", "waf_configuration.request_body_check", false},
		{chain, "front_door.response_timeout_seconds", "azurerm_cdn_frontdoor_profile", "response_timeout_seconds", true},
		{chain, "apim.sku_name", "azurerm_api_management", "sku_name", true},
		{chain, "apim.policies[].xml", "azurerm_api_management_api_policy", "xml_content", false},
	}
	for _, resource := range []string{"azurerm_api_management_api_diagnostic", "azurerm_api_management_diagnostic"} {
		for _, a := range []string{"identifier", "sampling_percentage", "verbosity", "always_log_errors", "log_client_ip", "http_correlation_protocol", "operation_name_format",
			"frontend_request", "frontend_response", "backend_request", "backend_response"} {
			tests = append(tests, row{diag, a, resource, a, true})
		}
		for _, b := range []string{"frontend_request", "frontend_response", "backend_request", "backend_response"} {
			for _, a := range []string{"body_bytes", "headers_to_log"} {
				tests = append(tests, row{chain, "apim.diagnostics[]." + b + "." + a, resource, b + "." + a, true})
			}
		}
		tests = append(tests, row{chain, "apim.diagnostics[].identifier", resource, "identifier", true})
	}
	for _, tt := range tests {
		var meta datasource.MetadataResponse
		tt.ds.Metadata(context.Background(), datasource.MetadataRequest{ProviderTypeName: "sseready"}, &meta)
		t.Run(meta.TypeName+"."+tt.ours+"~"+tt.resource+"."+tt.theirs, func(t *testing.T) {
			t.Parallel()
			ours := dataSourceType(t, tt.ds, tt.ours)
			theirs := azurermType(t, az, tt.resource, tt.theirs)
			if !ours.Equal(theirs) {
				t.Fatalf("sseready's type\n  %s\nis not azurerm's\n  %s", ours, theirs)
			}
			last := func(p string) string { p = strings.ReplaceAll(p, "[]", ""); return p[strings.LastIndex(p, ".")+1:] }
			if tt.sameName && last(tt.ours) != last(tt.theirs) {
				t.Errorf("sseready names it %s, azurerm %s", last(tt.ours), last(tt.theirs))
			}
		})
	}
}

// The hop settings (the emulator's settings files and the chain's hops,
// read by one decoder each) take jsonencode() of the data sources and
// azurerm's arguments, and reject every other key (a misspelt one would
// leave a hop on a default). Every key those can hold must be accepted.
func TestGatewaySettingsFilesAcceptTheirSources(t *testing.T) {
	t.Parallel()
	az := loadAzurerm(t)
	attrs := func(ds datasource.DataSource) []string {
		var resp datasource.SchemaResponse
		ds.Schema(context.Background(), datasource.SchemaRequest{}, &resp)
		var out []string
		for name := range resp.Schema.Attributes {
			out = append(out, name)
		}
		return out
	}
	azurerm := func(resource string) []string {
		var out []string
		for name := range az[resource].Attributes {
			out = append(out, name)
		}
		for name := range az[resource].BlockTypes {
			out = append(out, name)
		}
		if len(out) == 0 {
			t.Fatalf("%s is not in the vendored schema", resource)
		}
		return out
	}
	for _, tt := range []struct {
		file    string
		allowed []string
		sources map[string][]string
	}{
		{"--appgw-settings", appgw.SettingsKeys, map[string][]string{
			"sseready_appgw_settings": attrs(newAppGWSettingsDataSource()),
			"chain app_gateway":       chainHopAttrs(t, "app_gateway"),
			"azurerm global block":    azurermBlockAttrs(t, az, "azurerm_application_gateway", "global"),
		}},
		{"--apim-diagnostic", apimdiag.Keys, map[string][]string{
			"sseready_apim_diagnostic":              attrs(newAPIMDiagnosticDataSource()),
			"azurerm_api_management_api_diagnostic": azurerm("azurerm_api_management_api_diagnostic"),
			"azurerm_api_management_diagnostic":     azurerm("azurerm_api_management_diagnostic"),
		}},
	} {
		for source, keys := range tt.sources {
			for _, k := range keys {
				if !slices.Contains(tt.allowed, k) {
					t.Errorf("%s rejects %q, which %s has", tt.file, k, source)
				}
			}
		}
	}
}

// chainHopAttrs are the attributes of one hop of sseready_chain_check.
func chainHopAttrs(t *testing.T, hop string) []string {
	t.Helper()
	var resp datasource.SchemaResponse
	newChainCheckDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	nested, ok := resp.Schema.Attributes[hop].(schema.SingleNestedAttribute)
	if !ok {
		t.Fatalf("sseready_chain_check has no %s object", hop)
	}
	return slices.Collect(maps.Keys(nested.Attributes))
}

func azurermBlockAttrs(t *testing.T, az map[string]azBlock, resource, block string) []string {
	t.Helper()
	var out []string
	for name := range az[resource].BlockTypes[block].Block.Attributes {
		out = append(out, name)
	}
	if len(out) == 0 {
		t.Fatalf("%s.%s is not in the vendored schema", resource, block)
	}
	return out
}
