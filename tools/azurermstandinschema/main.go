// Command azurermstandinschema copies, from the azurerm provider schema
// (the output of `terraform providers schema -json`), the provider block
// and the whole schema of each resource and data source that the test-only
// azurerm stand-in (internal/azurermstandin) serves, into
// internal/azurermstandin/testdata/azurerm-schema.json. The stand-in embeds
// that file, so its tests never read the full schema.
//
//	go run ./azurermstandinschema -in ../../shared/azurerm/schema.json -out ../internal/azurermstandin/testdata/azurerm-schema.json
//
// Unlike tools/azurermschema (a few attributes each, for the schema test),
// it keeps every attribute and nested block: terraform validates a
// configuration against exactly what is served, so a resource cut short
// would reject valid azurerm configurations.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"sort"
)

// resources are the azurerm resources of the SSE chain (issue 9 §4) and
// those a realistic API Management, Application Gateway, load balancer,
// Front Door or Azure OpenAI configuration needs around them.
var resources = []string{
	"azurerm_resource_group",
	// API Management, its policies at every scope, and its diagnostics.
	"azurerm_api_management",
	"azurerm_api_management_api",
	"azurerm_api_management_api_policy",
	"azurerm_api_management_api_operation",
	"azurerm_api_management_api_operation_policy",
	"azurerm_api_management_product",
	"azurerm_api_management_product_api",
	"azurerm_api_management_product_policy",
	"azurerm_api_management_policy",
	"azurerm_api_management_policy_fragment",
	"azurerm_api_management_logger",
	"azurerm_api_management_api_diagnostic",
	"azurerm_api_management_diagnostic",
	"azurerm_api_management_backend",
	"azurerm_api_management_named_value",
	"azurerm_api_management_workspace",
	"azurerm_api_management_workspace_policy",
	"azurerm_api_management_workspace_policy_fragment",
	"azurerm_application_insights",
	// Application Gateway and the network it sits in.
	"azurerm_application_gateway",
	"azurerm_web_application_firewall_policy",
	"azurerm_public_ip",
	"azurerm_virtual_network",
	"azurerm_subnet",
	// Azure Load Balancer.
	"azurerm_lb",
	"azurerm_lb_backend_address_pool",
	"azurerm_lb_probe",
	"azurerm_lb_rule",
	// Front Door.
	"azurerm_cdn_frontdoor_profile",
	"azurerm_cdn_frontdoor_endpoint",
	"azurerm_cdn_frontdoor_origin_group",
	"azurerm_cdn_frontdoor_origin",
	"azurerm_cdn_frontdoor_route",
	// Azure OpenAI and its content filter.
	"azurerm_cognitive_account",
	"azurerm_cognitive_deployment",
	"azurerm_cognitive_account_rai_policy",
}

// dataSources are served too; the stand-in answers them with fixed values.
var dataSources = []string{
	"azurerm_client_config",
}

const provider = "registry.terraform.io/hashicorp/azurerm"

func main() {
	in := flag.String("in", "", "the full schema JSON")
	out := flag.String("out", "", "where to write the subset")
	source := flag.String("source", "azurerm commit 69697b7 (August 2026, version line 5.2), from the steering repository's shared/azurerm/schema.json", "where the full schema came from")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var full struct {
		FormatVersion   string `json:"format_version"`
		ProviderSchemas map[string]struct {
			Provider          json.RawMessage            `json:"provider"`
			ResourceSchemas   map[string]json.RawMessage `json:"resource_schemas"`
			DataSourceSchemas map[string]json.RawMessage `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &full); err != nil {
		log.Fatal(err)
	}
	azurerm, ok := full.ProviderSchemas[provider]
	if !ok || azurerm.Provider == nil {
		log.Fatalf("%s has no provider schema in %s", provider, *in)
	}
	subset := map[string]any{
		"comment":        "A subset of the azurerm provider schema, whole resources, served by the test-only stand-in internal/azurermstandin: " + *source + ". Regenerate with tools/azurermstandinschema.",
		"format_version": full.FormatVersion,
		"provider_schemas": map[string]any{provider: map[string]any{
			"provider":            azurerm.Provider,
			"resource_schemas":    pick(azurerm.ResourceSchemas, resources, "resource"),
			"data_source_schemas": pick(azurerm.DataSourceSchemas, dataSources, "data source"),
		}},
	}
	b, err := json.MarshalIndent(subset, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}

// pick copies the named schemas unchanged; a name missing from the full
// schema stops the generator, so a renamed resource is noticed here.
func pick(all map[string]json.RawMessage, names []string, kind string) map[string]json.RawMessage {
	sort.Strings(names)
	kept := map[string]json.RawMessage{}
	for _, name := range names {
		s, ok := all[name]
		if !ok {
			log.Fatalf("%s %s is not in the schema", kind, name)
		}
		kept[name] = s
	}
	return kept
}
