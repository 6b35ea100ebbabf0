package streamprofile

import (
	"fmt"
	"strings"
	"time"
)

// Guide renders the guide "Timeouts along the chain" (a tfplugindocs
// template) from the clocks this package uses, and a worked example
// computed by Plan, so the documentation cannot say what the code does not.
func Guide() string {
	var b strings.Builder
	lb := withHeadroom(LoadBalancerIdle)
	agc := withHeadroom(AGCIdle)
	fd := withHeadroom(FrontDoorMaxTimeout * time.Second)
	fmt.Fprintf(&b, `---
page_title: "Timeouts along the chain"
subcategory: ""
description: |-
  Every hop between an SSE client and its backend has a clock that cuts a silent connection. Which clocks there are, what sseready sets them to, and why.
---

# Timeouts along the chain

A streaming request crosses several hops: the client, Azure Front Door or Application Gateway, API Management,
the Azure Load Balancer inside API Management, the backend. Each hop has its own clock, and each cuts a connection
that stays silent longer than that clock allows. Events arrive when the backend has something to say, so the gaps
between them are the stream's danger.

Two things reset a clock:

- **Bytes on the wire.** A Server-Sent Events comment line (%s) is ignored by clients but is traffic on the
  connection. Microsoft says it keeps Azure Load Balancer's clock from running out. For the HTTP hops the sources
  speak only of "the idle time between events"; sseready *assumes* any bytes from the backend, a comment heartbeat
  included, reset their clocks too (rules [SSE302](sse-rules.md#sse302) and [SSE404](sse-rules.md#sse404) name it).
- **TCP keepalive** at the backend keeps Azure Load Balancer's idle clock from running out (Microsoft says so).
  It carries no bytes through the HTTP hops, so it does nothing for their clocks.

sseready keeps every clock **a third above the longest silence**: the longest silence may use at most three
quarters of a limit. A silence closer to a limit than that is a warning (network delays and busy backends eat the
margin); a silence at or past a limit is an error.

`+"`required_heartbeat_interval`"+` keeps that headroom under the **tightest clock on the stream's path**: three quarters
of the shortest of Azure Load Balancer's %s idle cut (unless TCP keepalive resets it), App Gateway for Containers'
%s idle timeout, and the `+"`%s`"+` and `+"`%s`"+` that sseready outputs for the same
stream, for the hops on the path; above one second it is rounded down to whole seconds. Those two timeouts are set
from the stream's own longest silence, so behind Application Gateway or Front Door the interval comes out close to
that silence: a backend that keeps it is not cut by the timeouts set from the same profile, and a backend that needs
a longer interval needs longer timeouts first.

| Hop | Clock | Limit | What sseready sets or checks | Source |
|-----|-------|-------|------------------------------|--------|
| Azure Load Balancer (inside API Management) | idle connection | %s, fixed | a heartbeat at least every %s, or TCP keepalive (rule [SSE401](sse-rules.md#sse401)) | [Microsoft: Configure API for server-sent events](https://learn.microsoft.com/en-us/azure/api-management/how-to-server-sent-events) |
| Application Gateway for Containers | idle connection; route timeout | %s, fixed; the route timeout must be 0s | a heartbeat at least every %s ([SSE401](sse-rules.md#sse401)); route timeout 0s ([SSE403](sse-rules.md#sse403)) | [Microsoft: SSE with App Gateway for Containers](https://learn.microsoft.com/en-us/azure/application-gateway/for-containers/server-sent-events) |
| Application Gateway | backend settings request_timeout | %d to %d s (azurerm's default %d) | appgw_request_timeout: 4/3 of the longest silence, at least %d; the heartbeat keeps 3/4 of it ([SSE302](sse-rules.md#sse302)) | [Microsoft: Using server-sent events with Application Gateway](https://learn.microsoft.com/en-us/azure/application-gateway/use-server-sent-events) |
| API Management forward-request | timeout, for the response **headers** only | over %d s may not be honored (default 300) | apim_forward_request_timeout: 4/3 of max_time_to_headers, at most %d; %d (Microsoft's example) otherwise ([SSE104](sse-rules.md#sse104), [SSE405](sse-rules.md#sse405)) | [Microsoft: forward-request policy](https://learn.microsoft.com/en-us/azure/api-management/forward-request-policy) |
| Azure Front Door | origin response timeout | %d to %d s | front_door_origin_response_timeout: 4/3 of the longest silence, at least %d, so silences up to %s; the heartbeat keeps 3/4 of it ([SSE404](sse-rules.md#sse404)) | azurerm's response_timeout_seconds range. *Assumption:* the sources do not say whether Front Door counts this timeout between bytes or to the first byte; sseready takes the stricter reading, between bytes. |
%s
The API Management forward-request timeout is not a stream timeout: it bounds the wait for the backend's response
headers. A backend should send its headers as soon as the stream starts, before the first event.

## A worked example

`, "`: heartbeat`", LoadBalancerIdle, AGCIdle, OutputAppGWRequestTimeout, OutputFrontDoorTimeout,
		LoadBalancerIdle, lb, AGCIdle, agc,
		AppGWMinTimeout, AppGWMaxTimeout, AppGWDefaultTimeout, AppGWDefaultTimeout,
		APIMMaxHeaderTimeout, APIMMaxHeaderTimeout, APIMDefaultTimeout,
		FrontDoorMinTimeout, FrontDoorMaxTimeout, FrontDoorMinTimeout, fd, moreClockRows())

	p := Profile{MaxEventGap: 10 * time.Minute, HeartbeatInterval: 20 * time.Second, MaxTimeToHeaders: 15 * time.Second,
		Hops: []Hop{FrontDoor, AppGateway, APIM}}
	budget, _ := Plan(p)
	fmt.Fprintf(&b, "A chat API may stay silent for up to %s between answers, sends a heartbeat every %s, and takes up to %s to send\n", p.MaxEventGap, p.HeartbeatInterval, p.MaxTimeToHeaders)
	b.WriteString("its headers. The stream crosses Front Door, Application Gateway and API Management.\n\n")
	b.WriteString("```terraform\n" + `data "sseready_stream_profile" "chat" {
  max_event_gap       = "10m"
  heartbeat_interval  = "20s"
  max_time_to_headers = "15s"
  hops                = ["front_door", "app_gateway", "apim"]
}
` + "```\n\n")
	fmt.Fprintf(&b, "- The longest silence on the wire is %s (the heartbeat), the longest wait for bytes %s.\n", budget.WireSilence, max(budget.WireSilence, p.MaxTimeToHeaders))
	fmt.Fprintf(&b, "- `front_door_origin_response_timeout` is %d and `appgw_request_timeout` is %d (4/3 of the silence, %d, raised to azurerm's default of %d).\n", budget.FrontDoorOriginResponseTimeout, budget.AppGWRequestTimeout, TimeoutFor(budget.WireSilence), AppGWDefaultTimeout)
	b.WriteString(heartbeatLine(budget))
	fmt.Fprintf(&b, "- `apim_forward_request_timeout` is %d: 4/3 of the %s the headers may take.\n", budget.APIMForwardRequestTimeout, p.MaxTimeToHeaders)
	fmt.Fprintf(&b, "- Without the heartbeat, the %s silence would be cut by the load balancer after %s: `ready` would be false, with a finding that says to send a heartbeat at least every %s.\n", p.MaxEventGap, LoadBalancerIdle, lb)
	b.WriteString(`
To check the values you actually deploy, hand them to ` + "`sseready_chain_check`" + ` (or ` + "`provider::sseready::check_chain`" + `), which
judges each hop's setting against the stream's longest silence.
`)
	return b.String()
}

// heartbeatLine explains the budget's required_heartbeat_interval by the
// clock that set it.
func heartbeatLine(b Budget) string {
	c := b.HeartbeatClock
	if c.Limit == 0 {
		return "- `required_heartbeat_interval` is null: no hop on the path has a clock.\n"
	}
	what := fmt.Sprintf("%s, %s", c.Name, c.Limit)
	if c.Output != "" {
		what = fmt.Sprintf("%s (`%s`, %d s)", c.Name, c.Output, int64(c.Limit/time.Second))
	}
	rounded := ""
	if exact := withHeadroom(c.Limit); exact != b.RequiredHeartbeatInterval {
		rounded = fmt.Sprintf(": %s, rounded down to whole seconds", exact)
	}
	line := fmt.Sprintf("- `required_heartbeat_interval` is %s: three quarters of the tightest clock on the path, %s%s.", b.RequiredHeartbeatInterval, what, rounded)
	if c.Output != "" {
		line += " That timeout follows the stream's own silence, so the interval is about the heartbeat the stream already has."
	}
	return line + "\n"
}

// moreClockRows are the rows of the hops the chain check knows besides the
// budget's (issue 9): their clocks come from the same constants.
func moreClockRows() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| Azure Load Balancer rule of yours | idle_timeout_in_minutes | %s to %s (default %s); an idle flow is dropped silently unless tcp_reset_enabled | a heartbeat at least every 3/4 of it ([SSE401](sse-rules.md#sse401)) | [Microsoft: Load Balancer TCP idle timeout](https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-tcp-idle-timeout) |\n",
		LoadBalancerMinIdle, LoadBalancerMaxIdle, LoadBalancerIdle)
	fmt.Fprintf(&b, "| Azure Container Apps ingress | request idle timeout | %s to %s (default %s) | a heartbeat at least every 3/4 of it ([SSE401](sse-rules.md#sse401)) | Azure SDK ManagedEnvironmentIngressConfiguration.RequestIdleTimeout |\n",
		ContainerAppsMinIdle, ContainerAppsMaxIdle, ContainerAppsIdle)
	fmt.Fprintf(&b, "| Azure App Service front end | no response bytes | %s, fixed | a heartbeat at least every %s ([SSE401](sse-rules.md#sse401)) | Microsoft Q&A (widely reported) |\n",
		AppServiceIdle, HeartbeatFor(AppServiceIdle))
	b.WriteString("| Application Gateway Ingress Controller | annotation appgw.ingress.kubernetes.io/request-timeout | default 30 s; overrides the gateway's backend settings | checked as request_timeout ([SSE302](sse-rules.md#sse302)) | [Microsoft: AGIC annotations](https://learn.microsoft.com/en-us/azure/application-gateway/ingress-controller-annotations) |\n")
	b.WriteString("| Application Gateway for Containers HTTPRoute | timeouts.request, timeouts.backendRequest | take precedence over the RoutePolicy's routeTimeout | 0s ([SSE403](sse-rules.md#sse403)) | [Microsoft: SSE with App Gateway for Containers](https://learn.microsoft.com/en-us/azure/application-gateway/for-containers/server-sent-events) |\n")
	b.WriteString("| Azure OpenAI content filter | mode | not a clock: the default mode delivers the stream in chunks | Asynchronous_filter ([SSE406](sse-rules.md#sse406)) | [Microsoft: content streaming](https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming) |\n")
	return b.String()
}
