package azurermstandin

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
)

// TestCatalogConvertsOnDemand: reading the embedded schema converts no
// type; asking for one converts that one; all converts the rest.
func TestCatalogConvertsOnDemand(t *testing.T) {
	data, err := gunzip(schemaGzip)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.resources.done) + len(c.dataSources.done); n != 0 {
		t.Errorf("%d types converted before any was asked for", n)
	}
	aks, ok, err := c.resources.get("azurerm_kubernetes_cluster")
	if err != nil || !ok || attribute(aks.Block, "kube_config") == nil {
		t.Fatalf("azurerm_kubernetes_cluster: %v %v", ok, err)
	}
	if len(c.resources.done) != 1 {
		t.Errorf("%d resource types converted, want 1", len(c.resources.done))
	}
	if again, _, _ := c.resources.get("azurerm_kubernetes_cluster"); again != aks {
		t.Error("a type is converted again")
	}
	if _, ok, err := c.resources.get("azurerm_kubernetes_klaster"); ok || err != nil {
		t.Errorf("a type azurerm does not have: %v %v", ok, err)
	}
	all, err := c.all()
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Resources) != len(c.resources.names) || len(all.DataSources) != len(c.dataSources.names) || all.Resources["azurerm_kubernetes_cluster"] != aks {
		t.Errorf("all: %d resources of %d, %d data sources of %d", len(all.Resources), len(c.resources.names), len(all.DataSources), len(c.dataSources.names))
	}
}

// TestMetadataMatchesSchema: GetMetadata names the types GetProviderSchema
// serves, and both say the schema need not be fetched by every instance.
func TestMetadataMatchesSchema(t *testing.T) {
	ctx := context.Background()
	s := New()
	meta, _ := s.GetMetadata(ctx, &tfprotov5.GetMetadataRequest{})
	schema, _ := s.GetProviderSchema(ctx, &tfprotov5.GetProviderSchemaRequest{})
	if meta.Diagnostics != nil || schema.Diagnostics != nil {
		t.Fatalf("%v %v", meta.Diagnostics, schema.Diagnostics)
	}
	var metaNames, schemaNames []string
	for _, r := range meta.Resources {
		metaNames = append(metaNames, r.TypeName)
	}
	for _, d := range meta.DataSources {
		metaNames = append(metaNames, "data."+d.TypeName)
	}
	for name := range schema.ResourceSchemas {
		schemaNames = append(schemaNames, name)
	}
	for name := range schema.DataSourceSchemas {
		schemaNames = append(schemaNames, "data."+name)
	}
	sort.Strings(metaNames)
	sort.Strings(schemaNames)
	if !reflect.DeepEqual(metaNames, schemaNames) {
		t.Errorf("GetMetadata names %d types, GetProviderSchema serves %d", len(metaNames), len(schemaNames))
	}
	if !meta.ServerCapabilities.GetProviderSchemaOptional || !schema.ServerCapabilities.GetProviderSchemaOptional {
		t.Error("GetProviderSchemaOptional is not declared")
	}
}

// TestBrokenType: a type whose schema cannot be read is reported when it
// is asked for, and by GetProviderSchema, naming it.
func TestBrokenType(t *testing.T) {
	c, err := parseCatalog([]byte(`{"provider_schemas": {"registry.terraform.io/hashicorp/azurerm": {"resource_schemas": {
	  "azurerm_good": {"block": {"attributes": {"name": {"type": "string", "required": true}}}},
	  "azurerm_bad": {"block": {"attributes": {"name": {"type": "strin"}}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{schemas: c}
	if _, diags := s.resource("azurerm_good"); diags != nil {
		t.Errorf("azurerm_good: %v", diags[0].Detail)
	}
	_, diags := s.resource("azurerm_bad")
	schema, _ := s.GetProviderSchema(context.Background(), &tfprotov5.GetProviderSchemaRequest{})
	for _, d := range [][]*tfprotov5.Diagnostic{diags, schema.Diagnostics} {
		if len(d) != 1 || !strings.Contains(d[0].Detail, `resource azurerm_bad: attribute name: unknown type "strin"`) {
			t.Errorf("diagnostics %+v", d)
		}
	}
}
