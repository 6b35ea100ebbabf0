package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

var (
	_ datasource.DataSource                   = (*streamProfileDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*streamProfileDataSource)(nil)
)

func newStreamProfileDataSource() datasource.DataSource { return &streamProfileDataSource{} }

type streamProfileDataSource struct{}

type streamProfileModel struct {
	MaxEventGap              types.String `tfsdk:"max_event_gap"`
	HeartbeatInterval        types.String `tfsdk:"heartbeat_interval"`
	MaxTimeToHeaders         types.String `tfsdk:"max_time_to_headers"`
	TCPKeepalive             types.Bool   `tfsdk:"tcp_keepalive"`
	Hops                     types.List   `tfsdk:"hops"`
	LoadBalancerIdle         types.String `tfsdk:"load_balancer_idle_timeout"`
	ContainerAppsIdle        types.String `tfsdk:"container_apps_idle_timeout"`
	RequiredHeartbeat        types.String `tfsdk:"required_heartbeat_interval"`
	WireSilence              types.String `tfsdk:"wire_silence"`
	AppGWRequestTimeout      types.Int64  `tfsdk:"appgw_request_timeout"`
	APIMForwardTimeout       types.Int64  `tfsdk:"apim_forward_request_timeout"`
	FrontDoorResponseTimeout types.Int64  `tfsdk:"front_door_origin_response_timeout"`
	BackendResponseHeaders   types.Map    `tfsdk:"backend_response_headers"`
	HeartbeatLine            types.String `tfsdk:"heartbeat_line"`
	Ready                    types.Bool   `tfsdk:"ready"`
	Findings                 types.List   `tfsdk:"findings"`
}

const durationSyntax = "A duration in Go's syntax, such as `\"90s\"`, `\"4m\"` or `\"1h30m\"`."

func (d *streamProfileDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_stream_profile"
}

func (d *streamProfileDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Computes the timeout budget of a Server-Sent Events stream along its path: the heartbeat " +
			"interval every hop needs, the Application Gateway, API Management and Front Door timeouts to set, and the " +
			"headers the backend must send. Every hop cuts a connection that stays silent too long; a comment heartbeat " +
			"(`: heartbeat`) resets every hop's clock, TCP keepalive only Azure Load Balancer's. sseready keeps each clock " +
			"a third above the longest silence (the silence uses at most 75% of a limit). See the guide " +
			"[Timeouts along the chain](../guides/timeouts-along-the-chain.md).",
		Attributes: map[string]schema.Attribute{
			"max_event_gap": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: streamprofile.MaxEventGapMeaning + " " + durationSyntax,
			},
			"heartbeat_interval": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How often the backend sends a comment line (`: heartbeat`) when no event goes out, if it does. At most `max_event_gap`. " + durationSyntax,
			},
			"max_time_to_headers": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The longest the backend takes to send its response headers. Sets `apim_forward_request_timeout` " +
					"(forward-request waits for the headers, at most 240 s) and counts as a silence for the other timeouts. " + durationSyntax,
			},
			"tcp_keepalive": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "True when the backend keeps connections alive with TCP keepalive, which resets Azure Load Balancer's idle clock (not the other hops'). Defaults to `false`.",
			},
			"hops": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The gateways the stream crosses: `front_door`, `app_gateway`, `app_gateway_for_containers`, " +
					"`apim` (which brings Azure Load Balancer's 4-minute idle cut), `load_balancer` (a load balancer rule of your own, " +
					"4 minutes unless `load_balancer_idle_timeout` says otherwise), `container_apps` (the ingress's request idle timeout, " +
					streamprofile.ContainerAppsIdle.String() + " unless `container_apps_idle_timeout` says otherwise) and `app_service` " +
					"(its front end closes a request with no response bytes for " + streamprofile.AppServiceIdle.String() + "). " +
					"Defaults to `[\"apim\"]`; `[]` means no gateway.",
			},
			"load_balancer_idle_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The idle timeout of the `load_balancer` hop's rule (`azurerm_lb_rule.idle_timeout_in_minutes`), %s to %s. ",
					streamprofile.LoadBalancerMinIdle, streamprofile.LoadBalancerMaxIdle) + durationSyntax,
			},
			"container_apps_idle_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The request idle timeout of the `container_apps` hop's ingress, %s to %s. ",
					streamprofile.ContainerAppsMinIdle, streamprofile.ContainerAppsMaxIdle) + durationSyntax,
			},
			"required_heartbeat_interval": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The longest interval between bytes (events or heartbeats) that keeps every hop's clock within its headroom, as a Go duration: " +
					"three quarters of the tightest clock on the path, of Azure Load Balancer's " + streamprofile.LoadBalancerIdle.String() + " idle cut (unless `tcp_keepalive`), " +
					"App Gateway for Containers' " + streamprofile.AGCIdle.String() + " idle timeout, and the `" + streamprofile.OutputAppGWRequestTimeout + "` and `" +
					streamprofile.OutputFrontDoorTimeout + "` output here; whole seconds above one second. Those timeouts follow the stream's own silence, so " +
					"behind App Gateway or Front Door it comes out close to that silence. Null when no hop has a clock.",
			},
			"wire_silence": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The longest time without a byte on the wire: `heartbeat_interval` if set, else `max_event_gap`.",
			},
			"appgw_request_timeout": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: fmt.Sprintf("For `azurerm_application_gateway.backend_http_settings.request_timeout`, in seconds: a third above the longest silence (headers included), at least azurerm's default of %d, at most %d.", streamprofile.AppGWDefaultTimeout, streamprofile.AppGWMaxTimeout),
			},
			"apim_forward_request_timeout": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "For the `forward-request` timeout (`sseready_apim_policy.timeout`), in seconds: a third above `max_time_to_headers`, at most 240; 120 (Microsoft's SSE example) when that is not given.",
			},
			"front_door_origin_response_timeout": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "For `azurerm_cdn_frontdoor_profile.response_timeout_seconds` (16 to 240), when `front_door` is a hop; null otherwise. sseready assumes Front Door counts this timeout between bytes (rule SSE404).",
			},
			"backend_response_headers": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The headers the backend must send: `Content-Type: text/event-stream`, `Cache-Control: no-cache`, `Connection: keep-alive`, `X-Accel-Buffering: no`. (`Transfer-Encoding: chunked` comes by itself from an HTTP/1.1 server when the response has no `Content-Length`.)",
			},
			"heartbeat_line": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "A heartbeat as the backend writes it: an SSE comment line and a blank line, which clients ignore.",
			},
			"ready": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when no finding is an error: the stream survives every hop.",
			},
			"findings": findingsAttribute(),
		},
	}
}

func (d *streamProfileDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m streamProfileModel
	if !getConfig(ctx, req.Config.Get, &m, &resp.Diagnostics) || resp.Diagnostics.HasError() {
		return
	}
	p, known, errs := m.profile(ctx, &resp.Diagnostics)
	if addInputErrors(&resp.Diagnostics, errs) || !known {
		return
	}
	addInputErrors(&resp.Diagnostics, p.Validate())
}

func (d *streamProfileDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m streamProfileModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, _, errs := m.profile(ctx, &resp.Diagnostics)
	if addInputErrors(&resp.Diagnostics, errs) || resp.Diagnostics.HasError() {
		return
	}
	b, errs := streamprofile.Plan(p)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	m.RequiredHeartbeat = durationOrNull(b.RequiredHeartbeatInterval)
	m.WireSilence = types.StringValue(b.WireSilence.String())
	m.AppGWRequestTimeout = types.Int64Value(b.AppGWRequestTimeout)
	m.APIMForwardTimeout = types.Int64Value(b.APIMForwardRequestTimeout)
	m.FrontDoorResponseTimeout = types.Int64Null()
	if b.FrontDoorOriginResponseTimeout > 0 {
		m.FrontDoorResponseTimeout = types.Int64Value(b.FrontDoorOriginResponseTimeout)
	}
	m.BackendResponseHeaders = stringMap(streamprofile.BackendResponseHeaders())
	m.HeartbeatLine = types.StringValue(streamprofile.HeartbeatLine)
	m.Ready = types.BoolValue(b.Ready)
	m.Findings = findingsValue(b.Findings)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// profile converts the model; known is false when an input is unknown.
func (m streamProfileModel) profile(ctx context.Context, diags *diag.Diagnostics) (streamprofile.Profile, bool, []*input.Error) {
	var p streamprofile.Profile
	var errs []*input.Error
	known := !anyUnknown(m.MaxEventGap, m.HeartbeatInterval, m.MaxTimeToHeaders, m.TCPKeepalive, m.Hops, m.LoadBalancerIdle, m.ContainerAppsIdle)
	for _, d := range []struct {
		field string
		v     types.String
		to    *time.Duration
	}{
		{streamprofile.FieldMaxEventGap, m.MaxEventGap, &p.MaxEventGap},
		{streamprofile.FieldHeartbeat, m.HeartbeatInterval, &p.HeartbeatInterval},
		{streamprofile.FieldMaxTimeToHeaders, m.MaxTimeToHeaders, &p.MaxTimeToHeaders},
		{streamprofile.FieldLoadBalancerIdle, m.LoadBalancerIdle, &p.LoadBalancerIdle},
		{streamprofile.FieldContainerApps, m.ContainerAppsIdle, &p.ContainerAppsIdle},
	} {
		v, err := durationValue(d.field, d.v)
		if err != nil {
			errs = append(errs, err)
		}
		*d.to = v
	}
	p.TCPKeepalive = m.TCPKeepalive.ValueBool()
	hopsKnown, herrs := elementsUsable(ctx, streamprofile.FieldHops, m.Hops)
	errs = append(errs, herrs...)
	known = known && hopsKnown
	if hopsKnown && len(herrs) == 0 && !m.Hops.IsNull() {
		var hops []string
		diags.Append(m.Hops.ElementsAs(ctx, &hops, false)...)
		p.Hops = []streamprofile.Hop{}
		for _, h := range hops {
			p.Hops = append(p.Hops, streamprofile.Hop(h))
		}
	}
	return p, known, errs
}

// durationValue reads an optional duration attribute: null or unknown
// is 0.
func durationValue(field string, v types.String) (time.Duration, *input.Error) {
	if v.IsNull() || v.IsUnknown() {
		return 0, nil
	}
	return input.Duration(field, v.ValueString())
}

func durationOrNull(d time.Duration) types.String {
	if d == 0 {
		return types.StringNull()
	}
	return types.StringValue(d.String())
}

func stringMap(m map[string]string) types.Map {
	return types.MapValueMust(types.StringType, func() map[string]attr.Value {
		out := make(map[string]attr.Value, len(m))
		for k, v := range m {
			out[k] = types.StringValue(v)
		}
		return out
	}())
}

// anyUnknown reports whether any of the values is unknown.
func anyUnknown(values ...interface{ IsUnknown() bool }) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}
