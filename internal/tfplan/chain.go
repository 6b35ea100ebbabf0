package tfplan

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// Options are what a plan cannot hold.
type Options struct {
	// Backend is the chain's backend object, as sseready_chain_check
	// takes it (max_event_gap, heartbeat_interval, max_time_to_headers,
	// tcp_keepalive, response_headers); nil or empty when not given, and
	// the checks that need it say so.
	Backend map[string]any
	// BackendSource says, per backend key, where its value came from (a
	// flag, a profile file), or how to give it when it is missing: the
	// Source of the findings about it.
	BackendSource map[string]string
}

// backendKeys are the chain's backend settings, in sseready_stream_profile's
// names (response_headers is the chain's own).
var backendKeys = []string{"max_event_gap", "heartbeat_interval", "max_time_to_headers", "tcp_keepalive", "response_headers"}

// Check links the plan's resources into stream paths and checks each path
// with the chain check (chaincheck), placing every finding, input error
// and unknown value on the resource attribute that holds it.
func Check(p *Plan, opts Options) Report {
	m := link(p)
	rep := Report{Kind: p.Kind, Destroyed: p.Destroyed}
	onPath := map[*Resource]bool{}
	run := func(spec pathSpec) {
		path := m.checkPath(spec, opts)
		for _, a := range path.Resources {
			onPath[p.byAddress[a]] = true
		}
		rep.Paths = append(rep.Paths, path)
	}
	onService := map[*gateway]bool{}
	for _, s := range m.services {
		fronts := m.fronts(s)
		for _, f := range fronts {
			if f.gw != nil {
				onService[f.gw] = true
			}
		}
		if len(s.apis) == 0 {
			if s.res == nil && len(s.globalPolicies) == 0 && len(s.diagnostics) == 0 {
				continue // only named by loggers or fragments: nothing runs
			}
			for _, f := range fronts {
				run(pathSpec{svc: s, gw: f.gw, fd: f.fd, front: f.label(len(fronts) > 1)})
			}
			continue
		}
		for _, a := range s.apis {
			products := slices.Clone(a.products)
			if len(products) == 0 {
				products = []*product{nil}
			}
			for _, f := range fronts {
				for _, pr := range products {
					for _, op := range a.targets() {
						run(pathSpec{svc: s, api: a, product: pr, op: op, gw: f.gw, fd: f.fd, front: f.label(len(fronts) > 1)})
					}
				}
			}
		}
	}
	// Gateways and Front Door profiles in front of no API Management:
	// each is a path of its own.
	onGateway := map[*frontDoor]bool{}
	for _, g := range m.gateways {
		if onService[g] {
			for _, fd := range m.frontDoors {
				if slices.Contains(fd.gateways, g) {
					onGateway[fd] = true
				}
			}
			continue
		}
		fds := m.frontOf(g)
		if len(fds) == 0 {
			fds = []*frontDoor{nil}
		}
		for _, fd := range fds {
			onGateway[fd] = true
			run(pathSpec{gw: g, fd: fd})
		}
	}
	for _, fd := range m.frontDoors {
		if !onGateway[fd] && len(fd.svcs) == 0 {
			run(pathSpec{fd: fd})
		}
	}
	for _, r := range p.Resources {
		if onPath[r] {
			continue
		}
		rep.NotOnPath = append(rep.NotOnPath, r.Address)
		if why := m.unlinked[r]; why != "" {
			rep.Notes = append(rep.Notes, why)
		}
	}
	return rep
}

// front is what stands in front of a service on one way in.
type front struct {
	fd *frontDoor
	gw *gateway
}

func (f front) label(show bool) string {
	if !show {
		return ""
	}
	var parts []string
	if f.fd != nil {
		parts = append(parts, "front door "+nameOf(f.fd.profile))
	}
	if f.gw != nil {
		parts = append(parts, "app gateway "+nameOf(f.gw.res))
	}
	if len(parts) == 0 {
		return "direct > "
	}
	return strings.Join(parts, " > ") + " > "
}

func nameOf(r *Resource) string {
	if n, ok := str(r.Values, "name"); ok {
		return n
	}
	return r.Address
}

// fronts are the ways into a service: through each gateway in front of
// it (and the Front Door in front of that), through a Front Door
// straight to it, or directly.
func (m *model) fronts(s *service) []front {
	var out []front
	for _, g := range m.gateways {
		if !slices.Contains(g.svcs, s) {
			continue
		}
		fds := m.frontOf(g)
		if len(fds) == 0 {
			out = append(out, front{gw: g})
		}
		for _, fd := range fds {
			out = append(out, front{fd: fd, gw: g})
		}
	}
	for _, fd := range m.frontDoors {
		if slices.Contains(fd.svcs, s) {
			out = append(out, front{fd: fd})
		}
	}
	if len(out) == 0 {
		out = append(out, front{})
	}
	return out
}

func (m *model) frontOf(g *gateway) []*frontDoor {
	var out []*frontDoor
	for _, fd := range m.frontDoors {
		if slices.Contains(fd.gateways, g) {
			out = append(out, fd)
		}
	}
	return out
}

// targets are the API's paths through its operations: each operation
// with a policy, and the API itself for the others (left out when every
// operation the plan declares has a policy and none comes from an import).
func (a *api) targets() []*operation {
	var out []*operation
	declared, all := 0, true
	for _, op := range a.ops {
		if op.res != nil {
			declared++
		}
		if len(op.policies) > 0 {
			out = append(out, op)
		} else if op.res != nil {
			all = false
		}
	}
	all = all && declared > 0
	if a.res != nil {
		if imp, _ := a.res.Values["import"].([]any); len(imp) > 0 {
			all = false
		}
	}
	if !all || len(out) == 0 {
		out = append([]*operation{nil}, out...)
	}
	return out
}

type pathSpec struct {
	svc     *service
	api     *api
	product *product
	op      *operation
	gw      *gateway
	fd      *frontDoor
	front   string
}

// builder builds one path's chain as a plain value, recording where each
// setting comes from.
type builder struct {
	m      *model
	places map[string]Place
	// fragments are the fragment resources by the fragment-id included.
	fragments map[string]*Resource
	resources []*Resource
	notes     []string
}

func (b *builder) at(setting string, r *Resource, attr string) {
	b.places[setting] = Place{Address: r.Address, Attribute: attr}
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

func (m *model) checkPath(spec pathSpec, opts Options) Path {
	b := &builder{m: m, places: map[string]Place{}, fragments: map[string]*Resource{}}
	chain := map[string]any{}
	var path Path
	var label []string
	if spec.fd != nil {
		chain["front_door"] = b.frontDoor(spec.fd)
		if spec.gw == nil && spec.svc == nil {
			path.API = spec.fd.profile.Address
			label = append(label, "front door "+nameOf(spec.fd.profile))
		}
	}
	if spec.gw != nil {
		chain["app_gateway"] = b.appGateway(spec.gw, spec.svc != nil)
		if spec.svc == nil {
			path.API = spec.gw.res.Address
			label = append(label, "app gateway "+nameOf(spec.gw.res))
		}
	}
	if spec.svc != nil {
		chain["apim"] = b.apim(spec)
		if spec.api == nil {
			label = append(label, "all APIs of "+spec.svc.label())
			path.API = spec.svc.address()
		} else {
			if spec.product != nil {
				b.use(spec.product.res)
				label = append(label, "product "+spec.product.id)
			}
			label = append(label, "api "+spec.api.label())
			path.API = spec.api.address()
			if spec.op != nil {
				label = append(label, "operation "+spec.op.label())
			}
		}
	}
	path.Label = spec.front + strings.Join(label, " > ")
	if be := b.backend(opts); be != nil {
		chain["backend"] = be
	}
	b.moreHops(spec, chain)

	c, errs := chaincheck.Decode(chain)
	var res chaincheck.Result
	if len(errs) == 0 {
		res, errs = chaincheck.Check(c)
	}
	for _, e := range errs {
		path.Errors = append(path.Errors, Error{At: b.lookup(e.Field), Line: e.Line, Column: e.Column, Message: b.rewrite(e.Msg)})
	}
	if len(errs) == 0 {
		path.Ready, path.Complete = res.Ready, res.Complete
		for _, u := range res.Unknown {
			if at := b.lookup(u); !slices.Contains(path.Unknown, at) {
				path.Unknown = append(path.Unknown, at)
			}
		}
		for _, f := range res.Findings {
			path.Findings = append(path.Findings, b.place(f))
		}
	}
	path.Notes = b.notes
	for _, r := range b.resources {
		path.Resources = append(path.Resources, r.Address)
	}
	return path
}

func (s *service) label() string {
	if s.name != "" {
		return s.name
	}
	return s.key
}

func (s *service) address() string {
	switch {
	case s.res != nil:
		return s.res.Address
	case len(s.globalPolicies) > 0:
		return s.globalPolicies[0].Address
	case len(s.diagnostics) > 0:
		return s.diagnostics[0].Address
	}
	return ""
}

func (a *api) label() string {
	if strings.HasPrefix(a.name, "@") {
		return a.address()
	}
	return a.name
}

func (a *api) address() string {
	if a.res != nil {
		return a.res.Address
	}
	if a.first != nil {
		return a.first.Address
	}
	return ""
}

func (op *operation) label() string {
	if strings.HasPrefix(op.id, "@") && op.res != nil {
		return op.res.Address
	}
	return op.id
}

func (b *builder) frontDoor(fd *frontDoor) map[string]any {
	r := fd.profile
	b.use(r)
	b.use(fd.groups...)
	b.use(fd.origins...)
	if fd.assumed {
		b.note("%s is taken to be in front of this path: it is the only Front Door profile, and no origin names a host", r.Address)
	}
	b.at("front_door", r, "")
	b.at("front_door.response_timeout_seconds", r, "response_timeout_seconds")
	out := map[string]any{}
	if v := r.Values["response_timeout_seconds"]; v != nil {
		out["response_timeout_seconds"] = v
	}
	return out
}

func (b *builder) appGateway(g *gateway, toAPIM bool) map[string]any {
	r := g.res
	b.use(r)
	if g.assumed {
		b.note("%s is taken to be in front of API Management: it is the only Application Gateway, and its backend pools name no address", r.Address)
	}
	b.at("app_gateway", r, "")
	out := map[string]any{}
	if v := oneBlock(r.Values, "sku"); plain.IsUnknown(v) {
		out["sku_name"] = plain.Unknown
	} else if m, ok := v.(map[string]any); ok {
		out["sku_name"] = m["name"]
	}
	b.at("app_gateway.sku_name", r, "sku.name")
	switch v := oneBlock(r.Values, "global").(type) {
	case map[string]any:
		gl := map[string]any{}
		for _, k := range []string{"request_buffering_enabled", "response_buffering_enabled"} {
			if x, ok := v[k]; ok {
				gl[k] = x
			}
		}
		out["global"] = gl
	default:
		if plain.IsUnknown(v) {
			out["global"] = plain.Unknown
		}
	}
	b.at("app_gateway.global", r, "global")
	b.requestTimeout(g, out, toAPIM)
	b.waf(g, out)
	return out
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
func (b *builder) requestTimeout(g *gateway, out map[string]any, toAPIM bool) {
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
			out["request_timeout"] = plain.Unknown
			b.at("app_gateway.request_timeout", r, settingsAttr(s))
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
	if v := tight["request_timeout"]; v != nil {
		out["request_timeout"] = v
	}
	b.at("app_gateway.request_timeout", r, settingsAttr(tight))
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
func (b *builder) waf(g *gateway, out map[string]any) {
	r := g.res
	const key = "waf_request_body_check"
	if g.waf != nil {
		b.use(g.waf)
		ps := oneBlock(g.waf.Values, "policy_settings")
		b.at("app_gateway."+key, g.waf, "policy_settings.request_body_check")
		out[key] = checkOn(ps, "enabled", "request_body_check")
		return
	}
	if wc := oneBlock(r.Values, "waf_configuration"); wc != nil {
		b.at("app_gateway."+key, r, "waf_configuration.request_body_check")
		out[key] = checkOn(wc, "enabled", "request_body_check")
		return
	}
	switch v := r.Values["firewall_policy_id"]; {
	case plain.IsUnknown(v):
		b.at("app_gateway."+key, r, "firewall_policy_id")
		out[key] = plain.Unknown
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

var includeRE = regexp.MustCompile(`fragment-id\s*=\s*["']([^"']*)["']`)

func (b *builder) apim(spec pathSpec) map[string]any {
	s := spec.svc
	out := map[string]any{}
	if s.res != nil {
		b.use(s.res)
		b.at("apim", s.res, "")
		if v := s.res.Values["sku_name"]; v != nil {
			out["sku_name"] = v
			b.at("apim.sku_name", s.res, "sku_name")
		}
	}
	var policies []any
	var xmls []string
	add := func(scope string, rs []*Resource) {
		for _, r := range rs {
			b.use(r)
			v := r.Values["xml_content"]
			if _, ok := v.(string); !ok && !plain.IsUnknown(v) {
				if link, ok := str(r.Values, "xml_link"); ok {
					b.note("%s: its document is at xml_link %s, which sseready does not fetch: its policies are not checked", r.Address, link)
				}
				continue
			}
			if x, ok := v.(string); ok {
				xmls = append(xmls, x)
			}
			i := len(policies)
			policies = append(policies, map[string]any{"scope": scope, "xml": v})
			p := fmt.Sprintf("apim.policies[%d]", i)
			b.at(p, r, "")
			b.at(p+".scope", r, "")
			b.at(p+".xml", r, "xml_content")
		}
	}
	if len(s.globalPolicies) == 0 && s.res != nil {
		b.note("no azurerm_api_management_policy (global) for %s is in this plan: the global policy APIM has is not checked", s.res.Address)
	}
	add("global", s.globalPolicies)
	if spec.product != nil {
		add("product", spec.product.policies)
	}
	if a := spec.api; a != nil {
		b.use(a.res, a.first)
		b.use(a.productLinks...)
		add("api", a.policies)
		if spec.op != nil {
			b.use(spec.op.res)
			add("operation", spec.op.policies)
		} else {
			for _, op := range a.ops {
				if len(op.policies) == 0 {
					b.use(op.res) // it runs the API's policy: this path
				}
			}
		}
	}
	if len(policies) > 0 {
		out["policies"] = policies
	}
	var diags []any
	addDiag := func(scope string, rs []*Resource) {
		for _, r := range rs {
			b.use(r, b.m.loggerOf(s, r))
			i := len(diags)
			p := fmt.Sprintf("apim.diagnostics[%d]", i)
			b.at(p, r, "")
			d := map[string]any{"identifier": r.Values["identifier"], "scope": scope}
			b.at(p+".identifier", r, "identifier")
			for _, name := range apimdiag.Blocks {
				b.at(p+"."+name, r, name)
				b.at(p+"."+name+".body_bytes", r, name+".body_bytes")
				switch v := oneBlock(r.Values, name).(type) {
				case map[string]any:
					blk := map[string]any{}
					if n, ok := v["body_bytes"]; ok {
						blk["body_bytes"] = n
					}
					d[name] = blk
				default:
					if plain.IsUnknown(v) {
						d[name] = plain.Unknown
					}
				}
			}
			diags = append(diags, d)
		}
	}
	if spec.api != nil {
		addDiag("api", spec.api.diagnostics)
	}
	addDiag("global", s.diagnostics)
	if len(diags) > 0 {
		out["diagnostics"] = diags
	}
	if frags := b.includedFragments(s, xmls); len(frags) > 0 {
		out["fragments"] = frags
	}
	return out
}

// includedFragments are the fragments the documents include, and those
// they include in turn, by the fragment-id written.
func (b *builder) includedFragments(s *service, xmls []string) map[string]any {
	out := map[string]any{}
	for len(xmls) > 0 {
		x := xmls[0]
		xmls = xmls[1:]
		for _, m := range includeRE.FindAllStringSubmatch(x, -1) {
			id := strings.TrimSpace(m[1])
			if _, done := out[id]; done || id == "" {
				continue
			}
			fr := s.fragments[lower(id)]
			if fr == nil {
				b.note("include-fragment %q: no azurerm_api_management_policy_fragment of that name is in this plan", id)
				continue
			}
			b.use(fr)
			b.fragments[id] = fr
			b.at("apim.fragments."+id, fr, "value")
			v := fr.Values["value"]
			out[id] = v
			if sv, ok := v.(string); ok {
				xmls = append(xmls, sv)
			}
		}
	}
	return out
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

func (b *builder) backend(opts Options) map[string]any {
	for _, k := range backendKeys {
		b.places["backend."+k] = Place{Attribute: k, Source: opts.BackendSource[k]}
	}
	if len(opts.Backend) == 0 {
		return nil
	}
	return maps.Clone(opts.Backend)
}

// moreHops adds the hops behind API Management that a plan can hold: a
// load balancer rule (the tightest, when there are several: which hop a
// rule fronts is not in the plan, so it stands on every path) and the
// content filter of the Azure OpenAI account the API's backend is (one
// linked to no API stands on every path).
func (b *builder) moreHops(spec pathSpec, chain map[string]any) {
	if lb := tightestRule(b.m.lbRules); lb != nil {
		b.use(b.m.lbRules...)
		rule := map[string]any{}
		for _, attr := range []string{"idle_timeout_in_minutes", "tcp_reset_enabled", "enable_tcp_reset"} {
			if v, ok := lb.Values[attr]; ok && v != nil {
				rule[attr] = v
				b.at("load_balancer."+attr, lb, attr)
			}
		}
		b.at("load_balancer", lb, "")
		chain["load_balancer"] = rule
		b.note("which hop %s fronts is not in the plan: its idle timeout is checked on every path", lb.Address)
		if len(b.m.lbRules) > 1 {
			b.note("of %d load balancer rules, %s has the tightest idle timeout and is the one checked", len(b.m.lbRules), lb.Address)
		}
	}
	var filter *raiPolicy
	for _, rp := range b.m.rai {
		if rp.linked && (spec.api == nil || !slices.Contains(spec.api.rai, rp)) {
			continue
		}
		b.use(rp.res)
		if rp.linked {
			b.use(rp.account)
		} else {
			b.note("no API's service_url is %s's account: its mode is checked on every path", rp.res.Address)
		}
		// Of several, one that chunks decides the path.
		if filter == nil || (filter.res.Values["mode"] == chaincheck.AsynchronousFilter && rp.res.Values["mode"] != chaincheck.AsynchronousFilter) {
			filter = rp
		}
	}
	if filter != nil {
		ao := map[string]any{}
		if v, ok := filter.res.Values["mode"]; ok && v != nil {
			ao["content_filter_mode"] = v
		}
		b.at("azure_openai.content_filter_mode", filter.res, "mode")
		b.at("azure_openai", filter.res, "")
		chain["azure_openai"] = ao
	}
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

// lookup places a setting path: the longest recorded path it starts
// with, the rest appended to the attribute.
func (b *builder) lookup(setting string) Place {
	for s := setting; s != ""; s = parentSetting(s) {
		p, ok := b.places[s]
		if !ok {
			continue
		}
		if rest := strings.TrimPrefix(strings.TrimPrefix(setting, s), "."); rest != "" {
			if p.Attribute == "" {
				p.Attribute = rest
			} else {
				p.Attribute += "." + rest
			}
		}
		return p
	}
	return Place{Attribute: setting}
}

func parentSetting(s string) string {
	i := strings.LastIndexAny(s, ".[")
	if i < 0 {
		return ""
	}
	return s[:i]
}

var chainPathRE = regexp.MustCompile(`apim\.(?:policies|diagnostics)\[\d+\]`)

// rewrite names resources instead of the chain's paths in a message.
func (b *builder) rewrite(msg string) string {
	msg = chainPathRE.ReplaceAllStringFunc(msg, func(s string) string {
		if p, ok := b.places[s]; ok {
			return p.Address
		}
		return s
	})
	msg = strings.Replace(msg, "is in this chain;", "is in this plan;", 1)
	return strings.Replace(msg, "add it to apim.policies", "it is managed outside this plan and this finding does not apply", 1)
}

// place puts a chain finding on its resource attribute.
func (b *builder) place(f rules.Finding) Finding {
	out := Finding{Finding: f, Setting: f.Setting, At: b.lookup(f.Setting)}
	if fr := b.fragments[f.Fragment]; f.Fragment != "" && fr != nil {
		out.At = Place{Address: fr.Address, Attribute: "value"}
	}
	if f.Rule == rules.ValueUnknown {
		out.Message = fmt.Sprintf("%s is not known until apply: the checks that need it run then", out.At)
		return out
	}
	msg := f.Message
	// "apim.policies[1] (api scope): ": the place already names the policy.
	if pre := policyPrefixRE.FindString(msg); pre != "" {
		if p, ok := b.places[pre[:strings.Index(pre, " (")]]; ok && p.Address == out.At.Address {
			msg = msg[len(pre):]
		}
	}
	out.Message = b.rewrite(msg)
	return out
}

var policyPrefixRE = regexp.MustCompile(`^apim\.policies\[\d+\] \(\w+ scope\): `)

// ReadProfile reads the backend's settings from a JSON of
// sseready_stream_profile's inputs (or of the whole data source, whose
// outputs are ignored), and the chain backend's response_headers. hops is
// ignored: the plan says which hops there are.
func ReadProfile(v any) (map[string]any, []*input.Error) {
	r := &plain.Reader{}
	m := r.Object(v, "profile")
	if m == nil {
		if len(r.Errs) == 0 {
			r.Fail("profile", "must be an object such as {\"max_event_gap\": \"6m\", \"heartbeat_interval\": \"20s\"}")
		}
		return nil, r.Errs
	}
	r.Keys(m, "", append(slices.Clone(backendKeys), "hops", "required_heartbeat_interval", "wire_silence",
		"appgw_request_timeout", "apim_forward_request_timeout", "front_door_origin_response_timeout",
		"backend_response_headers", "heartbeat_line", "ready", "findings")...)
	out := map[string]any{}
	for _, k := range []string{"max_event_gap", "heartbeat_interval", "max_time_to_headers"} {
		if s, ok := r.String(m, "", k); ok {
			if _, err := input.Duration(k, s); err != nil {
				r.Errs = append(r.Errs, err)
				continue
			}
			out[k] = s
		}
	}
	if b, ok := r.Bool(m, "", "tcp_keepalive"); ok {
		out["tcp_keepalive"] = b
	}
	if h := r.Object(m["response_headers"], "response_headers"); h != nil {
		hs := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(h)) {
			if s, ok := r.String(h, "response_headers", k); ok {
				hs[k] = s
			}
		}
		out["response_headers"] = hs
	}
	return out, r.Errs
}
