package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

var (
	_ datasource.DataSource                   = (*apimPolicyCheckDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*apimPolicyCheckDataSource)(nil)
)

func newAPIMPolicyCheckDataSource() datasource.DataSource { return &apimPolicyCheckDataSource{} }

type apimPolicyCheckDataSource struct{}

type apimPolicyCheckModel struct {
	XML      types.String `tfsdk:"xml"`
	Scope    types.String `tfsdk:"scope"`
	Ready    types.Bool   `tfsdk:"ready"`
	Findings types.List   `tfsdk:"findings"`
	FixedXML types.String `tfsdk:"fixed_xml"`
}

func (d *apimPolicyCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_apim_policy_check"
}

func (d *apimPolicyCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks an existing API Management policy document for everything that breaks a Server-Sent " +
			"Events stream, and says how to fix it. `ready` is false when any finding is an error. Use it in a " +
			"`check` block or a `lifecycle.postcondition` to stop a policy that would buffer the stream before it " +
			"is applied. The document is read as APIM reads it (\"rawxml\"): policy expressions may hold unescaped " +
			"`\"`, `<` and `&&`.",
		Attributes: map[string]schema.Attribute{
			"xml": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The policy document: a `<policies>` document, or a policy fragment with a `<fragment>` root.",
			},
			"scope": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the document is attached: `global`, `workspace`, `product`, `api` or `operation`. Defaults to `api`. " +
					"It decides what a `<backend>` that only says `<base />` means: an error at `api` scope, a warning " +
					"to check the parent policy at `operation`, `product` and `workspace` scope.",
				Validators: []validator.String{stringvalidator.OneOf(scopeValues...)},
			},
			"ready": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when no finding is an error.",
			},
			"findings": findingsAttribute(),
			"fixed_xml": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The document with every safe automatic fix applied (`buffer-response=\"false\"` on " +
					"each `forward-request`, an inherited `<backend>` replaced at `api` and `global` scope) and every " +
					"other byte kept. Equal to `xml` when there is nothing to fix.",
			},
		},
	}
}

func (d *apimPolicyCheckDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m apimPolicyCheckModel
	if !getConfig(ctx, req.Config.Get, &m, &resp.Diagnostics) || resp.Diagnostics.HasError() || m.XML.IsUnknown() || m.XML.IsNull() {
		return
	}
	if _, err := apimpolicy.Parse([]byte(m.XML.ValueString())); err != nil {
		addSyntaxError(&resp.Diagnostics, path.Root("xml"), err)
	}
}

func (d *apimPolicyCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m apimPolicyCheckModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	scope, err := apimcheck.ParseScope(m.Scope.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("scope"), "Invalid scope", err.Error())
		return
	}
	src := []byte(m.XML.ValueString())
	opts := apimcheck.Options{Scope: scope}
	res, err := apimcheck.CheckSource(src, opts)
	if err != nil {
		addSyntaxError(&resp.Diagnostics, path.Root("xml"), err)
		return
	}
	fixed, err := apimcheck.Fix(src, opts)
	if err != nil {
		resp.Diagnostics.AddError("sseready could not fix the policy", err.Error())
		return
	}
	m.Ready = types.BoolValue(res.Ready)
	m.Findings = findingsValue(res.Findings)
	m.FixedXML = types.StringValue(string(fixed.Source))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
