package azurermstandin

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// servedResources are the resources issue 9 §4 names, which the stand-in
// must serve whole, and some a real configuration has around them.
var servedResources = []string{
	"azurerm_resource_group", "azurerm_api_management", "azurerm_api_management_api",
	"azurerm_api_management_api_policy", "azurerm_api_management_api_operation",
	"azurerm_api_management_api_operation_policy", "azurerm_api_management_product",
	"azurerm_api_management_product_api", "azurerm_api_management_product_policy",
	"azurerm_api_management_policy", "azurerm_api_management_policy_fragment",
	"azurerm_api_management_logger", "azurerm_api_management_api_diagnostic",
	"azurerm_api_management_diagnostic", "azurerm_application_gateway", "azurerm_lb",
	"azurerm_lb_rule", "azurerm_public_ip", "azurerm_virtual_network", "azurerm_subnet",
	"azurerm_cdn_frontdoor_profile", "azurerm_cdn_frontdoor_origin_group",
	"azurerm_cognitive_account", "azurerm_cognitive_account_rai_policy",
	"azurerm_network_interface", "azurerm_linux_virtual_machine", "azurerm_key_vault",
	"azurerm_storage_account", "azurerm_kubernetes_cluster", "azurerm_private_endpoint",
}

func TestServedSchema(t *testing.T) {
	s, err := LoadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range servedResources {
		if _, ok := s.Resources[name]; !ok {
			t.Errorf("%s is not served", name)
		}
	}
	for _, name := range []string{"azurerm_client_config", "azurerm_subscription", "azurerm_kubernetes_cluster", "azurerm_key_vault"} {
		if _, ok := s.DataSources[name]; !ok {
			t.Errorf("data source %s is not served", name)
		}
	}
	// The whole schema, not a subset: azurerm 5.2 has over a thousand
	// resource types and hundreds of data sources.
	if len(s.Resources) < 1000 || len(s.DataSources) < 300 {
		t.Errorf("%d resource types and %d data sources served: not azurerm's whole schema", len(s.Resources), len(s.DataSources))
	}
	// `provider "azurerm" { features {} }`: the provider's own block.
	if b := nestedBlock(s.Provider.Block, "features"); b == nil || nestedBlock(b.Block, "api_management") == nil {
		t.Errorf("the provider schema has no features block with api_management in it: %+v", b)
	}
	// Whole resources: a nested block two levels down, and the attributes
	// sseready reads, with azurerm's types.
	gw := s.Resources["azurerm_application_gateway"].Block
	if b := nestedBlock(gw, "backend_http_settings"); b == nil || b.Nesting != tfprotov5.SchemaNestedBlockNestingModeSet ||
		attribute(b.Block, "request_timeout") == nil || !attribute(b.Block, "request_timeout").Type.Is(tftypes.Number) {
		t.Errorf("backend_http_settings is not azurerm's: %+v", b)
	}
	diag := s.Resources["azurerm_api_management_api_diagnostic"].Block
	if b := nestedBlock(diag, "frontend_response"); b == nil || nestedBlock(b.Block, "data_masking") == nil ||
		nestedBlock(nestedBlock(b.Block, "data_masking").Block, "headers") == nil {
		t.Error("frontend_response.data_masking.headers is missing")
	}
	if a := attribute(s.Resources["azurerm_virtual_network"].Block, "subnet"); a == nil ||
		!a.Type.Is(tftypes.Set{ElementType: tftypes.Object{}}) {
		t.Errorf("virtual_network.subnet is not a set of objects: %+v", a)
	}
}

func nestedBlock(b *tfprotov5.SchemaBlock, name string) *tfprotov5.SchemaNestedBlock {
	if b == nil {
		return nil
	}
	for _, nb := range b.BlockTypes {
		if nb.TypeName == name {
			return nb
		}
	}
	return nil
}

func attribute(b *tfprotov5.SchemaBlock, name string) *tfprotov5.SchemaAttribute {
	if b == nil {
		return nil
	}
	for _, a := range b.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// schemaDoc wraps a resource block in a schema document.
func schemaDoc(block string) string {
	return `{"provider_schemas": {"registry.terraform.io/hashicorp/azurerm": {"resource_schemas": {"azurerm_x": {"block": ` + block + `}}}}}`
}

// TestParseSchemasOddInput: input the stand-in cannot read is an error
// naming the place, never a panic.
func TestParseSchemasOddInput(t *testing.T) {
	for _, c := range []struct{ input, want string }{
		{`{`, "unexpected end of JSON input"},
		{`{"provider_schemas": {}}`, "no provider_schemas entry for registry.terraform.io/hashicorp/azurerm"},
		{schemaDoc(`{"attributes": {"a": {"type": "strin"}}}`), `resource azurerm_x: attribute a: unknown type "strin"`},
		{schemaDoc(`{"attributes": {"a": {"type": ["list"]}}}`), `attribute a: unreadable type ["list"]`},
		{schemaDoc(`{"attributes": {"a": {"type": ["object", 5]}}}`), "attribute a: unreadable object type 5"},
		{schemaDoc(`{"attributes": {"a": {"type": ["tuple", "x"]}}}`), "unreadable tuple type"},
		{schemaDoc(`{"attributes": {"a": {"type": ["object", {"b": "string"}, ["c"]]}}}`), "optional attribute c is not in the object"},
		{schemaDoc(`{"attributes": {"a": {"type": 7}}}`), "attribute a: unreadable type 7"},
		{schemaDoc(`{"attributes": {"a": {"optional": true}}}`), "attribute a: neither type nor nested_type"},
		{schemaDoc(`{"attributes": {"a": null}}`), "attribute a: empty"},
		{schemaDoc(`{"block_types": {"b": {"nesting_mode": "bag", "block": {}}}}`), `block b: unknown nesting_mode "bag"`},
		{schemaDoc(`{"block_types": {"b": null}}`), "block b: empty"},
		{schemaDoc(`{"block_types": {"b": {"nesting_mode": "list", "block": {"attributes": {"c": {"type": ["set", "nope"]}}}}}}`), `block b: attribute c: unknown type "nope"`},
		{schemaDoc(`{"attributes": {"a": {"nested_type": {"nesting_mode": "tree", "attributes": {}}}}}`), `unknown nesting_mode "tree"`},
	} {
		_, err := ParseSchemas([]byte(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.input, err, c.want)
		}
	}
}

// TestParseSchemasTypes converts every type form of the JSON syntax.
func TestParseSchemasTypes(t *testing.T) {
	s, err := ParseSchemas([]byte(schemaDoc(`{
	  "attributes": {
	    "s": {"type": "string", "required": true},
	    "d": {"type": "dynamic", "optional": true},
	    "l": {"type": ["list", ["map", "bool"]], "computed": true, "sensitive": true},
	    "o": {"type": ["object", {"a": "number", "b": ["set", "string"]}, ["b"]], "optional": true},
	    "t": {"type": ["tuple", ["string", "number"]], "optional": true, "write_only": true},
	    "n": {"nested_type": {"nesting_mode": "set", "attributes": {"x": {"type": "string", "optional": true}}}, "optional": true}
	  },
	  "block_types": {"g": {"nesting_mode": "group", "block": {}}, "m": {"nesting_mode": "map", "block": {"attributes": {"v": {"type": "number", "optional": true}}}}}
	}`)))
	if err != nil {
		t.Fatal(err)
	}
	b := s.Resources["azurerm_x"].Block
	want := map[string]tftypes.Type{
		"s": tftypes.String,
		"d": tftypes.DynamicPseudoType,
		"l": tftypes.List{ElementType: tftypes.Map{ElementType: tftypes.Bool}},
		"o": tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.Number, "b": tftypes.Set{ElementType: tftypes.String}}, OptionalAttributes: map[string]struct{}{"b": {}}},
		"t": tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Number}},
		"n": tftypes.Set{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"x": tftypes.String}}},
	}
	for name, typ := range want {
		if a := attribute(b, name); a == nil || !a.Type.Equal(typ) {
			t.Errorf("%s: %v, want %v", name, a, typ)
		}
	}
	if a := attribute(b, "l"); !a.Computed || !a.Sensitive || attribute(b, "s").Required != true || !attribute(b, "t").WriteOnly {
		t.Error("flags are lost")
	}
	if nestedBlock(b, "g").Nesting != tfprotov5.SchemaNestedBlockNestingModeGroup || nestedBlock(b, "m").Nesting != tfprotov5.SchemaNestedBlockNestingModeMap {
		t.Error("nesting modes are lost")
	}
	// No provider block in the document: an empty one.
	if s.Provider == nil || s.Provider.Block == nil || len(s.Provider.Block.Attributes) != 0 {
		t.Errorf("provider schema %+v", s.Provider)
	}
}

// TestIDTemplates: every attribute an ID is built from is a top-level
// string attribute of the resource, and every template's resource served.
func TestIDTemplates(t *testing.T) {
	s, err := LoadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for name, tmpl := range idTemplates {
		r, ok := s.Resources[name]
		if !ok {
			t.Errorf("%s has an ID template and is not served", name)
			continue
		}
		expanded := idShorthands.Replace(idShorthands.Replace(tmpl))
		for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(expanded, -1) {
			if a := attribute(r.Block, m[1]); a == nil || !a.Type.Is(tftypes.String) {
				t.Errorf("%s: the ID template's {%s} is not a string attribute", name, m[1])
			}
		}
	}
	// A type without a template: a generic ID under its resource group.
	maps := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"name": tftypes.String, "resource_group_name": tftypes.String}}
	got := resourceID("azurerm_maps_account", tftypes.NewValue(maps, map[string]tftypes.Value{"name": str("maps"), "resource_group_name": str("rg")}))
	if want := "/subscriptions/" + SubscriptionID + "/resourceGroups/rg/providers/Standin/maps_account/maps"; got != want {
		t.Errorf("generic id %s, want %s", got, want)
	}
}

// TestDefaults: every default names an optional, non-computed attribute
// of the served schema, with its type.
func TestDefaults(t *testing.T) {
	s, err := LoadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for name, attrs := range defaults {
		r, ok := s.Resources[name]
		if !ok {
			t.Errorf("%s has defaults and is not served", name)
			continue
		}
		for path, v := range attrs {
			b := r.Block
			steps := strings.Split(path, ".")
			for _, step := range steps[:len(steps)-1] {
				if nb := nestedBlock(b, step); nb != nil {
					b = nb.Block
				} else {
					b = nil
				}
			}
			a := attribute(b, steps[len(steps)-1])
			if a == nil || !a.Optional || a.Computed || !a.Type.Equal(v.Type()) {
				t.Errorf("%s.%s: default %v does not fit the attribute %+v", name, path, v, a)
			}
		}
	}
}
