package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

var (
	_ datasource.DataSource                   = (*chainCheckDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*chainCheckDataSource)(nil)
)

func newChainCheckDataSource() datasource.DataSource { return &chainCheckDataSource{} }

type chainCheckDataSource struct{}

func (d *chainCheckDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_chain_check"
}

func (d *chainCheckDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := chainAttributes()
	attrs["ready"] = schema.BoolAttribute{
		Computed:            true,
		MarkdownDescription: "True when no finding is an error.",
	}
	attrs["findings"] = findingsAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks the settings you actually have along a stream's whole path (Front Door, Application " +
			"Gateway, App Gateway for Containers, API Management and the backend), as you reference them from your azurerm " +
			"resources, and returns `ready` and the findings that would break the stream: each names the hop, the setting " +
			"(`element`) and the fix. Leave out the hops the stream does not cross. A configuration value that is unknown at " +
			"plan time defers the check to apply (`ready` and `findings` are unknown until then); `provider::sseready::check_chain` " +
			"also lists the settings not known yet.",
		Attributes: attrs,
	}
}

// chainAttributes are the chain's settings, hop by hop, as
// sseready_chain_check and sseready_emulated_stream both take them
// (chaincheck.Decode reads them).
func chainAttributes() map[string]schema.Attribute {
	logBlock := func(name string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "The `" + name + "` block, as the diagnostic has it; leave it out when the resource does (that is a finding: azurerm then keeps body logging already set).",
			Attributes: map[string]schema.Attribute{
				"body_bytes":     schema.NumberAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("0 to %d; above 0 logs bodies, which buffers the stream.", apimdiag.MaxBodyBytes)},
				"headers_to_log": schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Accepted for convenience; headers do not affect streaming."},
			},
		}
	}
	return map[string]schema.Attribute{
		"front_door": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "Azure Front Door in front of the stream.",
			Attributes: map[string]schema.Attribute{
				"response_timeout_seconds": schema.NumberAttribute{Optional: true, MarkdownDescription: "`azurerm_cdn_frontdoor_profile.response_timeout_seconds`, 16 to 240."},
			},
		},
		"app_gateway": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "Application Gateway, from `azurerm_application_gateway`.",
			Attributes: map[string]schema.Attribute{
				"sku_name": schema.StringAttribute{Required: true, MarkdownDescription: "`sku[0].name`: `Basic`, `Standard_v2` or `WAF_v2`."},
				"global": schema.SingleNestedAttribute{
					Optional:            true,
					MarkdownDescription: "The `global` block; null when the gateway has none (then it buffers responses, its default).",
					Attributes: map[string]schema.Attribute{
						"request_buffering_enabled":  schema.BoolAttribute{Required: true, MarkdownDescription: "`global[0].request_buffering_enabled`."},
						"response_buffering_enabled": schema.BoolAttribute{Required: true, MarkdownDescription: "`global[0].response_buffering_enabled`; must be false."},
					},
				},
				"request_timeout":        schema.NumberAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("The stream's `backend_http_settings` `request_timeout`, %d to %d; null means azurerm's default of %d.", streamprofile.AppGWMinTimeout, streamprofile.AppGWMaxTimeout, streamprofile.AppGWDefaultTimeout)},
				"waf_request_body_check": schema.BoolAttribute{Optional: true, MarkdownDescription: "`waf_configuration[0].request_body_check`."},
				"agic_request_timeout": schema.NumberAttribute{Optional: true, MarkdownDescription: "With the Application Gateway Ingress Controller: the stream's ingress annotation " +
					"`appgw.ingress.kubernetes.io/request-timeout`, in seconds. It sets the backend's request timeout and overrides `request_timeout` (AGIC's default is 30)."},
			},
		},
		"app_gateway_for_containers": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "Application Gateway for Containers (idle timeout 5 minutes).",
			Attributes: map[string]schema.Attribute{
				"route_timeout":           schema.StringAttribute{Optional: true, MarkdownDescription: "The RoutePolicy's `routeTimeout`, such as `\"0s\"` (what SSE needs)."},
				"request_timeout":         schema.StringAttribute{Optional: true, MarkdownDescription: "The HTTPRoute's `timeouts.request`; with `backend_request_timeout` it takes precedence over the RoutePolicy. `\"0s\"` for SSE."},
				"backend_request_timeout": schema.StringAttribute{Optional: true, MarkdownDescription: "The HTTPRoute's `timeouts.backendRequest`. `\"0s\"` for SSE."},
			},
		},
		"load_balancer": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "An Azure Load Balancer rule of yours on the path (API Management's own is part of `apim`).",
			Attributes: map[string]schema.Attribute{
				"idle_timeout_in_minutes": schema.NumberAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("`azurerm_lb_rule.idle_timeout_in_minutes`, %d to %d; null means the default, %d.", int64(streamprofile.LoadBalancerMinIdle/time.Minute), int64(streamprofile.LoadBalancerMaxIdle/time.Minute), int64(streamprofile.LoadBalancerIdle/time.Minute))},
				"tcp_reset_enabled":       schema.BoolAttribute{Optional: true, MarkdownDescription: "`azurerm_lb_rule.tcp_reset_enabled`: a reset instead of a silent drop when the idle timeout cuts."},
			},
		},
		"container_apps": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "Azure Container Apps ingress in front of the backend.",
			Attributes: map[string]schema.Attribute{
				"request_idle_timeout_in_minutes": schema.NumberAttribute{Optional: true, MarkdownDescription: fmt.Sprintf("The environment's ingress request idle timeout, %d to %d minutes; null means the default, %d.", int64(streamprofile.ContainerAppsMinIdle/time.Minute), int64(streamprofile.ContainerAppsMaxIdle/time.Minute), int64(streamprofile.ContainerAppsIdle/time.Minute))},
			},
		},
		"app_service": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "An App Service app serves the stream: its front end closes a request with no response bytes for " + streamprofile.AppServiceIdle.String() + ". Give `{}`.",
			Attributes:          map[string]schema.Attribute{},
		},
		"azure_openai": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "The Azure OpenAI deployment the backend streams from.",
			Attributes: map[string]schema.Attribute{
				"content_filter_mode": schema.StringAttribute{Optional: true, MarkdownDescription: "`azurerm_cognitive_account_rai_policy.mode`: `Default`, `Deferred`, `Blocking` or `Asynchronous_filter` (the only one that streams at once); null means the default mode."},
			},
		},
		"apim": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "API Management (which brings Azure Load Balancer's 4-minute idle cut).",
			Attributes: map[string]schema.Attribute{
				"sku_name": schema.StringAttribute{Optional: true, MarkdownDescription: "`azurerm_api_management.sku_name`."},
				"policies": schema.ListNestedAttribute{
					Optional:            true,
					MarkdownDescription: "The policies on the stream's path, one per scope. They are composed as APIM runs them (and as `sseready prove` runs them): each `<base />` takes the section of the scope above, and above the highest scope given stands APIM's global default `<forward-request/>`, which buffers. So an operation-scope `<backend><base /></backend>` is settled by a streaming API-scope policy in the same list, and is an error with nothing above it.",
					NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
						"scope": schema.StringAttribute{Optional: true, MarkdownDescription: "`global`, `workspace`, `product`, `api` (the default) or `operation`."},
						"xml":   schema.StringAttribute{Required: true, MarkdownDescription: "The policy's `xml_content`."},
					}},
				},
				"fragments": schema.MapAttribute{
					Optional:            true,
					ElementType:         types.StringType,
					MarkdownDescription: fragmentsDescription,
				},
				"diagnostics": schema.ListNestedAttribute{
					Optional:            true,
					MarkdownDescription: "The diagnostics that apply to the API: API-scope ones and the global (All APIs) ones.",
					NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
						"scope":             schema.StringAttribute{Optional: true, MarkdownDescription: "`api` (`azurerm_api_management_api_diagnostic`, the default) or `global` (`azurerm_api_management_diagnostic`)."},
						"identifier":        schema.StringAttribute{Required: true, MarkdownDescription: "`applicationinsights` or `azuremonitor`."},
						"frontend_request":  logBlock("frontend_request"),
						"frontend_response": logBlock("frontend_response"),
						"backend_request":   logBlock("backend_request"),
						"backend_response":  logBlock("backend_response"),
					}},
				},
			},
		},
		"backend": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "How the backend streams.",
			Attributes: map[string]schema.Attribute{
				"max_event_gap":       schema.StringAttribute{Optional: true, MarkdownDescription: streamprofile.MaxEventGapMeaning + " " + durationSyntax},
				"heartbeat_interval":  schema.StringAttribute{Optional: true, MarkdownDescription: "How often the backend sends a comment heartbeat, if it does. " + durationSyntax},
				"max_time_to_headers": schema.StringAttribute{Optional: true, MarkdownDescription: "The longest wait for the response headers. " + durationSyntax},
				"tcp_keepalive":       schema.BoolAttribute{Optional: true, MarkdownDescription: "True when the backend uses TCP keepalive."},
				"response_headers":    schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "The headers the backend sends."},
			},
		},
	}
}

func (d *chainCheckDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	chain, errs := chainFromValue(req.Config.Raw, chaincheck.ResultKeys...)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	_, errs = chaincheck.Check(chain)
	addInputErrors(&resp.Diagnostics, errs)
}

func (d *chainCheckDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	chain, errs := chainFromValue(req.Config.Raw, chaincheck.ResultKeys...)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	res, errs := chaincheck.Check(chain)
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	resp.State.Raw = req.Config.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ready"), types.BoolValue(res.Ready))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("findings"), findingsValue(res.Findings))...)
}
