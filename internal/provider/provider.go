// Package provider is the Terraform glue of sseready: schemas,
// descriptions and conversions around the domain packages, which hold
// every rule and decision.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var (
	_ provider.Provider                       = (*ssereadyProvider)(nil)
	_ provider.ProviderWithFunctions          = (*ssereadyProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*ssereadyProvider)(nil)
)

type ssereadyProvider struct {
	version string
}

// New returns the provider factory for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &ssereadyProvider{version: version}
	}
}

func (p *ssereadyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sseready"
	resp.Version = p.version
}

func (p *ssereadyProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Emits and checks the Azure API Management and Application Gateway settings that " +
			"Server-Sent Events streams need. It calls no Azure API: every data source and function works on " +
			"the values you give it, so it runs in `terraform plan` without credentials.",
	}
}

func (p *ssereadyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *ssereadyProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newStreamCheckResource}
}

func (p *ssereadyProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newStreamProbeEphemeralResource}
}

func (p *ssereadyProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newStreamProbeDataSource,
		newAPIMPolicyDataSource,
		newAPIMPolicyCheckDataSource,
		newStreamProfileDataSource,
		newAppGWSettingsDataSource,
		newAPIMDiagnosticDataSource,
		newChainCheckDataSource,
		newEmulatedStreamDataSource,
	}
}

func (p *ssereadyProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newCheckAPIMPolicyFunction,
		newFixAPIMPolicyFunction,
		newAPIMSKUSupportsSSEFunction,
		newCheckChainFunction,
	}
}
