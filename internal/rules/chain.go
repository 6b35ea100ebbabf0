package rules

// Hops other than APIM, as findings name them.
const (
	HopLoadBalancer            = "load_balancer"
	HopAppGateway              = "app_gateway"
	HopAppGatewayForContainers = "app_gateway_for_containers"
	HopFrontDoor               = "front_door"
	HopBackend                 = "backend"
	HopContainerApps           = "container_apps"
	HopAppService              = "app_service"
	HopAzureOpenAI             = "azure_openai"
)

// Rule IDs of the chain. SSE2xx: APIM tier and diagnostics; SSE3xx:
// Application Gateway; SSE4xx: the stream's clocks and the backend.
const (
	ConsumptionTier       = "SSE201"
	DiagnosticBodyLogging = "SSE202"
	DiagnosticBlockLeft   = "SSE203"
	GlobalDiagnostic      = "SSE204"

	AppGWResponseBuffering = "SSE301"
	AppGWRequestTimeout    = "SSE302"
	AppGWWAFBuffersRequest = "SSE303"
	AppGWBasicSKU          = "SSE304"

	ValueUnknown        = "SSE400"
	IdleCut             = "SSE401"
	BackendHeaders      = "SSE402"
	AGCRouteTimeout     = "SSE403"
	FrontDoorTimeout    = "SSE404"
	APIMHeadersTimeout  = "SSE405"
	OpenAIContentFilter = "SSE406"
)

const (
	learnAppGWSSE     = "https://learn.microsoft.com/en-us/azure/application-gateway/use-server-sent-events"
	learnAppGWBuffers = "https://learn.microsoft.com/en-us/azure/application-gateway/proxy-buffers"
	learnAPIMDiag     = "https://learn.microsoft.com/en-us/azure/api-management/api-management-howto-app-insights"
	learnAGC          = "https://learn.microsoft.com/en-us/azure/application-gateway/for-containers/server-sent-events"
	learnFrontDoor    = "https://learn.microsoft.com/en-us/azure/frontdoor/front-door-faq"
	whatwgSSE         = "https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface"
	nginxBuffering    = "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering"
	learnAOAIFilter   = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming"
)

var chainRules = []Rule{
	{
		ID: OpenAIContentFilter, Name: "azure-openai-content-filter-chunks", Hop: HopAzureOpenAI, Severity: Warning,
		Summary: "The Azure OpenAI content filter holds completion content and delivers the stream in chunks, not token by token.",
		Why: "In the content filter's default mode, completion content is buffered and evaluated before it is released, so the " +
			"stream reaches every gateway in chunks. The Asynchronous_filter mode streams at once. The sources say nothing of the " +
			"Deferred and Blocking modes; sseready assumes they hold content as the default mode does, since only Asynchronous_filter " +
			"is said to stream at once.",
		Fix:     "Set azurerm_cognitive_account_rai_policy.mode to Asynchronous_filter for the deployment that streams, if chunks are not acceptable.",
		Sources: []Source{{Facts: "in the default mode completion content is buffered and evaluated, so the stream reaches any gateway in chunks, not token by token; `Asynchronous_filter` streams at once.", URL: learnAOAIFilter}, {Assumption: "the Deferred and Blocking modes hold completion content as the default mode does."}},
	},
	{
		ID: ConsumptionTier, Name: "apim-consumption-tier", Hop: HopAPIM, Severity: Error,
		Summary: "The API Management Consumption tier does not support long-running connections.",
		Why:     "SSE needs a connection that stays open for the whole stream. The classic tiers (Developer, Basic, Standard, Premium) and the v2 tiers support it; Consumption does not.",
		Fix:     "Use a classic or v2 tier for SSE APIs (sku_name such as StandardV2_1).",
		Sources: []Source{{Facts: "Long-running connections work in the classic tiers (Developer, Basic, Standard, Premium) and the v2 tiers (BasicV2, StandardV2, PremiumV2), not in the Consumption tier.", URL: learnSSE}},
	},
	{
		ID: DiagnosticBodyLogging, Name: "diagnostic-body-logging", Hop: HopAPIM, Severity: Error,
		Summary: "An APIM diagnostic logs request or response bodies, which buffers the stream.",
		Why:     "Microsoft's SSE guidance says logging request or response bodies to Application Insights or Azure Monitor can cause unexpected buffering, and asks for body logging off: body_bytes above 0 logs bodies.",
		Fix:     "Set body_bytes = 0 in frontend_request, frontend_response, backend_request and backend_response (sseready_apim_diagnostic writes all four).",
		Sources: []Source{{Facts: "Request/response body logging must be off for Azure Monitor, Application Insights and Event Hubs.", URL: learnSSE}},
	},
	{
		ID: DiagnosticBlockLeft, Name: "diagnostic-block-omitted", Hop: HopAPIM, Severity: Warning,
		Summary: "A diagnostic leaves out a logging block, so body logging set before stays on.",
		Why:     "In azurerm the four blocks are Optional and Computed: leaving one out keeps what APIM has, body logging included. Only an explicit body_bytes = 0 turns it off.",
		Fix:     "Write all four blocks with body_bytes = 0.",
		Sources: []Source{{Facts: "The blocks are Optional+Computed: leaving one out does not clear body logging already set; `body_bytes = 0` must be explicit.", URL: learnAPIMDiag}},
	},
	{
		ID: GlobalDiagnostic, Name: "global-diagnostic", Hop: HopAPIM, Severity: Error,
		Summary: "A global (All APIs) diagnostic logs bodies and no API-scope diagnostic overrides it.",
		Why:     "Diagnostics set at the global scope apply to every API, the SSE API included, unless an API-scope diagnostic with the same identifier overrides them.",
		Fix:     "Add an azurerm_api_management_api_diagnostic for the SSE API with body_bytes = 0 in all four blocks (sseready_apim_diagnostic).",
		Sources: []Source{{Facts: "Diagnostics set at the global \"All APIs\" scope apply to every API: override them per API.", URL: learnSSE}},
	},
	{
		ID: AppGWResponseBuffering, Name: "appgw-response-buffering", Hop: HopAppGateway, Severity: Error,
		Summary: "Application Gateway buffers responses: response buffering is on, or the global block is missing.",
		Why:     "With response buffering on (the gateway default, also when azurerm has no global block) the gateway holds the backend's response instead of streaming it.",
		Fix:     "Add global { response_buffering_enabled = false, request_buffering_enabled = ... } to azurerm_application_gateway.",
		Sources: []Source{{Facts: "Response buffering must be disabled.", URL: learnAppGWSSE}, {Facts: "no block means the gateway default, buffering on", URL: learnAppGWBuffers}},
	},
	{
		ID: AppGWRequestTimeout, Name: "appgw-request-timeout", Hop: HopAppGateway, Severity: Error,
		Summary: "The backend setting's request_timeout does not exceed the longest silence without an event (the silence before the first included).",
		Why: "Application Gateway closes a connection whose backend stays silent longer than request_timeout. sseready keeps the timeout at least a third above the longest silence, " +
			"and assumes a comment heartbeat counts as traffic for it (bytes from the backend), which Microsoft's page does not say in so many words: it speaks of the idle time between events.",
		Fix: "Raise request_timeout (sseready_stream_profile.appgw_request_timeout computes it), or send heartbeats more often.",
		Sources: []Source{
			{Facts: "The backend setting's request timeout must exceed the idle time between events, or the gateway closes the connection.", URL: learnAppGWSSE},
			{Assumption: "A comment heartbeat is bytes from the backend, so it resets Application Gateway's request timeout as an event does.", URL: learnAppGWSSE},
		},
	},
	{
		ID: AppGWWAFBuffersRequest, Name: "appgw-waf-request-buffering", Hop: HopAppGateway, Severity: Warning,
		Summary: "On WAF_v2 with body inspection, request buffering stays on.",
		Why:     "The WAF inspects request bodies, so the gateway buffers requests whatever the setting says. Responses can still stream.",
		Fix:     "Keep request_buffering_enabled = true on WAF_v2 with request_body_check; only response buffering must be off.",
		Sources: []Source{{Facts: "On WAF_v2 request buffering cannot be turned off while the WAF inspects bodies; response buffering can.", URL: learnAppGWBuffers}},
	},
	{
		ID: AppGWBasicSKU, Name: "appgw-basic-sku-buffering", Hop: HopAppGateway, Severity: Warning,
		Summary: "Buffer settings on the Basic SKU are not documented.",
		Why:     "Microsoft documents the proxy buffer settings for Standard_v2 and WAF_v2; whether Basic honors response_buffering_enabled = false is not documented.",
		Fix:     "Prefer Standard_v2 or WAF_v2 for SSE, or test the stream through the Basic gateway under load.",
		Sources: []Source{{Facts: "Buffer support on the Basic SKU is not documented.", URL: learnAppGWBuffers}},
	},
	{
		ID: ValueUnknown, Name: "value-unknown", Hop: HopBackend, Severity: Info,
		Summary: "A value is not known until apply, so the check of it waits until then.",
		Why:     "At plan time a value computed by another resource is unknown. sseready assumes nothing about it: it reports it, and the check runs again at apply.",
		Fix:     "Nothing to do; look at the findings after apply, or pass literal values.",
		Sources: []Source{{Assumption: "Terraform leaves values computed by other resources unknown until apply; checking them at plan time would be guessing."}},
	},
	{
		ID: IdleCut, Name: "idle-cut", Hop: HopLoadBalancer, Severity: Error,
		Summary: "The stream stays silent longer than a hop tolerates, so that hop cuts it.",
		Why: "Azure Load Balancer (inside API Management) drops a connection idle for 4 minutes and App Gateway for Containers one idle for 5. " +
			"The backend must send something more often: an event or a comment heartbeat line (\": heartbeat\"). TCP keepalive also satisfies the load balancer. " +
			"sseready keeps each clock at least a third above the longest silence (silence at most 75% of the limit): closer than that is a warning.",
		Fix:     "Send a comment heartbeat at least as often as required_heartbeat_interval says (sseready_stream_profile), or enable TCP keepalive for the load balancer.",
		Sources: []Source{{Facts: "Azure Load Balancer drops a connection idle for 4 minutes: the backend must send something (an event, or an SSE comment line as heartbeat) more often than that, or use TCP keepalive.", URL: learnSSE}, {Facts: "Application Gateway for Containers: idle timeout 5 minutes", URL: learnAGC}},
	},
	{
		ID: BackendHeaders, Name: "backend-response-headers", Hop: HopBackend, Severity: Error,
		Summary: "The backend does not send the response headers an event stream needs.",
		Why: "A client fails an EventSource connection whose Content-Type is not text/event-stream. Cache-Control: no-cache keeps CDNs and other intermediaries from caching the stream, " +
			"Connection: keep-alive keeps the connection open, and X-Accel-Buffering: no turns buffering off in nginx-like intermediaries. Only a wrong Content-Type is an error.",
		Fix:     "Send Content-Type: text/event-stream, Cache-Control: no-cache, Connection: keep-alive and X-Accel-Buffering: no (sseready_stream_profile.backend_response_headers).",
		Sources: []Source{{Facts: "A response whose Content-Type is not `text/event-stream` fails the connection.", URL: whatwgSSE}, {Facts: "The backend should answer with `Content-Type: text/event-stream`, `Connection: keep-alive`, `Transfer-Encoding: chunked` and `Cache-Control: no-cache`", URL: learnAppGWSSE}, {Facts: "`X-Accel-Buffering: no` from the upstream turns it off per response", URL: nginxBuffering}},
	},
	{
		ID: AGCRouteTimeout, Name: "agc-route-timeout", Hop: HopAppGatewayForContainers, Severity: Error,
		Summary: "The App Gateway for Containers route timeout is not 0s, so long streams are cut.",
		Why:     "For SSE the route timeout must be 0s (no limit); any other value ends the response when it runs out.",
		Fix:     "Set the route's request timeout to 0s.",
		Sources: []Source{{Facts: "route timeout `0s` for SSE.", URL: learnAGC}},
	},
	{
		ID: FrontDoorTimeout, Name: "front-door-origin-timeout", Hop: HopFrontDoor, Severity: Error,
		Summary: "Front Door's origin response timeout is shorter than the longest silence on the wire (an assumption: see why).",
		Why: "azurerm_cdn_frontdoor_profile.response_timeout_seconds takes 16 to 240 seconds. FACTS.md does not say whether Front Door counts it between bytes or to the first byte; " +
			"sseready assumes the stricter reading, between bytes, and checks the longest silence against it. If it only bounds the first byte, a finding here is stricter than needed.",
		Fix:     "Raise response_timeout_seconds (at most 240) or send heartbeats more often.",
		Sources: []Source{{Assumption: "Front Door's origin response timeout (response_timeout_seconds, 16 to 240) is taken to bound the silence between bytes, the stricter of the two readings.", URL: learnFrontDoor}},
	},
	{
		ID: APIMHeadersTimeout, Name: "apim-headers-timeout", Hop: HopAPIM, Severity: Error,
		Summary: "The backend takes longer to send its response headers than forward-request waits.",
		Why:     "forward-request's timeout is the wait for the response headers, at most 240 seconds to be honored. A backend that starts streaming later fails before the first event.",
		Fix:     "Send the headers as soon as the stream starts (before the first event), and set the forward-request timeout above that time.",
		Sources: []Source{{Facts: "`timeout` (seconds to wait for the response *headers*, default 300, min 0; over 240 \"may not be honored\"", URL: learnForwardRequest}},
	},
}
