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
	XML           types.String `tfsdk:"xml"`
	Scope         types.String `tfsdk:"scope"`
	Fragments     types.Map    `tfsdk:"fragments"`
	AcceptedRules types.Set    `tfsdk:"accepted_rules"`
	Ready         types.Bool   `tfsdk:"ready"`
	Findings      types.List   `tfsdk:"findings"`
	FixedXML      types.String `tfsdk:"fixed_xml"`
	FixedReady    types.Bool   `tfsdk:"fixed_ready"`
	FixedFindings types.List   `tfsdk:"fixed_findings"`
}

func (d *apimPolicyCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_apim_policy_check"
}

func (d *apimPolicyCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks an existing API Management policy document for everything that breaks a Server-Sent " +
			"Events stream, and says how to fix it. `ready` is false when any finding is an error. To stop an apply, " +
			"use a `lifecycle.precondition` or `postcondition` on the policy resource (a `check` block only warns). " +
			"If you deploy `fixed_xml`, gate on `fixed_ready`, which is the check of the document you deploy. The " +
			"document is read as APIM reads it (\"rawxml\"): policy expressions may hold unescaped `\"`, `<` and `&&`. " +
			"The stream flag is evaluated as APIM would (`set-variable` values and `<when>` conditions, expressions and " +
			"`@{ }` blocks): findings that no request asking for a stream reaches (`<when condition=\"@(!isStream)\">`) " +
			"are info, and a comparison on the flag that never tells streams apart is `SSE153`.",
		Attributes: map[string]schema.Attribute{
			"xml": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The policy document: a `<policies>` document, or a policy fragment with a `<fragment>` root. " +
					"Policies with no root at all (a snippet) are checked as a fragment, with a warning (`SSE131`).",
			},
			"scope": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Where the document is attached: `global`, `workspace`, `product`, `api` or `operation`. Defaults to `api`. " +
					"It decides what a `<backend>` that only says `<base />` means: an error at `api` scope, a warning " +
					"to check the parent policy at `operation`, `product` and `workspace` scope.",
				Validators: []validator.String{stringvalidator.OneOf(scopeValues...)},
			},
			"fragments": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: fragmentsDescription,
			},
			"accepted_rules": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: acceptedRulesDescription,
			},
			"ready": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when no finding of `xml` is an error.",
			},
			"findings": findingsAttribute(),
			"fixed_xml": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The document with every safe automatic fix applied (`buffer-response=\"false\"` on " +
					"each `forward-request`, an inherited `<backend>` replaced at `api` and `global` scope) and every " +
					"other byte kept. Equal to `xml` when there is nothing to fix. Accepted findings, findings in " +
					"branches only non-streaming requests take, and findings inside fragments are not fixed.",
			},
			"fixed_ready": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when no finding of `fixed_xml` is an error: gate on this when you deploy `fixed_xml`.",
			},
			"fixed_findings": schema.ListAttribute{
				Computed:            true,
				ElementType:         findingType,
				MarkdownDescription: "The findings of `fixed_xml`: what the automatic fixes leave for you. " + findingsDescription,
			},
		},
	}
}

func (d *apimPolicyCheckDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m apimPolicyCheckModel
	if !getConfig(ctx, req.Config.Get, &m, &resp.Diagnostics) || resp.Diagnostics.HasError() {
		return
	}
	policyOptions(ctx, apimcheck.API, m.Fragments, m.AcceptedRules, &resp.Diagnostics)
	if m.XML.IsUnknown() || m.XML.IsNull() {
		return
	}
	if _, err := apimpolicy.ParseLoose([]byte(m.XML.ValueString())); err != nil {
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
	opts := policyOptions(ctx, scope, m.Fragments, m.AcceptedRules, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	src := []byte(m.XML.ValueString())
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
	m.FixedReady = types.BoolValue(fixed.Remaining.Ready)
	m.FixedFindings = findingsValue(fixed.Remaining.Findings)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
