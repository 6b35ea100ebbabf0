package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/input"
)

var (
	_ datasource.DataSource                   = (*apimDiagnosticDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*apimDiagnosticDataSource)(nil)
)

func newAPIMDiagnosticDataSource() datasource.DataSource { return &apimDiagnosticDataSource{} }

type apimDiagnosticDataSource struct{}

type apimDiagnosticModel struct {
	Identifier              types.String  `tfsdk:"identifier"`
	SamplingPercentage      types.Float64 `tfsdk:"sampling_percentage"`
	Verbosity               types.String  `tfsdk:"verbosity"`
	AlwaysLogErrors         types.Bool    `tfsdk:"always_log_errors"`
	LogClientIP             types.Bool    `tfsdk:"log_client_ip"`
	HTTPCorrelationProtocol types.String  `tfsdk:"http_correlation_protocol"`
	OperationNameFormat     types.String  `tfsdk:"operation_name_format"`
	HeadersToLog            types.Map     `tfsdk:"headers_to_log"`
	DataMasking             types.Map     `tfsdk:"data_masking"`
	FrontendRequest         types.Object  `tfsdk:"frontend_request"`
	FrontendResponse        types.Object  `tfsdk:"frontend_response"`
	BackendRequest          types.Object  `tfsdk:"backend_request"`
	BackendResponse         types.Object  `tfsdk:"backend_response"`
}

// The object types of azurerm's logging blocks.
var (
	maskingType     = types.ObjectType{AttrTypes: map[string]attr.Type{"mode": types.StringType, "value": types.StringType}}
	dataMaskingType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"headers":      types.ListType{ElemType: maskingType},
		"query_params": types.ListType{ElemType: maskingType},
	}}
	logBlockType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"body_bytes":     types.Int64Type,
		"headers_to_log": types.SetType{ElemType: types.StringType},
		"data_masking":   dataMaskingType,
	}}
)

func (d *apimDiagnosticDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_apim_diagnostic"
}

func (d *apimDiagnosticDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	block := func(name string) schema.ObjectAttribute {
		return schema.ObjectAttribute{
			Computed:       true,
			AttributeTypes: logBlockType.AttrTypes,
			MarkdownDescription: "For the `" + name + "` block: `body_bytes = 0` (written out, because azurerm keeps body logging " +
				"already set when the block is left out), `headers_to_log` and `data_masking` (null when none; write it with a " +
				"`dynamic \"data_masking\"` block).",
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Writes the settings of `azurerm_api_management_api_diagnostic` (or the global " +
			"`azurerm_api_management_diagnostic`) for a Server-Sent Events API: request and response body logging off in " +
			"all four logging blocks, which Microsoft's SSE guidance asks for, and your other choices kept and checked against " +
			"azurerm's ranges. Diagnostics set at the global (All APIs) scope apply to every API: an API-scope diagnostic with " +
			"these settings and the same `identifier` overrides a global one that logs bodies. Event Hubs logging is a policy " +
			"(`log-to-eventhub`), checked by `sseready_apim_policy_check` (rule SSE113).",
		Attributes: map[string]schema.Attribute{
			"identifier": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`applicationinsights` or `azuremonitor`.",
			},
			"sampling_percentage": schema.Float64Attribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Kept as given, 0 to 100; null (azurerm's default) when not given.",
			},
			"verbosity": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Kept as given: `verbose`, `information` or `error`.",
			},
			"always_log_errors": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Kept as given.",
			},
			"log_client_ip": schema.BoolAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Kept as given.",
			},
			"http_correlation_protocol": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Kept as given: `None`, `Legacy` or `W3C`.",
			},
			"operation_name_format": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Kept as given: `Name` or `Url`; `applicationinsights` only.",
			},
			"headers_to_log": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.SetType{ElemType: types.StringType},
				MarkdownDescription: "Headers to log, by block: keys `frontend_request`, `frontend_response`, `backend_request`, `backend_response`. Logging headers does not buffer the stream.",
			},
			"data_masking": schema.MapNestedAttribute{
				Optional: true,
				MarkdownDescription: "Data masking, by block (the same keys), as azurerm's `data_masking` block takes it: `headers` and " +
					"`query_params`, each optional, are lists of masking rules, and every rule needs both `mode` and `value`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"headers":      maskingRules("header"),
					"query_params": maskingRules("query parameter"),
				}},
			},
			"frontend_request":  block("frontend_request"),
			"frontend_response": block("frontend_response"),
			"backend_request":   block("backend_request"),
			"backend_response":  block("backend_response"),
		},
	}
}

// maskingRules is a data_masking list (headers or query_params): optional,
// and each rule with a required mode and value, as in azurerm.
func maskingRules(what string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Optional:            true,
		MarkdownDescription: "Masking rules for " + what + "s; leave it out for none.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"mode":  schema.StringAttribute{Required: true, MarkdownDescription: "`Mask` or `Hide`."},
			"value": schema.StringAttribute{Required: true, MarkdownDescription: "The " + what + "'s name."},
		}},
	}
}

func (d *apimDiagnosticDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m apimDiagnosticModel
	if !getConfig(ctx, req.Config.Get, &m, &resp.Diagnostics) || resp.Diagnostics.HasError() || anyUnknown(m.Identifier, m.SamplingPercentage, m.Verbosity, m.HTTPCorrelationProtocol,
		m.OperationNameFormat, m.HeadersToLog, m.DataMasking) || !m.collectionsUsable(ctx, &resp.Diagnostics) {
		return
	}
	spec := m.spec(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	_, errs := apimdiag.Derive(spec)
	addInputErrors(&resp.Diagnostics, errs)
}

func (d *apimDiagnosticDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m apimDiagnosticModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.collectionsUsable(ctx, &resp.Diagnostics) {
		return
	}
	spec := m.spec(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	s, errs := apimdiag.Derive(spec)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	// The scalar choices are kept as given: Optional+Computed echoes them,
	// and null stays null so azurerm keeps its default.
	m.SamplingPercentage = types.Float64PointerValue(s.SamplingPercentage)
	m.Verbosity = optionalString(s.Verbosity)
	m.AlwaysLogErrors = types.BoolPointerValue(s.AlwaysLogErrors)
	m.LogClientIP = types.BoolPointerValue(s.LogClientIP)
	m.HTTPCorrelationProtocol = optionalString(s.HTTPCorrelationProtocol)
	m.OperationNameFormat = optionalString(s.OperationNameFormat)
	m.FrontendRequest = logBlockValue(s.Blocks["frontend_request"])
	m.FrontendResponse = logBlockValue(s.Blocks["frontend_response"])
	m.BackendRequest = logBlockValue(s.Blocks["backend_request"])
	m.BackendResponse = logBlockValue(s.Blocks["backend_response"])
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// collectionsUsable reports whether headers_to_log and data_masking can
// be converted: all known, no null inside (an error) except a masking
// list left out.
func (m apimDiagnosticModel) collectionsUsable(ctx context.Context, diags *diag.Diagnostics) bool {
	known, errs := elementsUsable(ctx, apimdiag.FieldHeaders, m.HeadersToLog)
	ok := !addInputErrors(diags, errs) && known
	known, errs = maskingUsable(ctx, m.DataMasking)
	return !addInputErrors(diags, errs) && known && ok
}

// maskingUsable is elementsUsable for data_masking, whose headers and
// query_params are optional: only a null mode or value is an error.
func maskingUsable(ctx context.Context, v types.Map) (known bool, errs []*input.Error) {
	tfv, known, errs := lookInside(ctx, apimdiag.FieldDataMasking, v)
	if tfv == nil {
		return known, errs
	}
	var blocks map[string]tftypes.Value
	if err := tfv.As(&blocks); err != nil {
		return false, []*input.Error{input.Errorf(apimdiag.FieldDataMasking, "%v", err)}
	}
	for _, block := range slices.Sorted(maps.Keys(blocks)) {
		var lists map[string]tftypes.Value
		if err := blocks[block].As(&lists); err != nil || blocks[block].IsNull() {
			errs = append(errs, input.Errorf(apimdiag.FieldDataMasking, "%s is null: give its masking rules or leave it out", block))
			continue
		}
		for _, list := range []string{"headers", "query_params"} {
			var rules []tftypes.Value
			if err := lists[list].As(&rules); err != nil {
				continue // null: left out
			}
			for i, r := range rules {
				var fields map[string]tftypes.Value
				if err := r.As(&fields); err != nil || r.IsNull() {
					errs = append(errs, input.Errorf(apimdiag.FieldDataMasking, "%s.%s[%d] is null: give a mode and a value, or leave the rule out", block, list, i))
					continue
				}
				for _, f := range []string{"mode", "value"} {
					if fields[f].IsNull() {
						errs = append(errs, input.Errorf(apimdiag.FieldDataMasking, "%s.%s[%d].%s is null: every masking rule needs a mode and a value", block, list, i, f))
					}
				}
			}
		}
	}
	return true, errs
}

type maskingModel struct {
	Mode  string `tfsdk:"mode"`
	Value string `tfsdk:"value"`
}

type dataMaskingModel struct {
	Headers     []maskingModel `tfsdk:"headers"`
	QueryParams []maskingModel `tfsdk:"query_params"`
}

func (m apimDiagnosticModel) spec(ctx context.Context, diags *diag.Diagnostics) apimdiag.Spec {
	s := apimdiag.Spec{
		Identifier:              m.Identifier.ValueString(),
		SamplingPercentage:      m.SamplingPercentage.ValueFloat64Pointer(),
		Verbosity:               m.Verbosity.ValueString(),
		AlwaysLogErrors:         m.AlwaysLogErrors.ValueBoolPointer(),
		LogClientIP:             m.LogClientIP.ValueBoolPointer(),
		HTTPCorrelationProtocol: m.HTTPCorrelationProtocol.ValueString(),
		OperationNameFormat:     m.OperationNameFormat.ValueString(),
	}
	if !m.HeadersToLog.IsNull() {
		diags.Append(m.HeadersToLog.ElementsAs(ctx, &s.HeadersToLog, false)...)
	}
	if !m.DataMasking.IsNull() {
		var dm map[string]dataMaskingModel
		diags.Append(m.DataMasking.ElementsAs(ctx, &dm, false)...)
		s.DataMasking = map[string]apimdiag.DataMasking{}
		for k, v := range dm {
			s.DataMasking[k] = apimdiag.DataMasking{Headers: maskings(v.Headers), QueryParams: maskings(v.QueryParams)}
		}
	}
	return s
}

func maskings(ms []maskingModel) []apimdiag.Masking {
	out := make([]apimdiag.Masking, len(ms))
	for i, m := range ms {
		out[i] = apimdiag.Masking{Mode: m.Mode, Value: m.Value}
	}
	return out
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func logBlockValue(b apimdiag.Block) types.Object {
	headers := make([]attr.Value, len(b.HeadersToLog))
	for i, h := range b.HeadersToLog {
		headers[i] = types.StringValue(h)
	}
	dm := types.ObjectNull(dataMaskingType.AttrTypes)
	if b.DataMasking != nil {
		list := func(ms []apimdiag.Masking) types.List {
			vals := make([]attr.Value, len(ms))
			for i, m := range ms {
				vals[i] = types.ObjectValueMust(maskingType.AttrTypes, map[string]attr.Value{"mode": types.StringValue(m.Mode), "value": types.StringValue(m.Value)})
			}
			return types.ListValueMust(maskingType, vals)
		}
		dm = types.ObjectValueMust(dataMaskingType.AttrTypes, map[string]attr.Value{
			"headers": list(b.DataMasking.Headers), "query_params": list(b.DataMasking.QueryParams),
		})
	}
	return types.ObjectValueMust(logBlockType.AttrTypes, map[string]attr.Value{
		"body_bytes":     types.Int64Value(b.BodyBytes),
		"headers_to_log": types.SetValueMust(types.StringType, headers),
		"data_masking":   dm,
	})
}
