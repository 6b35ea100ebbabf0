package chaincheck

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimtier"
	"github.com/sseready/terraform-provider-sseready/internal/appgw"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// ResultKeys are what sseready_chain_check computes. A jsonencode() of
// the whole data source holds them; Decode accepts them when told to and
// reads nothing from them.
var ResultKeys = []string{"ready", "findings"}

// Keys of the chain object, as sseready_chain_check and check_chain take
// it (and a jsonencode() of either's input, read by the CLI).
var (
	Keys       = []string{"front_door", "app_gateway", "app_gateway_for_containers", "apim", "load_balancer", "container_apps", "app_service", "azure_openai", "backend"}
	apimKeys   = []string{"sku_name", "policies", "diagnostics", "fragments"}
	policyKeys = []string{"scope", "xml"}
)

// Decode reads a chain from a plain value (see package plain): the one
// reading of the chain for the provider (its data source and function)
// and the CLI alike. Extra names the keys to accept and ignore besides the
// chain's own, such as a data source's outputs when its whole value is
// given. A value not known yet is recorded in Chain.Unknown by its path; a
// null or missing one is absent; a value of the wrong type, or one no
// gateway accepts, is an *input.Error naming its path.
func Decode(v any, extra ...string) (Chain, []*input.Error) {
	r := &plain.Reader{}
	var c Chain
	if plain.IsUnknown(v) {
		r.MarkUnknown("chain")
		c.Unknown = r.Unknown
		return c, nil
	}
	root := r.Object(v, "")
	if len(r.Errs) > 0 {
		return c, []*input.Error{input.Errorf("chain", "must be an object with keys such as apim, app_gateway and backend")}
	}
	if root == nil {
		return c, nil
	}
	r.Keys(root, "", append(slices.Clone(Keys), extra...)...)
	if fd := r.Object(root["front_door"], "front_door"); fd != nil {
		c.FrontDoor = decodeFrontDoor(r, fd)
	} else if plain.Present(root["front_door"]) {
		c.FrontDoor = &FrontDoor{}
	}
	if ag := r.Object(root["app_gateway"], "app_gateway"); ag != nil {
		if _, ok := ag["sku_name"]; !ok {
			r.Fail(SettingAppGWSKU, "is required: the gateway's sku.name (%s, %s or %s)", appgw.Basic, appgw.StandardV2, appgw.WAFV2)
		}
		g := appgw.Decode(r, ag, "app_gateway")
		c.AppGateway = &g
	} else if plain.Present(root["app_gateway"]) {
		c.AppGateway = &AppGateway{}
	}
	if agc := r.Object(root["app_gateway_for_containers"], "app_gateway_for_containers"); agc != nil {
		c.AppGatewayForContainers = decodeAGC(r, agc)
	} else if plain.Present(root["app_gateway_for_containers"]) {
		c.AppGatewayForContainers = &AppGatewayForContainers{}
	}
	if a := r.Object(root["apim"], "apim"); a != nil {
		c.APIM = decodeAPIM(r, a)
	} else if plain.Present(root["apim"]) {
		c.APIM = &APIM{}
	}
	if lb := r.Object(root["load_balancer"], "load_balancer"); lb != nil {
		c.LoadBalancer = decodeLoadBalancer(r, lb)
	} else if plain.Present(root["load_balancer"]) {
		c.LoadBalancer = &LoadBalancer{}
	}
	if ca := r.Object(root["container_apps"], "container_apps"); ca != nil {
		r.Keys(ca, "container_apps", "request_idle_timeout_in_minutes")
		c.ContainerApps = &ContainerApps{RequestIdleTimeoutMinutes: minutes(r, ca, "container_apps", "request_idle_timeout_in_minutes", streamprofile.ContainerAppsMinIdle, streamprofile.ContainerAppsMaxIdle)}
	} else if plain.Present(root["container_apps"]) {
		c.ContainerApps = &ContainerApps{}
	}
	if as := r.Object(root["app_service"], "app_service"); as != nil || plain.Present(root["app_service"]) {
		r.Keys(as, "app_service")
		c.AppService = &AppService{}
	}
	if ao := r.Object(root["azure_openai"], "azure_openai"); ao != nil {
		r.Keys(ao, "azure_openai", "content_filter_mode")
		c.AzureOpenAI = &AzureOpenAI{}
		if mode, ok := r.String(ao, "azure_openai", "content_filter_mode"); ok {
			if !slices.Contains(contentFilterModes, mode) {
				r.Fail(SettingAOAIMode, "%q is not a content filter mode: use %s", mode, strings.Join(contentFilterModes, ", "))
			}
			c.AzureOpenAI.ContentFilterMode = mode
		}
	} else if plain.Present(root["azure_openai"]) {
		c.AzureOpenAI = &AzureOpenAI{}
	}
	if b := r.Object(root["backend"], "backend"); b != nil {
		c.Backend = decodeBackend(r, b)
	}
	c.Unknown = r.Unknown
	return c, r.Errs
}

// contentFilterModes are azurerm_cognitive_account_rai_policy.mode's
// values (FACTS.md).
var contentFilterModes = []string{"Default", "Deferred", "Blocking", AsynchronousFilter}

func decodeLoadBalancer(r *plain.Reader, lb map[string]any) *LoadBalancer {
	r.Keys(lb, "load_balancer", "idle_timeout_in_minutes", "tcp_reset_enabled", "enable_tcp_reset")
	out := &LoadBalancer{IdleTimeoutMinutes: minutes(r, lb, "load_balancer", "idle_timeout_in_minutes", streamprofile.LoadBalancerMinIdle, streamprofile.LoadBalancerMaxIdle)}
	// azurerm 5.2 names it tcp_reset_enabled; earlier versions enable_tcp_reset.
	if b, ok := r.Bool(lb, "load_balancer", "tcp_reset_enabled"); ok {
		out.TCPReset = b
	} else if b, ok := r.Bool(lb, "load_balancer", "enable_tcp_reset"); ok {
		out.TCPReset = b
	}
	return out
}

// minutes reads a whole number of minutes within [lo, hi].
func minutes(r *plain.Reader, m map[string]any, path, key string, lo, hi time.Duration) *int64 {
	v := r.Int(m, path, key)
	if v == nil {
		return nil
	}
	if d := time.Duration(*v) * time.Minute; *v < 0 || d < lo || d > hi {
		r.Fail(plain.Join(path, key), "%d is outside %d to %d minutes", *v, int64(lo/time.Minute), int64(hi/time.Minute))
		return nil
	}
	return v
}

func decodeFrontDoor(r *plain.Reader, fd map[string]any) *FrontDoor {
	r.Keys(fd, "front_door", "response_timeout_seconds")
	t := r.Int(fd, "front_door", "response_timeout_seconds")
	if t != nil && (*t < streamprofile.FrontDoorMinTimeout || *t > streamprofile.FrontDoorMaxTimeout) {
		r.Fail(SettingFrontDoorTimeout, "%d is outside %d to %d", *t, streamprofile.FrontDoorMinTimeout, streamprofile.FrontDoorMaxTimeout)
	}
	return &FrontDoor{ResponseTimeoutSeconds: t}
}

func decodeAGC(r *plain.Reader, agc map[string]any) *AppGatewayForContainers {
	r.Keys(agc, "app_gateway_for_containers", "route_timeout", "request_timeout", "backend_request_timeout")
	out := &AppGatewayForContainers{}
	for _, t := range []struct {
		key  string
		into **time.Duration
	}{{"route_timeout", &out.RouteTimeout}, {"request_timeout", &out.RequestTimeout}, {"backend_request_timeout", &out.BackendRequestTimeout}} {
		s, ok := r.String(agc, "app_gateway_for_containers", t.key)
		if !ok {
			continue
		}
		// "0s" is what SSE needs, so zero is a valid value here, unlike the
		// durations of input.Duration.
		path := plain.Join("app_gateway_for_containers", t.key)
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			r.Fail(path, "%q is not a duration: write it as Go does, such as \"0s\" or \"5m\"", s)
		case d < 0:
			r.Fail(path, "%q is negative: use \"0s\" (no limit) for SSE", s)
		default:
			*t.into = &d
		}
	}
	return out
}

func decodeAPIM(r *plain.Reader, a map[string]any) *APIM {
	r.Keys(a, "apim", apimKeys...)
	out := &APIM{}
	if sku, ok := r.String(a, "apim", "sku_name"); ok {
		switch _, err := apimtier.SupportsSSE(sku); {
		case sku == "":
			r.Fail(SettingAPIMSKU, "is empty: give azurerm_api_management.sku_name, or leave it out")
		case err != nil:
			r.Fail(SettingAPIMSKU, "%v", err)
		}
		out.SKUName = sku
	}
	if f := r.Object(a["fragments"], SettingAPIMFragments); f != nil {
		out.Fragments = map[string]string{}
		for _, id := range sortedKeys(f) {
			s, _ := r.String(f, SettingAPIMFragments, id)
			out.Fragments[id] = s
		}
	}
	for i, p := range r.List(a, "apim", "policies") {
		path := PolicySetting(i)
		if p == nil {
			r.Fail(path, "is null: leave it out of the list")
			continue
		}
		m := r.Object(p, path)
		if m == nil {
			out.Policies = append(out.Policies, Policy{})
			continue
		}
		r.Keys(m, path, policyKeys...)
		pol := Policy{}
		pol.XML, _ = r.String(m, path, "xml")
		if s, ok := r.String(m, path, "scope"); ok {
			scope, err := apimcheck.ParseScope(s)
			if err != nil {
				r.Fail(path+".scope", "%v", err)
			}
			pol.Scope = scope
		}
		out.Policies = append(out.Policies, pol)
	}
	for i, d := range r.List(a, "apim", "diagnostics") {
		path := DiagnosticSetting(i)
		if d == nil {
			r.Fail(path, "is null: leave it out of the list")
			continue
		}
		m := r.Object(d, path)
		if m == nil {
			out.Diagnostics = append(out.Diagnostics, apimdiag.Diagnostic{})
			continue
		}
		out.Diagnostics = append(out.Diagnostics, apimdiag.Decode(r, m, path))
	}
	return out
}

func decodeBackend(r *plain.Reader, b map[string]any) Backend {
	r.Keys(b, "backend", BackendKeys...)
	var out Backend
	for _, d := range []struct {
		key string
		to  *time.Duration
	}{{"max_event_gap", &out.MaxEventGap}, {"heartbeat_interval", &out.HeartbeatInterval}, {"max_time_to_headers", &out.MaxTimeToHeaders}} {
		if s, ok := r.String(b, "backend", d.key); ok {
			v, err := input.Duration("backend."+d.key, s)
			if err != nil {
				r.Errs = append(r.Errs, err)
			}
			*d.to = v
		}
	}
	out.TCPKeepalive, _ = r.Bool(b, "backend", "tcp_keepalive")
	if h := r.Object(b["response_headers"], SettingBackendHeaders); h != nil {
		out.ResponseHeaders = map[string]string{}
		for _, k := range sortedKeys(h) {
			out.ResponseHeaders[k], _ = r.String(h, SettingBackendHeaders, k)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
