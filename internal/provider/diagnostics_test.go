package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A whole-number attribute given 1.5 is the framework's type error, on
// the attribute; the data source's own check adds no conversion error
// that blames the provider.
func TestValidateConfigLeavesTypeErrorsToTheFramework(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		ds   datasource.DataSource
		attr string
	}{
		{newAPIMPolicyDataSource(), "timeout"},
		{newAppGWSettingsDataSource(), "request_timeout"},
	} {
		var sresp datasource.SchemaResponse
		tt.ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
		typ, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
		if !ok {
			t.Fatalf("%s: the schema is a %T", tt.attr, sresp.Schema.Type().TerraformType(ctx))
		}
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals[tt.attr] = tftypes.NewValue(tftypes.Number, big.NewFloat(1.5))
		req := datasource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}}
		var resp datasource.ValidateConfigResponse
		v, ok := tt.ds.(datasource.DataSourceWithValidateConfig)
		if !ok {
			t.Fatalf("%T does not validate its configuration", tt.ds)
		}
		v.ValidateConfig(ctx, req, &resp)
		for _, d := range resp.Diagnostics {
			if strings.Contains(d.Detail(), "error in the provider") || d.Summary() == "Value Conversion Error" {
				t.Errorf("%s = 1.5: %s: %s", tt.attr, d.Summary(), d.Detail())
			}
		}
	}
}

func TestInputErrorsPointAtTheTopAttribute(t *testing.T) {
	t.Parallel()
	for field, want := range map[string]path.Path{
		"timeout":                     path.Root("timeout"),
		"app_gateway.request_timeout": path.Root("app_gateway"),
		"apim.policies[0].xml":        path.Root("apim"),
		"apim.diagnostics[1].frontend_response.body_bytes": path.Root("apim"),
	} {
		if got := rootOf(attrPath(field)); !got.Equal(want) {
			t.Errorf("%s: %s, want %s", field, got, want)
		}
	}
}
