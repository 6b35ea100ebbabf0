package chainrun

import (
	"fmt"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// FromChain builds the emulated hops of a chain (chaincheck.Decode's),
// client side first, in the order the chain check lists its hops: Front
// Door, App Gateway, App Gateway for Containers, API Management, your Load
// Balancer rule, Container Apps, App Service, the Azure OpenAI content
// filter. base carries what every hop shares (TimeScale, buffer sizes);
// each hop's settings come from the chain. notes say what a hop given in
// the chain does not emulate, and why.
func FromChain(c *chaincheck.Chain, base gateway.Config) (hops []Hop, notes []string, err error) {
	add := func(name string, set func(*gateway.Config)) {
		cfg := base
		set(&cfg)
		hops = append(hops, Hop{Name: name, Config: cfg})
	}
	relay := func(name string, r gateway.Relay) {
		add(name, func(cfg *gateway.Config) { cfg.Relay = &r })
	}
	if fd := c.FrontDoor; fd != nil {
		r := gateway.Relay{Clock: "front_door response_timeout_seconds", Rules: []string{rules.FrontDoorTimeout}}
		if fd.ResponseTimeoutSeconds != nil {
			r.Idle = time.Duration(*fd.ResponseTimeoutSeconds) * time.Second
		} else {
			notes = append(notes, "front_door: response_timeout_seconds is not given and Front Door's default is not in sseready's sources: no origin response timeout runs")
		}
		relay(rules.HopFrontDoor, r)
	}
	if g := c.AppGateway; g != nil {
		add(rules.HopAppGateway, func(cfg *gateway.Config) {
			cfg.AppGW = &gateway.AppGW{ResponseBuffering: g.ResponseBuffering(), RequestTimeout: g.Timeout()}
		})
	}
	if agc := c.AppGatewayForContainers; agc != nil {
		r := gateway.Relay{Clock: "app_gateway_for_containers idle timeout", Idle: streamprofile.AGCIdle, Rules: []string{rules.IdleCut}}
		limit, ok := agc.RouteLimit()
		switch {
		case !ok:
			notes = append(notes, "app_gateway_for_containers: no route timeout is given and its default is not in sseready's sources: no route timeout runs")
		case limit > 0:
			r.Total = limit
			r.Rules = append(r.Rules, rules.AGCRouteTimeout)
		}
		relay(rules.HopAppGatewayForContainers, r)
	}
	if a := c.APIM; a != nil {
		apim := &gateway.APIM{SKU: a.SKUName, Diagnostics: a.Diagnostics}
		for i, p := range a.Policies {
			apim.Policies = append(apim.Policies, gateway.Policy{Scope: p.Scope, XML: []byte(p.XML), Source: fmt.Sprintf("apim.policies[%d]", i)})
		}
		if len(a.Fragments) > 0 {
			docs, errs := apimcheck.ParseFragments(a.Fragments)
			if len(errs) > 0 {
				return nil, nil, fmt.Errorf("apim.fragments: %w", errs[0])
			}
			apim.Fragments = docs
		}
		add(rules.HopAPIM, func(cfg *gateway.Config) { cfg.APIM = apim })
	}
	if lb := c.LoadBalancer; lb != nil {
		idle := streamprofile.LoadBalancerIdle
		if lb.IdleTimeoutMinutes != nil {
			idle = time.Duration(*lb.IdleTimeoutMinutes) * time.Minute
		}
		relay(rules.HopLoadBalancer, gateway.Relay{Clock: "load_balancer idle_timeout_in_minutes", Idle: idle, Silent: !lb.TCPReset, Rules: []string{rules.IdleCut}})
	}
	if ca := c.ContainerApps; ca != nil {
		idle := streamprofile.ContainerAppsIdle
		if ca.RequestIdleTimeoutMinutes != nil {
			idle = time.Duration(*ca.RequestIdleTimeoutMinutes) * time.Minute
		}
		relay(rules.HopContainerApps, gateway.Relay{Clock: "container_apps request idle timeout", Idle: idle, Rules: []string{rules.IdleCut}})
	}
	if c.AppService != nil {
		relay(rules.HopAppService, gateway.Relay{Clock: "app_service front end", Idle: streamprofile.AppServiceIdle, Rules: []string{rules.IdleCut}})
	}
	if ao := c.AzureOpenAI; ao != nil {
		// The filter stands between the model and everything above: the
		// test origin plays the model.
		r := gateway.Relay{}
		if ao.DeliversInChunks() {
			r.Rules = []string{rules.OpenAIContentFilter}
		}
		relay(rules.HopAzureOpenAI, r)
	}
	return hops, notes, nil
}
