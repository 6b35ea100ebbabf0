package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Terraform prints no error message made of ephemeral values, so the
// ephemeral resource says in a warning why a stream did not pass, naming
// no input; a stream that passes gets none. Terraform shows warnings only
// on success, so this calls the provider's Open as Terraform does.
func TestStreamProbeEphemeralWarning(t *testing.T) {
	t.Parallel()
	var sent sentHeaders
	url := sent.endpoint(t)
	server := providerserver.NewProtocol6(New("test")())()
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ, ok := schemas.EphemeralResourceSchemas["sseready_stream_probe"].ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the ephemeral resource's schema is not an object")
	}
	open := func(minEvents int64) []*tfprotov6.Diagnostic {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals["url"] = tftypes.NewValue(tftypes.String, url)
		vals["duration"] = tftypes.NewValue(tftypes.String, "2s")
		vals["min_events"] = tftypes.NewValue(tftypes.Number, minEvents)
		config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := server.OpenEphemeralResource(ctx, &tfprotov6.OpenEphemeralResourceRequest{TypeName: "sseready_stream_probe", Config: &config})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}
	if d := open(4); len(d) != 0 {
		t.Errorf("a stream that passed: diagnostics %+v", d[0])
	}
	d := open(9)
	if len(d) != 1 || d[0].Severity != tfprotov6.DiagnosticSeverityWarning || d[0].Summary != "The stream did not pass: streamed" ||
		!strings.HasPrefix(d[0].Detail, "min_events: 4 content events arrived in 2s, fewer than min_events (9)") {
		t.Fatalf("a stream short of min_events: diagnostics %+v", d)
	}
	if strings.Contains(d[0].Summary+d[0].Detail, url) {
		t.Errorf("the warning names the URL, which may be an ephemeral value: %q", d[0].Detail)
	}
}
