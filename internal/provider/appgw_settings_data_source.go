package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/appgw"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

var (
	_ datasource.DataSource                   = (*appgwSettingsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*appgwSettingsDataSource)(nil)
)

func newAppGWSettingsDataSource() datasource.DataSource { return &appgwSettingsDataSource{} }

type appgwSettingsDataSource struct{}

type appgwSettingsModel struct {
	SKUName                  types.String `tfsdk:"sku_name"`
	MaxEventGap              types.String `tfsdk:"max_event_gap"`
	HeartbeatInterval        types.String `tfsdk:"heartbeat_interval"`
	MaxTimeToHeaders         types.String `tfsdk:"max_time_to_headers"`
	WAFBodyInspection        types.Bool   `tfsdk:"waf_body_inspection"`
	RequestBuffering         types.Bool   `tfsdk:"request_buffering"`
	ResponseBufferingEnabled types.Bool   `tfsdk:"response_buffering_enabled"`
	RequestBufferingEnabled  types.Bool   `tfsdk:"request_buffering_enabled"`
	RequestTimeout           types.Int64  `tfsdk:"request_timeout"`
	BackendResponseHeaders   types.Map    `tfsdk:"backend_response_headers"`
	Findings                 types.List   `tfsdk:"findings"`
}

func (d *appgwSettingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_appgw_settings"
}

func (d *appgwSettingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Computes the Application Gateway settings a Server-Sent Events stream needs, named as " +
			"`azurerm_application_gateway` takes them: the `global` block's `response_buffering_enabled` (always `false`) " +
			"and `request_buffering_enabled`, and `backend_http_settings.request_timeout`, which must exceed the longest " +
			"silence between events.",
		Attributes: map[string]schema.Attribute{
			"sku_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The gateway's `sku.name`: `Basic`, `Standard_v2` or `WAF_v2`.",
			},
			"max_event_gap": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: streamprofile.MaxEventGapMeaning + " " + durationSyntax,
			},
			"heartbeat_interval": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How often the backend sends a comment heartbeat when no event goes out, if it does. At most `max_event_gap`. " + durationSyntax,
			},
			"max_time_to_headers": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The longest the backend takes to send its response headers: the gateway waits through that silence too, so `request_timeout` covers it. " + durationSyntax,
			},
			"waf_body_inspection": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "True when the WAF inspects request bodies (`waf_configuration.request_body_check`). On `WAF_v2` that keeps request buffering on. Defaults to `false`.",
			},
			"request_buffering": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Your choice for request buffering, passed to `request_buffering_enabled` unless `WAF_v2` body inspection forces it on (with a warning finding). Defaults to `true`, the gateway's own default; requests do not affect the stream.",
			},
			"response_buffering_enabled": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "For `global.response_buffering_enabled`: always `false`, so the gateway streams responses.",
			},
			"request_buffering_enabled": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "For `global.request_buffering_enabled` (the `global` block needs both).",
			},
			"request_timeout": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: fmt.Sprintf("For `backend_http_settings.request_timeout`, in seconds: a third above the longest silence, at least %d (azurerm's default), at most %d.", streamprofile.AppGWDefaultTimeout, streamprofile.AppGWMaxTimeout),
			},
			"backend_response_headers": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The headers the backend should send: the gateway does not need them, clients and other intermediaries do.",
			},
			"findings": findingsAttribute(),
		},
	}
}

func (d *appgwSettingsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m appgwSettingsModel
	if !getConfig(ctx, req.Config.Get, &m, &resp.Diagnostics) || resp.Diagnostics.HasError() {
		return
	}
	spec, errs := m.spec()
	if addInputErrors(&resp.Diagnostics, errs) || anyUnknown(m.SKUName, m.MaxEventGap, m.HeartbeatInterval, m.MaxTimeToHeaders, m.WAFBodyInspection, m.RequestBuffering) {
		return
	}
	_, errs = appgw.Derive(spec)
	addInputErrors(&resp.Diagnostics, errs)
}

func (d *appgwSettingsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m appgwSettingsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, errs := m.spec()
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	s, errs := appgw.Derive(spec)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	m.ResponseBufferingEnabled = types.BoolValue(s.ResponseBufferingEnabled)
	m.RequestBufferingEnabled = types.BoolValue(s.RequestBufferingEnabled)
	m.RequestTimeout = types.Int64Value(s.RequestTimeout)
	m.BackendResponseHeaders = stringMap(s.BackendResponseHeaders)
	m.Findings = findingsValue(s.Findings)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (m appgwSettingsModel) spec() (appgw.Spec, []*input.Error) {
	var errs []*input.Error
	gap, err := durationValue(appgw.FieldMaxEventGap, m.MaxEventGap)
	if err != nil {
		errs = append(errs, err)
	}
	hb, err := durationValue(appgw.FieldHeartbeat, m.HeartbeatInterval)
	if err != nil {
		errs = append(errs, err)
	}
	ttfb, err := durationValue(appgw.FieldTTFB, m.MaxTimeToHeaders)
	if err != nil {
		errs = append(errs, err)
	}
	return appgw.Spec{
		SKUName:           m.SKUName.ValueString(),
		MaxEventGap:       gap,
		HeartbeatInterval: hb,
		MaxTimeToHeaders:  ttfb,
		WAFBodyInspection: m.WAFBodyInspection.ValueBool(),
		RequestBuffering:  m.RequestBuffering.ValueBoolPointer(),
	}, errs
}
