package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The data source sends the subscription key query_from_env names, read
// from the provider's environment, after the URL's own query, and keeps
// only the variable's name: the value is in no plan, state or trace log.
func TestAccStreamProbeQueryFromEnv(t *testing.T) {
	t.Setenv(envKeyVar, envSecret)
	logs := traceLogs(t)
	var sent sentHeaders
	url := sent.endpoint(t) + "/chat?api-version=2024-10-21"
	probe := "data.sseready_stream_probe.chat"
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: fmt.Sprintf(`
data "sseready_stream_probe" "chat" {
  url            = %q
  query_from_env = { "subscription-key" = %q }
  duration       = "2s"
  min_events     = 4
}
`, url, envKeyVar),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{absent{envSecret}}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(probe, tfjsonpath.New("ok"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue(probe, tfjsonpath.New("query_from_env"), knownvalue.MapExact(map[string]knownvalue.Check{
				"subscription-key": knownvalue.StringExact(envKeyVar),
			})),
			absent{envSecret},
		},
	}}})
	logs(envSecret)
	if got := sent.query(); !allEqual(got, "api-version=2024-10-21&subscription-key="+envSecret) {
		t.Errorf("the endpoint got the queries %q: want the URL's own, then the key, on every read", got)
	}
}

// A variable query_from_env names that is not set stops the resource's
// plan, on the attribute, naming the parameter and the variable; no
// request goes out without the key.
func TestAccStreamCheckQueryFromEnvUnset(t *testing.T) {
	t.Parallel()
	var sent sentHeaders
	url := sent.endpoint(t)
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config:      streamCheckConfig(url, fmt.Sprintf(`  query_from_env = { "subscription-key" = %q }`, unsetVar)),
		ExpectError: attrErrorRe("query_from_env", fmt.Sprintf(`the query parameter "subscription-key": the environment variable %s is not set or empty where terraform runs the provider`, unsetVar)),
		PlanOnly:    true,
	}}})
	if n := len(sent.query()); n != 0 {
		t.Errorf("%d requests went out without their key", n)
	}
}

// A url whose query holds what looks like a key is warned about, on url,
// by the data source and the resource, which keep it in their state; the
// ephemeral resource keeps nothing and says nothing. Terraform shows
// warnings only with a plan that succeeds, so this validates as Terraform
// does, through the provider's protocol.
func TestStreamURLKeyWarning(t *testing.T) {
	t.Parallel()
	server := providerserver.NewProtocol6(New("test")())()
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	config := func(s *tfprotov6.Schema, url string) *tfprotov6.DynamicValue {
		typ, ok := s.ValueType().(tftypes.Object)
		if !ok {
			t.Fatal("the schema is not an object")
		}
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals["url"] = tftypes.NewValue(tftypes.String, url)
		v, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	validate := map[string]func(url string) []*tfprotov6.Diagnostic{
		"data source": func(url string) []*tfprotov6.Diagnostic {
			resp, err := server.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{
				TypeName: "sseready_stream_probe", Config: config(schemas.DataSourceSchemas["sseready_stream_probe"], url)})
			if err != nil {
				t.Fatal(err)
			}
			return resp.Diagnostics
		},
		"resource": func(url string) []*tfprotov6.Diagnostic {
			resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{
				TypeName: "sseready_stream_check", Config: config(schemas.ResourceSchemas["sseready_stream_check"], url)})
			if err != nil {
				t.Fatal(err)
			}
			return resp.Diagnostics
		},
		"ephemeral resource": func(url string) []*tfprotov6.Diagnostic {
			resp, err := server.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{
				TypeName: "sseready_stream_probe", Config: config(schemas.EphemeralResourceSchemas["sseready_stream_probe"], url)})
			if err != nil {
				t.Fatal(err)
			}
			return resp.Diagnostics
		},
	}
	const keyed = "https://apim.example/chat?api-version=1&subscription-key=0f3c9e11"
	for name, v := range validate {
		t.Run(name, func(t *testing.T) {
			if d := v("https://apim.example/chat?api-version=1"); len(d) != 0 {
				t.Errorf("no key: diagnostics %+v", d[0])
			}
			d := v(keyed)
			if name == "ephemeral resource" {
				if len(d) != 0 {
					t.Errorf("the ephemeral resource stores nothing, yet: %+v", d[0])
				}
				return
			}
			if len(d) != 1 || d[0].Severity != tfprotov6.DiagnosticSeverityWarning || d[0].Summary != summaryKeyInURL ||
				d[0].Attribute == nil || d[0].Attribute.String() != `AttributeName("url")` ||
				!strings.HasPrefix(d[0].Detail, `the query parameter "subscription-key" looks like a key: its value is stored in the plan and the state. Give it in query_from_env instead`) {
				t.Fatalf("diagnostics %+v", d)
			}
			if strings.Contains(d[0].Detail, "0f3c9e11") {
				t.Errorf("the warning repeats the key: %q", d[0].Detail)
			}
		})
	}
}
