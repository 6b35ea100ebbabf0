package provider

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/input"
)

// appGatewayKeys are the keys of the chain's app_gateway object; the
// emulator's --appgw-settings file takes them too.
var appGatewayKeys = []string{"sku_name", "global", "request_timeout", "waf_request_body_check"}

// chainReader converts the chain description, as the sseready_chain_check
// data source's configuration or check_chain's argument gives it, into a
// chaincheck.Chain. A value that is unknown is recorded by its path, a
// null or missing one is absent, a value of the wrong type is an error
// naming its path.
type chainReader struct {
	unknown []string
	errs    []*input.Error
}

// outputs names the data source's computed attributes, which stand in its
// configuration (as nulls) and are not settings.
func chainFromValue(v tftypes.Value, outputs ...string) (chaincheck.Chain, []*input.Error) {
	r := &chainReader{}
	var c chaincheck.Chain
	var root map[string]tftypes.Value
	if v.Type() != nil && v.IsKnown() && !v.IsNull() {
		if err := v.As(&root); err != nil {
			r.fail("chain", "must be an object with keys such as apim, app_gateway and backend")
			return c, r.errs
		}
	}
	if root == nil {
		return c, r.errs
	}
	r.keys(root, "", append([]string{"front_door", "app_gateway", "app_gateway_for_containers", "apim", "backend"}, outputs...)...)
	if fd := r.object(root["front_door"], "front_door"); fd != nil {
		r.keys(fd, "front_door", "response_timeout_seconds")
		c.FrontDoor = &chaincheck.FrontDoor{ResponseTimeoutSeconds: r.intPtr(fd, "front_door", "response_timeout_seconds")}
	} else if r.present(root["front_door"]) {
		c.FrontDoor = &chaincheck.FrontDoor{}
	}
	if ag := r.object(root["app_gateway"], "app_gateway"); ag != nil {
		r.keys(ag, "app_gateway", appGatewayKeys...)
		if _, ok := ag["sku_name"]; !ok {
			r.fail("app_gateway.sku_name", "is required: the gateway's sku.name (Basic, Standard_v2 or WAF_v2)")
		}
		c.AppGateway = &chaincheck.AppGateway{
			SKUName:             r.str(ag, "app_gateway", "sku_name"),
			RequestTimeout:      r.intPtr(ag, "app_gateway", "request_timeout"),
			WAFRequestBodyCheck: r.bool(ag, "app_gateway", "waf_request_body_check"),
		}
		if g := r.object(ag["global"], "app_gateway.global"); g != nil {
			r.keys(g, "app_gateway.global", "request_buffering_enabled", "response_buffering_enabled")
			c.AppGateway.Global = &chaincheck.AppGatewayGlobal{
				RequestBufferingEnabled:  r.bool(g, "app_gateway.global", "request_buffering_enabled"),
				ResponseBufferingEnabled: r.bool(g, "app_gateway.global", "response_buffering_enabled"),
			}
		}
	} else if r.present(root["app_gateway"]) {
		c.AppGateway = &chaincheck.AppGateway{}
	}
	if agc := r.object(root["app_gateway_for_containers"], "app_gateway_for_containers"); agc != nil {
		r.keys(agc, "app_gateway_for_containers", "route_timeout")
		c.AppGatewayForContainers = &chaincheck.AppGatewayForContainers{}
		if s, ok := r.strOK(agc, "app_gateway_for_containers", "route_timeout"); ok {
			d, err := time.ParseDuration(s)
			switch {
			case err != nil:
				r.fail("app_gateway_for_containers.route_timeout", "%q is not a duration: write it as Go does, such as \"0s\" or \"5m\"", s)
			case d < 0:
				r.fail("app_gateway_for_containers.route_timeout", "%q is negative: use \"0s\" (no limit) for SSE", s)
			default:
				c.AppGatewayForContainers.RouteTimeout = &d
			}
		}
	} else if r.present(root["app_gateway_for_containers"]) {
		c.AppGatewayForContainers = &chaincheck.AppGatewayForContainers{}
	}
	if a := r.object(root["apim"], "apim"); a != nil {
		c.APIM = r.apim(a)
	} else if r.present(root["apim"]) {
		c.APIM = &chaincheck.APIM{}
	}
	if b := r.object(root["backend"], "backend"); b != nil {
		c.Backend = r.backend(b)
	}
	c.Unknown = r.unknown
	return c, r.errs
}

func (r *chainReader) apim(a map[string]tftypes.Value) *chaincheck.APIM {
	r.keys(a, "apim", "sku_name", "policies", "diagnostics", "fragments")
	sku, ok := r.strOK(a, "apim", "sku_name")
	if ok && sku == "" {
		r.fail("apim.sku_name", "is empty: give azurerm_api_management.sku_name, or leave it out")
	}
	out := &chaincheck.APIM{SKUName: sku}
	if f := r.object(a["fragments"], "apim.fragments"); f != nil {
		out.Fragments = map[string]string{}
		for id := range f {
			out.Fragments[id] = r.str(f, "apim.fragments", id)
		}
	}
	for i, p := range r.list(a, "apim", "policies") {
		path := fmt.Sprintf("apim.policies[%d]", i)
		if p.IsKnown() && p.IsNull() {
			r.fail(path, "is null: leave it out of the list")
			continue
		}
		m := r.object(p, path)
		if m == nil {
			out.Policies = append(out.Policies, chaincheck.Policy{})
			continue
		}
		r.keys(m, path, "scope", "xml")
		pol := chaincheck.Policy{XML: r.str(m, path, "xml")}
		if s, ok := r.strOK(m, path, "scope"); ok {
			scope, err := apimcheck.ParseScope(s)
			if err != nil {
				r.fail(path+".scope", "%v", err)
			}
			pol.Scope = scope
		}
		out.Policies = append(out.Policies, pol)
	}
	for i, d := range r.list(a, "apim", "diagnostics") {
		path := fmt.Sprintf("apim.diagnostics[%d]", i)
		if d.IsKnown() && d.IsNull() {
			r.fail(path, "is null: leave it out of the list")
			continue
		}
		m := r.object(d, path)
		if m == nil {
			out.Diagnostics = append(out.Diagnostics, apimdiag.Diagnostic{})
			continue
		}
		r.keys(m, path, append([]string{"scope", "identifier"}, apimdiag.Blocks...)...)
		diag := apimdiag.Diagnostic{Identifier: r.str(m, path, "identifier"), Blocks: map[string]*apimdiag.Block{}}
		if id := diag.Identifier; id != apimdiag.ApplicationInsights && id != apimdiag.AzureMonitor && r.known(m, "identifier") {
			r.fail(path+".identifier", "%q is not a diagnostic identifier: use applicationinsights or azuremonitor", id)
		}
		switch s, _ := r.strOK(m, path, "scope"); s {
		case "", "api":
		case "global":
			diag.Global = true
		default:
			r.fail(path+".scope", "%q is not a diagnostic scope: use api (azurerm_api_management_api_diagnostic) or global (azurerm_api_management_diagnostic)", s)
		}
		for _, name := range apimdiag.Blocks {
			bp := path + "." + name
			if b := r.object(m[name], bp); b != nil {
				r.keys(b, bp, "body_bytes", "headers_to_log", "data_masking")
				diag.Blocks[name] = &apimdiag.Block{BodyBytes: r.int(b, bp, "body_bytes")}
			}
		}
		out.Diagnostics = append(out.Diagnostics, diag)
	}
	return out
}

func (r *chainReader) backend(b map[string]tftypes.Value) chaincheck.Backend {
	r.keys(b, "backend", "max_event_gap", "heartbeat_interval", "max_time_to_headers", "tcp_keepalive", "response_headers")
	var out chaincheck.Backend
	for _, d := range []struct {
		key string
		to  *time.Duration
	}{{"max_event_gap", &out.MaxEventGap}, {"heartbeat_interval", &out.HeartbeatInterval}, {"max_time_to_headers", &out.MaxTimeToHeaders}} {
		if s, ok := r.strOK(b, "backend", d.key); ok {
			v, err := input.Duration("backend."+d.key, s)
			if err != nil {
				r.errs = append(r.errs, err)
			}
			*d.to = v
		}
	}
	out.TCPKeepalive = r.bool(b, "backend", "tcp_keepalive")
	if h := r.object(b["response_headers"], "backend.response_headers"); h != nil {
		out.ResponseHeaders = map[string]string{}
		for k := range h {
			out.ResponseHeaders[k] = r.str(h, "backend.response_headers", k)
		}
	}
	return out
}

// markUnknown records a setting not known yet, once: a check may read a
// value more than once.
func (r *chainReader) markUnknown(path string) {
	if !slices.Contains(r.unknown, path) {
		r.unknown = append(r.unknown, path)
	}
}

func (r *chainReader) fail(path, format string, args ...any) {
	r.errs = append(r.errs, input.Errorf(path, format, args...))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// known reports whether m[key] is given and known.
func (r *chainReader) known(m map[string]tftypes.Value, key string) bool {
	v, ok := m[key]
	return ok && v.Type() != nil && v.IsKnown() && !v.IsNull()
}

// present reports whether v is given at all (unknown counts as given).
func (r *chainReader) present(v tftypes.Value) bool {
	return v.Type() != nil && (!v.IsKnown() || !v.IsNull())
}

// object returns the attributes of an object or map value; nil when it is
// missing, null or unknown (recorded) or not an object (an error).
func (r *chainReader) object(v tftypes.Value, path string) map[string]tftypes.Value {
	if v.Type() == nil || (v.IsKnown() && v.IsNull()) {
		return nil
	}
	if !v.IsKnown() {
		r.markUnknown(path)
		return nil
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		r.fail(path, "must be an object")
		return nil
	}
	return m
}

// keys reports attributes the chain does not have: a misspelt key would
// otherwise be ignored without a word.
func (r *chainReader) keys(m map[string]tftypes.Value, path string, allowed ...string) {
	for k := range m {
		found := false
		for _, a := range allowed {
			found = found || k == a
		}
		if !found {
			r.fail(join(path, k), "is not a setting sseready knows here: use %v", allowed)
		}
	}
}

func (r *chainReader) list(m map[string]tftypes.Value, path, key string) []tftypes.Value {
	v, ok := m[key]
	if !ok || v.Type() == nil || (v.IsKnown() && v.IsNull()) {
		return nil
	}
	if !v.IsKnown() {
		r.markUnknown(join(path, key))
		return nil
	}
	var items []tftypes.Value
	if err := v.As(&items); err != nil {
		r.fail(join(path, key), "must be a list")
	}
	return items
}

// leaf reads a scalar; ok is false when it is missing, null or unknown.
func (r *chainReader) leaf(m map[string]tftypes.Value, path, key string, into any, kind string) bool {
	v, ok := m[key]
	if !ok || v.Type() == nil || (v.IsKnown() && v.IsNull()) {
		return false
	}
	if !v.IsKnown() {
		r.markUnknown(join(path, key))
		return false
	}
	if err := v.As(into); err != nil {
		r.fail(join(path, key), "must be a %s", kind)
		return false
	}
	return true
}

func (r *chainReader) strOK(m map[string]tftypes.Value, path, key string) (string, bool) {
	var s string
	ok := r.leaf(m, path, key, &s, "string")
	return s, ok
}

func (r *chainReader) str(m map[string]tftypes.Value, path, key string) string {
	s, _ := r.strOK(m, path, key)
	return s
}

func (r *chainReader) bool(m map[string]tftypes.Value, path, key string) bool {
	var b bool
	r.leaf(m, path, key, &b, "bool")
	return b
}

func (r *chainReader) int(m map[string]tftypes.Value, path, key string) int64 {
	if p := r.intPtr(m, path, key); p != nil {
		return *p
	}
	return 0
}

// intPtr reads a whole number; nil when it is missing, null or unknown.
func (r *chainReader) intPtr(m map[string]tftypes.Value, path, key string) *int64 {
	f := new(big.Float)
	if !r.leaf(m, path, key, &f, "number") {
		return nil
	}
	n, acc := f.Int64()
	switch {
	case acc != big.Exact && f.IsInt():
		r.fail(join(path, key), "%s is too large", f.Text('g', -1))
		return nil
	case acc != big.Exact:
		r.fail(join(path, key), "must be a whole number, not %s", f.Text('g', -1))
		return nil
	}
	return &n
}
