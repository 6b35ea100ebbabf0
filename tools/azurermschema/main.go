// Command azurermschema copies, from the azurerm provider schema (the
// output of `terraform providers schema -json`), the parts sseready's
// values are meant for, into internal/provider/testdata/azurerm-schema.json,
// where a test checks every such value's name and type against them.
//
//	go run ./azurermschema -in ../../shared/azurerm/schema.json -out ../internal/provider/testdata/azurerm-schema.json
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
)

// keep lists, per resource, the attributes and blocks kept (nil: all).
var keep = map[string][]string{
	"azurerm_api_management_api_policy":           nil,
	"azurerm_api_management_api_operation_policy": nil,
	"azurerm_api_management_product_policy":       nil,
	"azurerm_api_management_policy":               nil,
	"azurerm_api_management_api_diagnostic":       nil,
	"azurerm_api_management_diagnostic":           nil,
	"azurerm_api_management":                      {"sku_name"},
	"azurerm_application_gateway":                 {"global", "backend_http_settings", "sku", "waf_configuration"},
	"azurerm_cdn_frontdoor_profile":               {"response_timeout_seconds", "sku_name"},
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
			ResourceSchemas map[string]struct {
				Version int64                      `json:"version"`
				Block   map[string]json.RawMessage `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &full); err != nil {
		log.Fatal(err)
	}
	resources := map[string]any{}
	for name, names := range keep {
		r, ok := full.ProviderSchemas[provider].ResourceSchemas[name]
		if !ok {
			log.Fatalf("%s is not in the schema", name)
		}
		block := map[string]any{}
		for _, part := range []string{"attributes", "block_types"} {
			var m map[string]json.RawMessage
			if raw, ok := r.Block[part]; ok {
				if err := json.Unmarshal(raw, &m); err != nil {
					log.Fatal(err)
				}
			}
			kept := map[string]json.RawMessage{}
			for k, v := range m {
				if names == nil || contains(names, k) {
					kept[k] = v
				}
			}
			if len(kept) > 0 {
				block[part] = kept
			}
		}
		resources[name] = map[string]any{"version": r.Version, "block": block}
	}
	subset := map[string]any{
		"comment":          "A subset of the azurerm provider schema: " + *source + ". Regenerate with tools/azurermschema.",
		"format_version":   full.FormatVersion,
		"provider_schemas": map[string]any{provider: map[string]any{"resource_schemas": resources}},
	}
	b, err := json.MarshalIndent(subset, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
