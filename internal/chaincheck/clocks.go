package chaincheck

import (
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/appgw"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// HopClock is a clock one hop of the chain runs on the stream, with the
// limit in force: what a picture of the path draws against the stream's
// silence. Each limit keeps its one owner: the fixed clocks and defaults
// are streamprofile's, App Gateway's precedence is package appgw's, the
// route of App Gateway for Containers is RouteLimit's, and the values set
// are the chain's.
type HopClock struct {
	// Hop runs the clock (rules.Hop*).
	Hop string
	// Name says what the clock is, for people.
	Name string
	// Limit is the longest silence the hop survives, or, for a Total
	// clock, how long any response may run. Zero when Known is false.
	Limit time.Duration
	// Known is false when the chain does not set the clock and its
	// default is not in sseready's sources (Front Door's timeout, the
	// route timeout of App Gateway for Containers): nothing to draw.
	Known bool
	// Setting is the chain's setting that sets the limit ("" for a fixed
	// clock); Default is true when it is not set and the default applies.
	Setting string
	Default bool
	// Total is true for a clock that cuts every response that long after
	// it began, silent or not (a route timeout): the stream's silence
	// does not matter to it, its length does.
	Total bool
	// KeepaliveResets is true for a load balancer's idle clock when the
	// backend keeps its connections alive with TCP keepalive, which resets
	// it: the clock then never runs out.
	KeepaliveResets bool
}

// Clocks lists the clocks of the chain's hops, front to back, in the
// order the chain check lists its hops.
func Clocks(c Chain) []HopClock {
	var out []HopClock
	keepalive := c.Backend.TCPKeepalive
	if fd := c.FrontDoor; fd != nil {
		hc := HopClock{Hop: rules.HopFrontDoor, Name: "origin response timeout (response_timeout_seconds)", Setting: SettingFrontDoorTimeout}
		if fd.ResponseTimeoutSeconds != nil {
			hc.Limit, hc.Known = time.Duration(*fd.ResponseTimeoutSeconds)*time.Second, true
		}
		out = append(out, hc)
	}
	if ag := c.AppGateway; ag != nil {
		limit, from := ag.TimeoutInForce()
		what, _ := ag.TimeoutDescription()
		setting := SettingAppGWTimeout
		if from == appgw.TimeoutAGIC {
			setting = SettingAppGWAGIC
		}
		out = append(out, HopClock{Hop: rules.HopAppGateway, Name: what, Limit: limit, Known: true, Setting: setting, Default: from == appgw.TimeoutDefault})
	}
	if agc := c.AppGatewayForContainers; agc != nil {
		out = append(out, HopClock{Hop: rules.HopAppGatewayForContainers, Name: "idle timeout", Limit: streamprofile.AGCIdle, Known: true})
		limit, ok := agc.RouteLimit()
		setting := SettingAGCRoute
		if agc.HTTPRouteDecides() {
			setting = SettingAGCRequest
			if agc.RequestTimeout == nil || *agc.RequestTimeout == 0 {
				setting = SettingAGCBackendRequest
			}
		}
		if !ok || limit > 0 {
			out = append(out, HopClock{Hop: rules.HopAppGatewayForContainers, Name: "route timeout", Limit: limit, Known: ok, Setting: setting, Total: true})
		}
	}
	if c.APIM != nil {
		out = append(out, HopClock{Hop: rules.HopAPIM, Name: "Azure Load Balancer inside API Management (idle)", Limit: streamprofile.LoadBalancerIdle,
			Known: true, KeepaliveResets: keepalive})
	}
	if lb := c.LoadBalancer; lb != nil {
		hc := HopClock{Hop: rules.HopLoadBalancer, Name: "idle_timeout_in_minutes", Limit: streamprofile.LoadBalancerIdle, Known: true,
			Setting: SettingLBIdle, Default: lb.IdleTimeoutMinutes == nil, KeepaliveResets: keepalive}
		if lb.IdleTimeoutMinutes != nil {
			hc.Limit = time.Duration(*lb.IdleTimeoutMinutes) * time.Minute
		}
		out = append(out, hc)
	}
	if ca := c.ContainerApps; ca != nil {
		hc := HopClock{Hop: rules.HopContainerApps, Name: "ingress request idle timeout", Limit: streamprofile.ContainerAppsIdle, Known: true,
			Setting: SettingCAIdle, Default: ca.RequestIdleTimeoutMinutes == nil}
		if ca.RequestIdleTimeoutMinutes != nil {
			hc.Limit = time.Duration(*ca.RequestIdleTimeoutMinutes) * time.Minute
		}
		out = append(out, hc)
	}
	if c.AppService != nil {
		out = append(out, HopClock{Hop: rules.HopAppService, Name: "front end (no response bytes)", Limit: streamprofile.AppServiceIdle, Known: true})
	}
	return out
}

// WireSilence is the longest time without a byte on the wire: the
// heartbeat when it fills the silence, else the longest silence between
// events (0 when max_event_gap is not given).
func (b Backend) WireSilence() time.Duration {
	return streamprofile.WireSilence(b.MaxEventGap, b.HeartbeatInterval)
}

// LongestSilence is the longest silence an idle clock on the path sees:
// on the wire, or the wait for the response headers, whichever is longer.
// The chain check judges every timeout the user set against it.
func (b Backend) LongestSilence() time.Duration {
	return max(b.WireSilence(), b.MaxTimeToHeaders)
}
