package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/apimgen"
)

var (
	_ datasource.DataSource                   = (*apimPolicyDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*apimPolicyDataSource)(nil)
)

func newAPIMPolicyDataSource() datasource.DataSource { return &apimPolicyDataSource{} }

type apimPolicyDataSource struct{}

type apimPolicyModel struct {
	Timeout               types.Number `tfsdk:"timeout"`
	FailOnErrorStatusCode types.Bool   `tfsdk:"fail_on_error_status_code"`
	HTTPVersion           types.String `tfsdk:"http_version"`
	IncludeBase           types.Bool   `tfsdk:"include_base"`
	CacheControlNoCache   types.Bool   `tfsdk:"cache_control_no_cache"`
	BackendID             types.String `tfsdk:"backend_id"`
	InboundXML            types.String `tfsdk:"inbound_xml"`
	OutboundXML           types.String `tfsdk:"outbound_xml"`
	OnErrorXML            types.String `tfsdk:"on_error_xml"`
	AcceptedRules         types.Set    `tfsdk:"accepted_rules"`
	Fragments             types.Map    `tfsdk:"fragments"`
	XML                   types.String `tfsdk:"xml"`
	Findings              types.List   `tfsdk:"findings"`
}

func (d *apimPolicyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_apim_policy"
}

func (d *apimPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders a complete API Management policy document for an API or operation that serves " +
			"Server-Sent Events: `forward-request` with `buffer-response=\"false\"`, plus your own policies, checked " +
			"with the same rules as `sseready_apim_policy_check`. With no arguments it renders Microsoft's recommended " +
			"SSE policy. Put `xml` in `azurerm_api_management_api_policy.xml_content` (or the operation, product " +
			"or global policy resources).",
		Attributes: map[string]schema.Attribute{
			// A number, not an Int64: the framework answers 1.5 for an Int64
			// with an error that blames the provider; this says what to do.
			"timeout": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("`forward-request` timeout in seconds: how long APIM waits for the backend's "+
					"response headers (not for the stream to end). 0 to 240; APIM may not honor more (rule `SSE104`). "+
					"Defaults to %d, as in Microsoft's SSE example.", apimgen.DefaultTimeout),
			},
			"fail_on_error_status_code": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`forward-request` `fail-on-error-status-code`: send 4xx and 5xx backend answers to `<on-error>`. Defaults to `true`, as in Microsoft's SSE example.",
			},
			"http_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`forward-request` `http-version`: `1`, `2` or `2or1`. Left out by default, which means HTTP/1.1.",
			},
			"include_base": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Start `<inbound>`, `<outbound>` and `<on-error>` with `<base />`, so the parent scope's policies run. Defaults to `true`.",
			},
			"cache_control_no_cache": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Make `<outbound>` set `Cache-Control: no-cache` on the response, so that CDNs and other intermediaries do not cache the stream. Defaults to `false`.",
			},
			"backend_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Route to this APIM backend (`azurerm_api_management_backend.name`) with `<set-backend-service backend-id=\"...\" />` at the end of `<inbound>`, after your `inbound_xml`, so an expression can read the variables your policies set. Escaped for XML; a value starting with `@(` or `@{` is a policy expression and must be a valid one.",
			},
			"inbound_xml": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Your policies for `<inbound>`, as XML (policy expressions may hold unescaped `\"`, `<` and `&&`, as APIM allows). Placed after `<base />` as written, re-indented to the document's level (only the whitespace between tags moves: text, expressions and CDATA keep every byte). Checked with the SSE rules.",
			},
			"outbound_xml": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Your policies for `<outbound>`. A policy that buffers the response here (such as `validate-content`, `set-body`, or a read of `context.Response.Body`) is an error naming its rule, unless you list that rule in `accepted_rules`.",
			},
			"on_error_xml": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Your policies for `<on-error>`, checked with the SSE rules that apply there: reads of `context.Response.Body`, Event Hubs body logging, response caching, broken policy expressions.",
			},
			"accepted_rules": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: acceptedRulesDescription + " An error in your policies that is not accepted fails the plan, naming the rule.",
			},
			"fragments": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: fragmentsDescription,
			},
			"xml": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The policy document, for `xml_content`.",
			},
			"findings": findingsAttribute(),
		},
	}
}

// ValidateConfig renders the policy from the values known at validate
// time, so mistakes show in `terraform validate`. Unknown values are left
// to Read.
func (d *apimPolicyDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m apimPolicyModel
	if !getConfig(ctx, req.Config.Get, &m, &resp.Diagnostics) || resp.Diagnostics.HasError() {
		return
	}
	spec, known := m.spec(ctx, &resp.Diagnostics)
	if !known || resp.Diagnostics.HasError() {
		return
	}
	_, errs := apimgen.Render(spec)
	addInputErrors(&resp.Diagnostics, errs)
}

func (d *apimPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m apimPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, _ := m.spec(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	res, errs := apimgen.Render(spec)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	m.XML = types.StringValue(res.XML)
	m.Findings = findingsValue(res.Findings)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// spec converts the model; known is false when some input is unknown.
func (m apimPolicyModel) spec(ctx context.Context, diags *diag.Diagnostics) (apimgen.Spec, bool) {
	var s apimgen.Spec
	known := !anyUnknown(m.Timeout, m.FailOnErrorStatusCode, m.HTTPVersion, m.IncludeBase,
		m.CacheControlNoCache, m.BackendID, m.InboundXML, m.OutboundXML, m.OnErrorXML, m.AcceptedRules, m.Fragments)
	if f := m.Timeout.ValueBigFloat(); f != nil {
		n, acc := f.Int64()
		if acc != big.Exact {
			diags.AddAttributeError(path.Root("timeout"), "Invalid timeout",
				fmt.Sprintf("%s is not a whole number of seconds: write one such as 120", f.Text('g', -1)))
		}
		s.Timeout = &n
	}
	s.FailOnErrorStatusCode = m.FailOnErrorStatusCode.ValueBoolPointer()
	s.IncludeBase = m.IncludeBase.ValueBoolPointer()
	s.HTTPVersion = m.HTTPVersion.ValueString()
	s.CacheControlNoCache = m.CacheControlNoCache.ValueBool()
	s.BackendID = m.BackendID.ValueString()
	s.Inbound = m.InboundXML.ValueString()
	s.Outbound = m.OutboundXML.ValueString()
	s.OnError = m.OnErrorXML.ValueString()
	if !m.AcceptedRules.IsNull() && !m.AcceptedRules.IsUnknown() {
		// A known set can still hold unknown elements (a variable during
		// validate) or nulls, which ElementsAs cannot convert.
		for _, v := range m.AcceptedRules.Elements() {
			switch {
			case v.IsUnknown():
				return s, false
			case v.IsNull():
				diags.AddAttributeError(path.Root("accepted_rules"), "Invalid accepted_rules", "accepted_rules holds a null; list rule IDs such as \"SSE110\".")
				return s, false
			}
		}
		diags.Append(m.AcceptedRules.ElementsAs(ctx, &s.AcceptedRules, false)...)
	}
	fk, errs := elementsUsable(ctx, "fragments", m.Fragments)
	if addInputErrors(diags, errs) || !fk {
		return s, false
	}
	if !m.Fragments.IsNull() {
		diags.Append(m.Fragments.ElementsAs(ctx, &s.Fragments, false)...)
	}
	return s, known
}
