package tfplan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// builder builds one path's chain (chaincheck.Input), setting by setting,
// and records the resource attribute each setting is read from.
type builder struct {
	m      *model
	in     *chaincheck.Input
	places places
	// names are the addresses of the policies, by their index in the
	// chain's apim.policies: the chain check names them so.
	names     []string
	resources []*Resource
	notes     []string
	// scoped are the path's policy documents known and parsed, and
	// fragments the fragment resources they include, by fragment-id.
	scoped    []apimcheck.ScopedPolicy
	fragments map[string]*Resource
	comp      *apimcheck.Composition
	composed  bool
}

func newBuilder(m *model) *builder {
	return &builder{m: m, in: chaincheck.NewInput(), places: places{}, fragments: map[string]*Resource{}}
}

// set puts v at the chain's setting (nil: not set) and records that it is
// r's attribute attr.
func (b *builder) set(setting string, v any, r *Resource, attr string) {
	b.in.Set(setting, v)
	b.places.at(setting, r, attr)
}

func (b *builder) use(rs ...*Resource) {
	for _, r := range rs {
		if r != nil && !slices.Contains(b.resources, r) {
			b.resources = append(b.resources, r)
		}
	}
}

func (b *builder) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !slices.Contains(b.notes, s) {
		b.notes = append(b.notes, s)
	}
}

// onPath is a hop's value when the hop is on the path with every setting
// the plan gives set inside it.
func onPath() map[string]any { return map[string]any{} }

func (b *builder) frontDoor(fd *frontDoor) {
	r := fd.profile
	b.use(r)
	b.use(fd.groups...)
	b.use(fd.origins...)
	if fd.assumed {
		b.note("%s is taken to be in front of this path: it is the only Front Door profile, and no origin names a host", r.Address)
	}
	b.set(chaincheck.SettingFrontDoor, onPath(), r, "")
	b.set(chaincheck.SettingFrontDoorTimeout, r.Values["response_timeout_seconds"], r, "response_timeout_seconds")
}

func (b *builder) appGateway(g *gateway, toAPIM bool) {
	r := g.res
	b.use(r)
	if g.assumed {
		b.note("%s is taken to be in front of API Management: it is the only Application Gateway, and its backend pools name no address", r.Address)
	}
	b.set(chaincheck.SettingAppGW, onPath(), r, "")
	switch v := oneBlock(r.Values, "sku").(type) {
	case map[string]any:
		b.set(chaincheck.SettingAppGWSKU, v["name"], r, "sku.name")
	default:
		b.set(chaincheck.SettingAppGWSKU, v, r, "sku.name") // unknown, or nil
	}
	switch v := oneBlock(r.Values, "global").(type) {
	case map[string]any:
		b.set(chaincheck.SettingAppGWGlobal, onPath(), r, "global")
		b.in.Set(chaincheck.SettingAppGWRequestBuffering, v["request_buffering_enabled"])
		b.in.Set(chaincheck.SettingAppGWResponseBuffering, v["response_buffering_enabled"])
	default:
		b.set(chaincheck.SettingAppGWGlobal, v, r, "global") // unknown, or no block
	}
	b.requestTimeout(g, toAPIM)
	b.waf(g)
}

// oneBlock is a block azurerm writes as a list of at most one: the
// object, Unknown, or nil.
func oneBlock(m map[string]any, key string) any {
	switch v := m[key].(type) {
	case []any:
		if len(v) == 1 {
			return v[0]
		}
		return nil
	default:
		return v
	}
}

// requestTimeout puts the tightest request_timeout of the backend
// settings the gateway's rules route to API Management with (to any pool
// on a gateway with no API Management behind it; all settings when no
// rule names one), naming which.
func (b *builder) requestTimeout(g *gateway, toAPIM bool) {
	r := g.res
	used := map[string]bool{}
	route := func(pool, settings any) {
		p, _ := pool.(string)
		s, ok := settings.(string)
		if ok && (!toAPIM || len(g.apimPools) == 0 || slices.Contains(g.apimPools, p)) {
			used[s] = true
		}
	}
	maps_ := map[string]map[string]any{}
	for _, pm := range blocks(r.Values, "url_path_map") {
		if n, ok := str(pm, "name"); ok {
			maps_[n] = pm
		}
	}
	for _, rule := range blocks(r.Values, "request_routing_rule") {
		route(rule["backend_address_pool_name"], rule["backend_http_settings_name"])
		if n, ok := str(rule, "url_path_map_name"); ok && maps_[n] != nil {
			pm := maps_[n]
			route(pm["default_backend_address_pool_name"], pm["default_backend_http_settings_name"])
			for _, pr := range blocks(pm, "path_rule") {
				route(pr["backend_address_pool_name"], pr["backend_http_settings_name"])
			}
		}
	}
	var cands []map[string]any
	all := blocks(r.Values, "backend_http_settings")
	for _, s := range all {
		if n, ok := str(s, "name"); ok && used[n] {
			cands = append(cands, s)
		}
	}
	if len(cands) == 0 {
		cands = all
	}
	var tight map[string]any
	tightSecs := int64(0)
	var described []string
	for _, s := range cands {
		v := s["request_timeout"]
		if plain.IsUnknown(v) {
			b.set(chaincheck.SettingAppGWTimeout, plain.Unknown, r, settingsAttr(s))
			return
		}
		secs, ok := whole(v)
		if v == nil {
			secs, ok = streamprofile.AppGWDefaultTimeout, true
		}
		if !ok {
			continue
		}
		n, _ := str(s, "name")
		described = append(described, fmt.Sprintf("%s (%d s)", n, secs))
		if tight == nil || secs < tightSecs {
			tight, tightSecs = s, secs
		}
	}
	if tight == nil {
		return
	}
	b.set(chaincheck.SettingAppGWTimeout, tight["request_timeout"], r, settingsAttr(tight))
	if len(described) > 1 {
		n, _ := str(tight, "name")
		b.note("%s: the tightest request_timeout of the backend settings on this path is checked, %s's, of %s", r.Address, n, strings.Join(described, ", "))
	}
}

// whole reads a whole number from a plain value.
func whole(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		return i, err == nil
	case float64:
		return int64(n), float64(int64(n)) == n
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

func settingsAttr(s map[string]any) string {
	if n, ok := str(s, "name"); ok {
		return fmt.Sprintf("backend_http_settings[%q].request_timeout", n)
	}
	return "backend_http_settings.request_timeout"
}

// waf puts whether a WAF inspects request bodies: the linked firewall
// policy's policy_settings, or the gateway's waf_configuration (azurerm's
// defaults: both checks on when the block is given).
func (b *builder) waf(g *gateway) {
	r := g.res
	if g.waf != nil {
		b.use(g.waf)
		b.set(chaincheck.SettingAppGWWAF, checkOn(oneBlock(g.waf.Values, "policy_settings"), "enabled", "request_body_check"), g.waf, "policy_settings.request_body_check")
		return
	}
	if wc := oneBlock(r.Values, "waf_configuration"); wc != nil {
		b.set(chaincheck.SettingAppGWWAF, checkOn(wc, "enabled", "request_body_check"), r, "waf_configuration.request_body_check")
		return
	}
	switch v := r.Values["firewall_policy_id"]; {
	case plain.IsUnknown(v):
		b.set(chaincheck.SettingAppGWWAF, plain.Unknown, r, "firewall_policy_id")
	case v != nil:
		b.note("%s: its firewall policy %v is not in this plan, so whether the WAF inspects request bodies is not checked", r.Address, v)
	}
}

// checkOn is true when every switch of the block is on (a switch left
// out is on); Unknown when the block or a switch is.
func checkOn(blk any, switches ...string) any {
	if plain.IsUnknown(blk) {
		return plain.Unknown
	}
	m, ok := blk.(map[string]any)
	if !ok {
		return true // no policy_settings block: Azure's defaults, inspection on
	}
	for _, s := range switches {
		switch v := m[s].(type) {
		case bool:
			if !v {
				return false
			}
		default:
			if plain.IsUnknown(v) {
				return plain.Unknown
			}
		}
	}
	return true
}

func (b *builder) apim(spec pathSpec) {
	s := spec.svc
	b.use(s.customDomains...)
	if s.res != nil {
		b.use(s.res)
		b.set(chaincheck.SettingAPIM, onPath(), s.res, "")
		b.set(chaincheck.SettingAPIMSKU, s.res.Values["sku_name"], s.res, "sku_name")
	} else {
		b.in.Set(chaincheck.SettingAPIM, onPath())
		unchecked := "its sku_name (the Consumption tier cannot stream) is not checked"
		if len(s.globalPolicies) == 0 {
			unchecked = "its sku_name (the Consumption tier cannot stream) and its global policy, which every API runs, are not checked"
		}
		b.note("API Management %s is not in this plan (the resources here name it): %s", s.label(), unchecked)
	}
	var docs []*apimpolicy.Document
	add := func(scope apimcheck.Scope, rs []*Resource) {
		for _, r := range rs {
			b.use(r)
			v := r.Values["xml_content"]
			if _, ok := v.(string); !ok && !plain.IsUnknown(v) {
				if link, ok := str(r.Values, "xml_link"); ok {
					b.note("%s: its document is at xml_link %s, which sseready does not fetch: its policies are not checked", r.Address, link)
				}
				continue
			}
			if doc := b.m.doc(r, "xml_content"); doc != nil {
				docs = append(docs, doc)
				if root := doc.Root(); root != nil && root.Name == "policies" {
					b.scoped = append(b.scoped, apimcheck.ScopedPolicy{Scope: scope, Doc: doc, Name: r.Address + ".xml_content"})
				}
			}
			i := len(b.names)
			b.names = append(b.names, r.Address)
			b.set(chaincheck.PolicyScopeSetting(i), string(scope), r, "")
			b.set(chaincheck.PolicyXMLSetting(i), v, r, "xml_content")
			b.places.at(chaincheck.PolicySetting(i), r, "")
		}
	}
	if len(s.globalPolicies) == 0 && s.res != nil {
		b.note("no azurerm_api_management_policy (global) for %s is in this plan: the global policy APIM has is not checked", s.res.Address)
	}
	add(apimcheck.Global, s.globalPolicies)
	if spec.product != nil {
		add(apimcheck.Product, spec.product.policies)
	}
	if a := spec.api; a != nil {
		b.use(a.res, a.first)
		b.use(a.productLinks...)
		add(apimcheck.API, a.policies)
		if spec.op != nil {
			b.use(spec.op.res)
			add(apimcheck.Operation, spec.op.policies)
		} else {
			for _, op := range a.ops {
				if len(op.policies) == 0 {
					b.use(op.res) // it runs the API's policy: this path
				}
			}
		}
	}
	n := 0
	addDiag := func(scope string, rs []*Resource) {
		for _, r := range rs {
			b.use(r, b.m.loggerOf(s, r))
			i := n
			n++
			b.places.at(chaincheck.DiagnosticSetting(i), r, "")
			b.set(chaincheck.DiagnosticScopeSetting(i), scope, r, "")
			b.set(chaincheck.DiagnosticIdentifierSetting(i), r.Values["identifier"], r, "identifier")
			for _, name := range apimdiag.Blocks {
				b.places.at(chaincheck.DiagnosticBlockSetting(i, name), r, name)
				switch v := oneBlock(r.Values, name).(type) {
				case map[string]any:
					b.in.Set(chaincheck.DiagnosticBlockSetting(i, name), onPath())
					b.set(chaincheck.DiagnosticBodyBytesSetting(i, name), v["body_bytes"], r, name+".body_bytes")
				default:
					if plain.IsUnknown(v) {
						b.in.Set(chaincheck.DiagnosticBlockSetting(i, name), plain.Unknown)
					}
				}
			}
		}
	}
	if spec.api != nil {
		addDiag(chaincheck.DiagnosticScopeAPI, spec.api.diagnostics)
	}
	addDiag(chaincheck.DiagnosticScopeGlobal, s.diagnostics)
	b.includedFragments(s, docs)
}

// includedFragments puts the fragments the documents include, and those
// they include in turn, by the fragment-id written.
func (b *builder) includedFragments(s *service, docs []*apimpolicy.Document) {
	ids, missing := apimpolicy.IncludedIDs(docs, func(id string) *apimpolicy.Document {
		if fr := s.fragments[lower(id)]; fr != nil {
			return b.m.doc(fr, "value")
		}
		return nil
	})
	for _, id := range missing {
		if s.fragments[lower(id)] == nil {
			b.note("include-fragment %q: no azurerm_api_management_policy_fragment of that name is in this plan", id)
		}
	}
	for _, id := range slices.Concat(ids, missing) {
		if fr := s.fragments[lower(id)]; fr != nil {
			b.use(fr)
			b.fragments[id] = fr
			b.set(chaincheck.FragmentSetting(id), fr.Values["value"], fr, "value")
		}
	}
}

// loggerOf is the logger a diagnostic writes to.
func (m *model) loggerOf(s *service, r *Resource) *Resource {
	if id, ok := str(r.Values, "api_management_logger_id"); ok {
		if l := s.loggers[lower(armSegment(id, "loggers"))]; l != nil {
			return l
		}
	}
	if refs := m.plan.refersTo(r, "api_management_logger_id", tLogger); len(refs) == 1 {
		return refs[0]
	}
	return nil
}

func (b *builder) backend(opts Options) {
	b.places.backend(opts.BackendSource)
	if len(opts.Backend) > 0 {
		b.in.Set(chaincheck.SettingBackend, opts.Backend)
	}
}

// lbSettings are the chain's settings of azurerm_lb_rule's attributes.
var lbSettings = []struct{ attr, setting string }{
	{"idle_timeout_in_minutes", chaincheck.SettingLBIdle},
	{"tcp_reset_enabled", chaincheck.SettingLBReset},
	{"enable_tcp_reset", chaincheck.SettingLBResetOld},
}

// moreHops adds the hops behind API Management that a plan can hold: a
// load balancer rule (the tightest, when there are several: which hop a
// rule fronts is not in the plan, so it stands on every path) and the
// content filter of the Azure OpenAI account the API's backend is: its
// service_url, or a backend entity or base URL its composed policy routes
// to with set-backend-service (contentFilter).
func (b *builder) moreHops(spec pathSpec) routed {
	if lb := tightestRule(b.m.lbRules); lb != nil {
		b.use(b.m.lbRules...)
		b.set(chaincheck.SettingLoadBalancer, onPath(), lb, "")
		for _, s := range lbSettings {
			b.set(s.setting, lb.Values[s.attr], lb, s.attr)
		}
		b.note("which hop %s fronts is not in the plan: its idle timeout is checked on every path", lb.Address)
		if len(b.m.lbRules) > 1 {
			b.note("of %d load balancer rules, %s has the tightest idle timeout and is the one checked", len(b.m.lbRules), lb.Address)
		}
	}
	var r routed
	if comp := b.composition(); comp != nil {
		r = b.backendsOf(spec.svc, comp, b.fragments)
	}
	b.contentFilter(spec, r)
	return r
}

// composition is the path's policy as APIM composes it, of the documents
// known (each named ADDRESS.xml_content), made once; nil when there is
// none (or two stand at one scope: the chain check says so).
func (b *builder) composition() *apimcheck.Composition {
	if b.composed || len(b.scoped) == 0 {
		return b.comp
	}
	b.composed = true
	if c, err := apimcheck.Compose(b.scoped); err == nil {
		b.comp = &c
	}
	return b.comp
}

// tightestRule is the rule with the shortest idle timeout (an unknown one
// first: it may be the tightest), or nil.
func tightestRule(rs []*Resource) *Resource {
	var best *Resource
	minutes := func(r *Resource) float64 {
		switch v := r.Values["idle_timeout_in_minutes"].(type) {
		case json.Number:
			if f, err := v.Float64(); err == nil {
				return f
			}
		case nil:
			return streamprofile.LoadBalancerIdle.Minutes() // azurerm's default
		}
		return -1 // unknown until apply, or not a number (Decode says so)
	}
	for _, r := range rs {
		if best == nil || minutes(r) < minutes(best) {
			best = r
		}
	}
	return best
}
