package azurermstandin

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// object builds a value of a block's type from the attributes given, the
// others null, as terraform sends a configuration.
func object(t *testing.T, typ tftypes.Type, attrs map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%v is not an object type", typ)
	}
	all := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := attrs[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	for name := range attrs {
		if _, ok := obj.AttributeTypes[name]; !ok {
			t.Fatalf("%s is not an attribute", name)
		}
	}
	return tftypes.NewValue(typ, all)
}

func dynamic(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov5.DynamicValue {
	t.Helper()
	dv, err := tfprotov5.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func attrsOf(t *testing.T, dv *tfprotov5.DynamicValue, typ tftypes.Type) map[string]tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs
}

// resourceSchema is the schema the server serves for a resource type.
func resourceSchema(t *testing.T, s *Server, name string) *tfprotov5.Schema {
	t.Helper()
	r, diags := s.resource(name)
	if diags != nil {
		t.Fatalf("%s: %s", name, diags[0].Detail)
	}
	return r
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// TestPlanAndApply plans a logger on create (id unknown, azurerm's
// default for buffered), applies it (an ARM ID), plans it again with that
// state (nothing unknown, nothing changed) and destroys it.
func TestPlanAndApply(t *testing.T) {
	ctx := context.Background()
	s := New()
	const name = "azurerm_api_management_logger"
	typ := resourceSchema(t, s, name).ValueType()
	config := object(t, typ, map[string]tftypes.Value{
		"name": str("appi"), "api_management_name": str("apim-chat"), "resource_group_name": str("rg-chat"),
	})
	plan, _ := s.PlanResourceChange(ctx, &tfprotov5.PlanResourceChangeRequest{
		TypeName: name, PriorState: dynamic(t, typ, tftypes.NewValue(typ, nil)),
		ProposedNewState: dynamic(t, typ, config), Config: dynamic(t, typ, config),
	})
	if plan.Diagnostics != nil {
		t.Fatalf("plan: %+v", plan)
	}
	planned := attrsOf(t, plan.PlannedState, typ)
	if planned["id"].IsKnown() || !planned["buffered"].Equal(tftypes.NewValue(tftypes.Bool, true)) || !planned["description"].IsNull() {
		t.Errorf("planned %v", planned)
	}

	applied, _ := s.ApplyResourceChange(ctx, &tfprotov5.ApplyResourceChangeRequest{TypeName: name, PlannedState: plan.PlannedState, Config: dynamic(t, typ, config)})
	state := attrsOf(t, applied.NewState, typ)
	want := "/subscriptions/" + SubscriptionID + "/resourceGroups/rg-chat/providers/Microsoft.ApiManagement/service/apim-chat/loggers/appi"
	if !state["id"].Equal(str(want)) {
		t.Errorf("id %v, want %s", state["id"], want)
	}

	// Terraform proposes the prior id for the computed attribute.
	proposed := config.Copy()
	proposedAttrs := map[string]tftypes.Value{}
	_ = proposed.As(&proposedAttrs)
	proposedAttrs["id"] = state["id"]
	proposed = tftypes.NewValue(typ, proposedAttrs)
	replan, _ := s.PlanResourceChange(ctx, &tfprotov5.PlanResourceChangeRequest{
		TypeName: name, PriorState: applied.NewState, ProposedNewState: dynamic(t, typ, proposed), Config: dynamic(t, typ, config),
	})
	if got, _ := replan.PlannedState.Unmarshal(typ); !got.Equal(mustUnmarshal(t, applied.NewState, typ)) {
		t.Errorf("a second plan changes the state: %v", got)
	}

	destroy, _ := s.PlanResourceChange(ctx, &tfprotov5.PlanResourceChangeRequest{
		TypeName: name, PriorState: applied.NewState, ProposedNewState: dynamic(t, typ, tftypes.NewValue(typ, nil)),
	})
	gone, _ := s.ApplyResourceChange(ctx, &tfprotov5.ApplyResourceChangeRequest{TypeName: name, PriorState: applied.NewState, PlannedState: destroy.PlannedState})
	if v := mustUnmarshal(t, gone.NewState, typ); !v.IsNull() || gone.Diagnostics != nil {
		t.Errorf("destroy left %v %v", v, gone.Diagnostics)
	}
}

func mustUnmarshal(t *testing.T, dv *tfprotov5.DynamicValue, typ tftypes.Type) tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSetBlockKeepsPrior: an element of a set block whose omitted
// attribute got azurerm's default matches its prior element, so a second
// plan keeps the element and its computed id (azurerm plans no change).
func TestSetBlockKeepsPrior(t *testing.T) {
	elem := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String, "name": tftypes.String, "request_timeout": tftypes.Number}}
	set := tftypes.Set{ElementType: elem}
	block := &tfprotov5.SchemaBlock{BlockTypes: []*tfprotov5.SchemaNestedBlock{{
		TypeName: "backend_http_settings", Nesting: tfprotov5.SchemaNestedBlockNestingModeSet,
		Block: &tfprotov5.SchemaBlock{Attributes: []*tfprotov5.SchemaAttribute{
			{Name: "id", Type: tftypes.String, Computed: true},
			{Name: "name", Type: tftypes.String, Required: true},
			{Name: "request_timeout", Type: tftypes.Number, Optional: true},
		}},
	}}}
	typ := block.ValueType()
	mk := func(id tftypes.Value, timeout any) tftypes.Value {
		return tftypes.NewValue(typ, map[string]tftypes.Value{"backend_http_settings": tftypes.NewValue(set, []tftypes.Value{
			tftypes.NewValue(elem, map[string]tftypes.Value{"id": id, "name": str("health"), "request_timeout": tftypes.NewValue(tftypes.Number, timeout)}),
		})})
	}
	prior := mk(str("/gw/health"), 30)
	proposed := mk(tftypes.NewValue(tftypes.String, nil), nil) // not paired by terraform: 30 vs null
	d := map[string]tftypes.Value{"backend_http_settings.request_timeout": tftypes.NewValue(tftypes.Number, 30)}
	planned, err := planBlock(block, proposed, prior, d, "")
	if err != nil {
		t.Fatal(err)
	}
	if !planned.Equal(prior) {
		t.Errorf("planned %v, want the prior %v", planned, prior)
	}
	// A changed element is planned anew, its id unknown.
	planned, err = planBlock(block, mk(tftypes.NewValue(tftypes.String, nil), 60), prior, d, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := mk(tftypes.NewValue(tftypes.String, tftypes.UnknownValue), 60); !planned.Equal(want) {
		t.Errorf("planned %v, want %v", planned, want)
	}
}

func TestProviderConfigNeedsFeatures(t *testing.T) {
	s := New()
	typ := s.schemas.provider.ValueType()
	providerType, _ := typ.(tftypes.Object)
	features, _ := providerType.AttributeTypes["features"].(tftypes.List)
	for n, want := range map[int]string{0: "got: 0", 1: "", 2: "got: 2"} {
		var elems []tftypes.Value
		for range n {
			elems = append(elems, object(t, features.ElementType, nil))
		}
		config := object(t, typ, map[string]tftypes.Value{"features": tftypes.NewValue(features, elems)})
		resp, _ := s.PrepareProviderConfig(context.Background(), &tfprotov5.PrepareProviderConfigRequest{Config: dynamic(t, typ, config)})
		switch {
		case want == "" && resp.Diagnostics != nil:
			t.Errorf("%d features blocks: %v", n, resp.Diagnostics[0].Detail)
		case want != "" && (len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0].Detail, want)):
			t.Errorf("%d features blocks: %+v, want %q", n, resp.Diagnostics, want)
		}
	}
}

// TestRefusals: what the stand-in does not do, it says, naming itself.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	s := New()
	imp, _ := s.ImportResourceState(ctx, &tfprotov5.ImportResourceStateRequest{TypeName: "azurerm_api_management", ID: "/subscriptions/x"})
	plan, _ := s.PlanResourceChange(ctx, &tfprotov5.PlanResourceChangeRequest{TypeName: "azurerm_kubernetes_klaster"})
	read, _ := s.ReadDataSource(ctx, &tfprotov5.ReadDataSourceRequest{TypeName: "azurerm_subscriptions_of_mars"})
	for what, c := range map[string]struct {
		diags []*tfprotov5.Diagnostic
		want  string
	}{
		"import":      {imp.Diagnostics, "test-only stand-in for azurerm that talks to no Azure API"},
		"resource":    {plan.Diagnostics, "azurerm has no resource type azurerm_kubernetes_klaster"},
		"data source": {read.Diagnostics, "azurerm has no data source azurerm_subscriptions_of_mars"},
	} {
		if len(c.diags) != 1 || c.diags[0].Severity != tfprotov5.DiagnosticSeverityError ||
			c.diags[0].Summary != "azurerm stand-in (test only)" || !strings.Contains(c.diags[0].Detail, c.want) {
			t.Errorf("%s: %+v, want %q", what, c.diags, c.want)
		}
	}
}

// TestBrokenSchema: a schema that cannot be read is reported on every
// call that needs it, not a panic.
func TestBrokenSchema(t *testing.T) {
	ctx := context.Background()
	s := NewWithSchemas(nil, errors.New("azurerm stand-in schema: unexpected end of JSON input"))
	schema, _ := s.GetProviderSchema(ctx, &tfprotov5.GetProviderSchemaRequest{})
	meta, _ := s.GetMetadata(ctx, &tfprotov5.GetMetadataRequest{})
	cfg, _ := s.PrepareProviderConfig(ctx, &tfprotov5.PrepareProviderConfigRequest{})
	plan, _ := s.PlanResourceChange(ctx, &tfprotov5.PlanResourceChangeRequest{TypeName: "azurerm_lb"})
	for _, diags := range [][]*tfprotov5.Diagnostic{schema.Diagnostics, meta.Diagnostics, cfg.Diagnostics, plan.Diagnostics} {
		if len(diags) != 1 || !strings.Contains(diags[0].Detail, "unexpected end of JSON input") {
			t.Errorf("diagnostics %+v", diags)
		}
	}
}

// TestUpgradeResourceState passes a stored state through, attributes the
// schema no longer has dropped.
func TestUpgradeResourceState(t *testing.T) {
	s := New()
	const name = "azurerm_resource_group"
	typ := resourceSchema(t, s, name).ValueType()
	resp, _ := s.UpgradeResourceState(context.Background(), &tfprotov5.UpgradeResourceStateRequest{
		TypeName: name, RawState: &tfprotov5.RawState{JSON: []byte(`{"id": "/subscriptions/x/resourceGroups/rg", "name": "rg", "location": "westeurope", "gone": 1}`)},
	})
	if resp.Diagnostics != nil {
		t.Fatal(resp.Diagnostics[0].Detail)
	}
	if got := attrsOf(t, resp.UpgradedState, typ); !got["name"].Equal(str("rg")) || !got["location"].Equal(str("westeurope")) {
		t.Errorf("upgraded %v", got)
	}
	flat, _ := s.UpgradeResourceState(context.Background(), &tfprotov5.UpgradeResourceStateRequest{TypeName: name, RawState: &tfprotov5.RawState{Flatmap: map[string]string{"id": "x"}}})
	if len(flat.Diagnostics) != 1 {
		t.Errorf("a flatmap state is accepted: %+v", flat)
	}
}

// TestAzurermDirs finds configurations by what they declare, not by what
// their comments mention.
func TestAzurermDirs(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"comments/main.tf":       "# resource \"azurerm_lb\" \"x\" {}\n/* data \"azurerm_client_config\" \"c\" {} */\n",
		"resource/main.tf":       "resource \"azurerm_lb\" \"x\" {\n  name = \"lb\"\n}\n",
		"data/deep/main.tf":      "data \"azurerm_client_config\" \"c\" {}\n",
		"provider/versions.tf":   "provider \"azurerm\" {\n  features {}\n}\n",
		"other/main.tf":          "resource \"terraform_data\" \"x\" {}\n",
		"other/.terraform/x.tf":  "resource \"azurerm_lb\" \"x\" {}\n",
		"resource/policy.tf.txt": "resource \"azurerm_lb\" \"y\" {}\n",
	}
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dirs, err := AzurermDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, d := range dirs {
		r, _ := filepath.Rel(root, d)
		rel = append(rel, r)
	}
	if want := []string{"data/deep", "provider", "resource"}; !reflect.DeepEqual(rel, want) {
		t.Errorf("dirs %v, want %v", rel, want)
	}
	if err := os.WriteFile(filepath.Join(root, "bad.tf"), []byte("resource {"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := AzurermDirs(root); err == nil || !strings.Contains(err.Error(), "bad.tf") {
		t.Errorf("an unparseable file: %v", err)
	}
}

// The types a configuration names are found in every Terraform file of
// its tree, and the stand-in for them serves those azurerm has and no
// other; without names it serves the whole schema.
func TestConfigTypes(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"main.tf":                 "resource \"azurerm_api_management_api\" \"x\" {}\ndata \"azurerm_client_config\" \"c\" {}\n# azurerm_not_a_type in a comment\n",
		"modules/m/main.tf":       "resource \"azurerm_application_gateway\" \"x\" {}\n",
		"tests/plan.tftest.hcl":   "override_resource {\n  target = azurerm_key_vault.x\n}\n",
		"broken.tf":               "resource \"azurerm_lb_rule\" {{{\n",
		"notes.md":                "azurerm_kubernetes_cluster\n",
		".terraform/modules/x.tf": "resource \"azurerm_dns_zone\" \"x\" {}\n",
		"override.tf.json":        `{"resource": {"azurerm_api_management": {"x": {}}}}`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	types, err := ConfigTypes(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"azurerm_api_management", "azurerm_api_management_api", "azurerm_application_gateway", "azurerm_client_config", "azurerm_key_vault", "azurerm_lb_rule", "azurerm_not_a_type"}
	if !slices.Equal(types, want) {
		t.Fatalf("types %v, want %v", types, want)
	}

	resp, err := NewFor(types).GetProviderSchema(context.Background(), &tfprotov5.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, resp.Diagnostics)
	}
	if got, want := slices.Sorted(maps.Keys(resp.ResourceSchemas)), []string{"azurerm_api_management", "azurerm_api_management_api", "azurerm_application_gateway", "azurerm_key_vault", "azurerm_lb_rule"}; !slices.Equal(got, want) {
		t.Errorf("resources served %v, want %v", got, want)
	}
	// azurerm has data sources of some resources' names too.
	if got := slices.Sorted(maps.Keys(resp.DataSourceSchemas)); !slices.Contains(got, "azurerm_client_config") || slices.ContainsFunc(got, func(n string) bool { return !slices.Contains(types, n) }) {
		t.Errorf("data sources served %v, want azurerm_client_config and only types named", got)
	}
	if resp.Provider == nil {
		t.Error("no provider schema")
	}
	whole, err := NewFor(nil).GetProviderSchema(context.Background(), &tfprotov5.GetProviderSchemaRequest{})
	if err != nil || len(whole.ResourceSchemas) < 1000 {
		t.Errorf("without names: %d resource types, %v", len(whole.ResourceSchemas), err)
	}

	t.Setenv(TypesEnv, "azurerm_lb_rule, azurerm_lb")
	if got := TypesFromEnv(); !slices.Equal(got, []string{"azurerm_lb_rule", "azurerm_lb"}) {
		t.Errorf("from the environment: %v", got)
	}
	t.Setenv(TypesEnv, "")
	if got := TypesFromEnv(); got == nil || len(got) != 0 {
		t.Errorf("an empty list: %v, want none (not the whole schema)", got)
	}
}
