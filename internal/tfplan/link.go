package tfplan

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// The azurerm resource types on a stream's path.
const (
	tAPIM            = "azurerm_api_management"
	tGlobalPolicy    = "azurerm_api_management_policy"
	tProduct         = "azurerm_api_management_product"
	tProductAPI      = "azurerm_api_management_product_api"
	tProductPolicy   = "azurerm_api_management_product_policy"
	tAPI             = "azurerm_api_management_api"
	tAPIPolicy       = "azurerm_api_management_api_policy"
	tOperation       = "azurerm_api_management_api_operation"
	tOperationPolicy = "azurerm_api_management_api_operation_policy"
	tFragment        = "azurerm_api_management_policy_fragment"
	tLogger          = "azurerm_api_management_logger"
	tAPIDiagnostic   = "azurerm_api_management_api_diagnostic"
	tDiagnostic      = "azurerm_api_management_diagnostic"
	tAppGW           = "azurerm_application_gateway"
	tWAFPolicy       = "azurerm_web_application_firewall_policy"
	tPublicIP        = "azurerm_public_ip"
	tLBRule          = "azurerm_lb_rule"
	tFDProfile       = "azurerm_cdn_frontdoor_profile"
	tFDOriginGroup   = "azurerm_cdn_frontdoor_origin_group"
	tFDOrigin        = "azurerm_cdn_frontdoor_origin"
	tCognitive       = "azurerm_cognitive_account"
	tRAIPolicy       = "azurerm_cognitive_account_rai_policy"
	tCustomDomain    = "azurerm_api_management_custom_domain"
	tBackend         = "azurerm_api_management_backend"
	tDeployment      = "azurerm_cognitive_deployment"
)

// model is the plan's resources linked into what a request crosses: API
// Management services with their products, APIs, operations, policies,
// fragments and diagnostics; the Application Gateways and Front Door
// profiles in front; load balancer rules and content filters behind.
type model struct {
	plan       *Plan
	services   []*service
	svcByKey   map[string]*service
	svcByRes   map[*Resource]*service
	apiByRes   map[*Resource]*api
	opByRes    map[*Resource]*operation
	opAPI      map[*operation]*api
	prodByRes  map[*Resource]*product
	gateways   []*gateway
	gwByRes    map[*Resource]*gateway
	frontDoors []*frontDoor
	lbRules    []*Resource
	// accounts are the Azure OpenAI (cognitive) accounts, with their
	// deployments and content filter policies; rai every content filter
	// policy, orphans (no account in the plan) included.
	accounts []*aiAccount
	rai      []*raiPolicy
	// unlinked says, per resource of a known type, why it is on no path.
	unlinked map[*Resource]string
	// docs are the policy documents read, by resource and attribute.
	docs map[docKey]*apimpolicy.Document
}

type docKey struct {
	r    *Resource
	attr string
}

// doc is the policy document in r's attribute attr, parsed once; nil when
// the value is not known yet, not a string, or does not parse (the chain
// check reports that).
func (m *model) doc(r *Resource, attr string) *apimpolicy.Document {
	k := docKey{r, attr}
	if d, ok := m.docs[k]; ok {
		return d
	}
	var d *apimpolicy.Document
	if x, ok := str(r.Values, attr); ok {
		d, _ = apimpolicy.Parse([]byte(x))
	}
	m.docs[k] = d
	return d
}

type service struct {
	key string
	// res is the azurerm_api_management; nil when the service is managed
	// elsewhere and only named by the resources in the plan.
	res            *Resource
	name           string
	globalPolicies []*Resource
	diagnostics    []*Resource // the global (All APIs) ones
	fragments      map[string]*Resource
	products       map[string]*product
	apis           []*api
	apisByName     map[string][]*api
	loggers        map[string]*Resource
	// backends are its azurerm_api_management_backend resources, by name.
	backends map[string]*Resource
	// hosts are the host names and addresses the service answers on.
	hosts []string
	// customDomains are its azurerm_api_management_custom_domain
	// resources, whose gateway host names it answers on too.
	customDomains []*Resource
}

type product struct {
	id       string
	res      *Resource
	policies []*Resource
}

type api struct {
	svc  *service
	name string
	// res is the azurerm_api_management_api; nil when the API is only
	// named by resources in the plan (first is the first that names it).
	res, first   *Resource
	policies     []*Resource
	ops          []*operation
	opsByID      map[string]*operation
	diagnostics  []*Resource
	products     []*product
	productLinks []*Resource
	// accounts are the Azure OpenAI accounts its service_url is.
	accounts []*aiAccount
}

type operation struct {
	id       string
	res      *Resource
	policies []*Resource
}

type gateway struct {
	res  *Resource
	svcs []*service
	// apimPools are the backend pools that point at API Management.
	apimPools []string
	assumed   bool
	waf       *Resource
	publicIPs []*Resource
	// knownTargets is true when a backend pool names an address.
	knownTargets bool
}

type frontDoor struct {
	profile  *Resource
	groups   []*Resource
	origins  []*Resource
	gateways []*gateway
	svcs     []*service
	assumed  bool
	// knownTargets is true when an origin names its host.
	knownTargets bool
}

func lower(s string) string { return strings.ToLower(s) }

func serviceKey(rg, name string) string { return lower(rg) + "/" + lower(name) }

// armSegment returns the value after /name/ in an ARM resource ID, case
// insensitively ("" when absent).
func armSegment(id, name string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], name) {
			return parts[i+1]
		}
	}
	return ""
}

// serviceKeyFromID reads an API Management service from an ARM ID of it
// or of anything inside it.
func serviceKeyFromID(id string) (string, bool) {
	rg, name := armSegment(id, "resourceGroups"), armSegment(id, "service")
	if rg == "" || name == "" || !strings.Contains(lower(id), "/microsoft.apimanagement/") {
		return "", false
	}
	return serviceKey(rg, name), true
}

func link(p *Plan) *model {
	m := &model{
		plan: p, svcByKey: map[string]*service{}, svcByRes: map[*Resource]*service{},
		apiByRes: map[*Resource]*api{}, opByRes: map[*Resource]*operation{}, opAPI: map[*operation]*api{}, prodByRes: map[*Resource]*product{},
		gwByRes: map[*Resource]*gateway{}, unlinked: map[*Resource]string{}, docs: map[docKey]*apimpolicy.Document{},
	}
	byType := map[string][]*Resource{}
	for _, r := range p.Resources {
		byType[r.Type] = append(byType[r.Type], r)
	}
	for _, r := range byType[tAPIM] {
		key := "@" + r.Address
		name, ok1 := str(r.Values, "name")
		rg, ok2 := str(r.Values, "resource_group_name")
		if ok1 && ok2 {
			key = serviceKey(rg, name)
		}
		s := m.service(key)
		if s.res != nil {
			m.unlinked[r] = fmt.Sprintf("%s declares the same service as %s", r.Address, s.res.Address)
			continue
		}
		s.res, s.name = r, name
		if name == "" {
			s.name = r.Name
		}
		m.svcByRes[r] = s
		s.hosts = serviceHosts(r)
	}
	for _, r := range byType[tProduct] {
		if s := m.serviceOf(r); s != nil {
			id, ok := str(r.Values, "product_id")
			if !ok {
				id = "@" + r.Address
			}
			pr := s.product(id)
			if pr.res == nil {
				pr.res = r
			}
			m.prodByRes[r] = pr
		}
	}
	for _, r := range byType[tAPI] {
		if s := m.serviceOf(r); s != nil {
			name, ok := str(r.Values, "name")
			if !ok {
				name = "@" + r.Address
			}
			a := s.api(name, r)
			if a.res == nil {
				a.res = r
			}
			m.apiByRes[r] = a
		}
	}
	for _, r := range byType[tOperation] {
		if a := m.apiOf(r); a != nil {
			id, ok := str(r.Values, "operation_id")
			if !ok {
				id = "@" + r.Address
			}
			op := a.op(id)
			if op.res == nil {
				op.res = r
			}
			m.opByRes[r] = op
			m.opAPI[op] = a
		}
	}
	for _, r := range byType[tProductAPI] {
		a, pr := m.apiOf(r), m.productOf(r)
		if a == nil || pr == nil {
			continue
		}
		if !slices.Contains(a.products, pr) {
			a.products = append(a.products, pr)
		}
		a.productLinks = append(a.productLinks, r)
	}
	for _, r := range byType[tProductPolicy] {
		if pr := m.productOf(r); pr != nil {
			pr.policies = append(pr.policies, r)
		}
	}
	for _, r := range byType[tAPIPolicy] {
		if a := m.apiOf(r); a != nil {
			a.policies = append(a.policies, r)
		}
	}
	for _, r := range byType[tOperationPolicy] {
		if op := m.operationOf(r); op != nil {
			op.policies = append(op.policies, r)
		}
	}
	for _, r := range byType[tGlobalPolicy] {
		if s := m.serviceOf(r); s != nil {
			s.globalPolicies = append(s.globalPolicies, r)
		}
	}
	for _, r := range byType[tFragment] {
		if s := m.serviceOf(r); s != nil {
			name, ok := str(r.Values, "name")
			if !ok {
				m.unlinked[r] = fmt.Sprintf("%s: its name is not known until apply, so no include-fragment can be matched to it", r.Address)
				continue
			}
			s.fragments[lower(name)] = r
		}
	}
	for _, r := range byType[tLogger] {
		if s := m.serviceOf(r); s != nil {
			name, ok := str(r.Values, "name")
			if !ok {
				name = "@" + r.Address
			}
			s.loggers[lower(name)] = r
		}
	}
	for _, r := range byType[tBackend] {
		if s := m.serviceOf(r); s != nil {
			name, ok := str(r.Values, "name")
			if !ok {
				m.unlinked[r] = fmt.Sprintf("%s: its name is not known until apply, so no set-backend-service can be matched to it", r.Address)
				continue
			}
			s.backends[lower(name)] = r
		}
	}
	for _, r := range byType[tAPIDiagnostic] {
		if a := m.apiOf(r); a != nil {
			a.diagnostics = append(a.diagnostics, r)
		}
	}
	for _, r := range byType[tDiagnostic] {
		if s := m.serviceOf(r); s != nil {
			s.diagnostics = append(s.diagnostics, r)
		}
	}
	for _, r := range byType[tCustomDomain] {
		if s := m.serviceOf(r); s != nil {
			s.customDomains = append(s.customDomains, r)
			m.svcByRes[r] = s // a reference to it is one to the service
			for _, gw := range blocks(r.Values, "gateway") {
				if h, ok := str(gw, "host_name"); ok {
					s.hosts = append(s.hosts, lower(h))
				}
			}
		}
	}
	m.linkGateways(byType)
	m.linkFrontDoors(byType)
	m.lbRules = byType[tLBRule]
	m.linkAI(byType)
	return m
}

func (m *model) service(key string) *service {
	s := m.svcByKey[key]
	if s == nil {
		s = &service{key: key, fragments: map[string]*Resource{}, products: map[string]*product{},
			apisByName: map[string][]*api{}, loggers: map[string]*Resource{}, backends: map[string]*Resource{}}
		if _, name, ok := strings.Cut(key, "/"); ok && !strings.HasPrefix(key, "@") {
			s.name = name
		}
		m.svcByKey[key] = s
		m.services = append(m.services, s)
	}
	return s
}

func (s *service) product(id string) *product {
	pr := s.products[lower(id)]
	if pr == nil {
		pr = &product{id: id}
		s.products[lower(id)] = pr
	}
	return pr
}

// api returns the API of that name, a new one for a second resource of
// the same name (another revision).
func (s *service) api(name string, r *Resource) *api {
	for _, a := range s.apisByName[lower(name)] {
		if a.res == nil || r == nil || a.res == r {
			return a
		}
	}
	a := &api{svc: s, name: name, first: r, opsByID: map[string]*operation{}}
	s.apis = append(s.apis, a)
	s.apisByName[lower(name)] = append(s.apisByName[lower(name)], a)
	return a
}

func (a *api) op(id string) *operation {
	op := a.opsByID[lower(id)]
	if op == nil {
		op = &operation{id: id}
		a.opsByID[lower(id)] = op
		a.ops = append(a.ops, op)
	}
	return op
}

// serviceHosts are the names and addresses an API Management service
// answers on: its default gateway host (<name>.azure-api.net), the gateway
// URL's, custom proxy host names (hostname_configuration) and its IP
// addresses. The gateway host names of its
// azurerm_api_management_custom_domain resources are added when linked.
func serviceHosts(r *Resource) []string {
	var hosts []string
	if name, ok := str(r.Values, "name"); ok {
		hosts = append(hosts, lower(name)+".azure-api.net")
	}
	if u, ok := str(r.Values, "gateway_url"); ok {
		hosts = append(hosts, hostOf(u))
	}
	for _, hc := range blocks(r.Values, "hostname_configuration") {
		for _, px := range blocks(hc, "proxy") {
			if h, ok := str(px, "host_name"); ok {
				hosts = append(hosts, lower(h))
			}
		}
	}
	hosts = append(hosts, strings_(r.Values, "private_ip_addresses")...)
	return append(hosts, strings_(r.Values, "public_ip_addresses")...)
}

// strings_ returns the known strings of a list attribute.
func strings_(m map[string]any, key string) []string {
	l, _ := m[key].([]any)
	var out []string
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, lower(s))
		}
	}
	return out
}

// hostOf is the host of a URL, or the string itself when it is a bare
// host name.
func hostOf(s string) string {
	s = strings.TrimSpace(s)
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return lower(u.Hostname())
	}
	return lower(strings.TrimSuffix(s, "/"))
}

// serviceOf finds the service a resource belongs to: by
// api_management_id, or api_management_name and resource_group_name, as
// values or, where the plan does not know them yet, as references to an
// azurerm_api_management; with one service in the plan, that one.
func (m *model) serviceOf(r *Resource) *service {
	if id, ok := str(r.Values, "api_management_id"); ok {
		if key, ok := serviceKeyFromID(id); ok {
			return m.service(key)
		}
	}
	name, ok1 := str(r.Values, "api_management_name")
	rg, ok2 := str(r.Values, "resource_group_name")
	if ok1 && ok2 {
		return m.service(serviceKey(rg, name))
	}
	for _, attr := range []string{"api_management_id", "api_management_name"} {
		if refs := m.plan.refersTo(r, attr, tAPIM); len(refs) == 1 {
			return m.svcByRes[refs[0]]
		}
	}
	if len(m.services) == 1 {
		return m.services[0]
	}
	m.unlinked[r] = fmt.Sprintf("%s: which API Management service it belongs to is not known until apply", r.Address)
	return nil
}

// apiOf finds the API a resource names in api_name.
func (m *model) apiOf(r *Resource) *api {
	s := m.serviceOf(r)
	if s == nil {
		return nil
	}
	if name, ok := str(r.Values, "api_name"); ok {
		base, _, _ := strings.Cut(name, ";rev=")
		cands := s.apisByName[lower(base)]
		if len(cands) > 1 {
			// Several revisions of one name: the one referred to.
			for _, t := range m.plan.refersTo(r, "api_name", tAPI, tOperation) {
				for _, a := range cands {
					if a.res == t || (t.Type == tOperation && m.opOwner(t) == a) {
						return a
					}
				}
			}
		}
		if len(cands) > 0 {
			return cands[0]
		}
		return s.api(base, nil).named(r)
	}
	for _, t := range m.plan.refersTo(r, "api_name", tAPI, tOperation) {
		if a := m.apiByRes[t]; a != nil {
			return a
		}
		if a := m.opOwner(t); a != nil {
			return a
		}
	}
	m.unlinked[r] = fmt.Sprintf("%s: which API it belongs to is not known until apply (api_name)", r.Address)
	return nil
}

func (a *api) named(r *Resource) *api {
	if a.first == nil {
		a.first = r
	}
	return a
}

// opOwner is the API of an operation resource.
func (m *model) opOwner(r *Resource) *api {
	return m.opAPI[m.opByRes[r]]
}

func (m *model) productOf(r *Resource) *product {
	s := m.serviceOf(r)
	if s == nil {
		return nil
	}
	if id, ok := str(r.Values, "product_id"); ok {
		return s.product(id)
	}
	for _, t := range m.plan.refersTo(r, "product_id", tProduct) {
		if pr := m.prodByRes[t]; pr != nil {
			return pr
		}
	}
	m.unlinked[r] = fmt.Sprintf("%s: which product it belongs to is not known until apply (product_id)", r.Address)
	return nil
}

func (m *model) operationOf(r *Resource) *operation {
	a := m.apiOf(r)
	if a == nil {
		return nil
	}
	if id, ok := str(r.Values, "operation_id"); ok {
		return a.op(id)
	}
	for _, t := range m.plan.refersTo(r, "operation_id", tOperation) {
		if op := m.opByRes[t]; op != nil {
			return op
		}
	}
	m.unlinked[r] = fmt.Sprintf("%s: which operation it belongs to is not known until apply (operation_id)", r.Address)
	return nil
}

// linkGateways finds the services each Application Gateway forwards to:
// a backend pool naming a service's host or address, or referring to the
// service in the configuration. With one gateway and one service and no
// pool address known, the gateway is assumed to front it.
func (m *model) linkGateways(byType map[string][]*Resource) {
	for _, r := range byType[tAppGW] {
		g := &gateway{res: r}
		m.gateways = append(m.gateways, g)
		m.gwByRes[r] = g
		for _, pool := range blocks(r.Values, "backend_address_pool") {
			name, _ := str(pool, "name")
			addrs := append(strings_(pool, "fqdns"), strings_(pool, "ip_addresses")...)
			g.knownTargets = g.knownTargets || len(addrs) > 0
			for _, s := range m.services {
				if intersects(addrs, s.hosts) {
					g.addService(s, name)
				}
			}
		}
		// References: per pool block, by its name in the configuration.
		if r.conf != nil {
			pools, _ := r.conf.expressions["backend_address_pool"].([]any)
			for _, pv := range pools {
				pe, _ := pv.(map[string]any)
				name := ""
				if n, ok := pe["name"].(map[string]any); ok {
					name, _ = n["constant_value"].(string)
				}
				for _, t := range m.plan.resolve(r.Module, r.mod, references(pe), 0) {
					if s := m.svcByRes[t]; s != nil {
						g.addService(s, name)
					}
				}
			}
		}
		if id, ok := str(r.Values, "firewall_policy_id"); ok {
			g.waf = m.byID(byType[tWAFPolicy], id)
		}
		if g.waf == nil {
			if refs := m.plan.refersTo(r, "firewall_policy_id", tWAFPolicy); len(refs) == 1 {
				g.waf = refs[0]
			}
		}
		for _, fe := range blocks(r.Values, "frontend_ip_configuration") {
			if id, ok := str(fe, "public_ip_address_id"); ok {
				if ip := m.byID(byType[tPublicIP], id); ip != nil {
					g.publicIPs = append(g.publicIPs, ip)
				}
			}
		}
		for _, ip := range m.plan.refersTo(r, "frontend_ip_configuration", tPublicIP) {
			if !slices.Contains(g.publicIPs, ip) {
				g.publicIPs = append(g.publicIPs, ip)
			}
		}
	}
	if len(m.gateways) == 1 && len(m.services) == 1 {
		if g := m.gateways[0]; len(g.svcs) == 0 && !g.knownTargets {
			g.svcs, g.assumed = m.services, true
		}
	}
}

func (g *gateway) addService(s *service, pool string) {
	if !slices.Contains(g.svcs, s) {
		g.svcs = append(g.svcs, s)
	}
	if pool != "" && !slices.Contains(g.apimPools, pool) {
		g.apimPools = append(g.apimPools, pool)
	}
}

// hosts are the names and addresses of the gateway's public IPs.
func (g *gateway) hosts() []string {
	var out []string
	for _, ip := range g.publicIPs {
		for _, k := range []string{"ip_address", "fqdn"} {
			if s, ok := str(ip.Values, k); ok {
				out = append(out, lower(s))
			}
		}
	}
	return out
}

// byID finds the resource whose id is id, case insensitively.
func (m *model) byID(rs []*Resource, id string) *Resource {
	for _, r := range rs {
		if v, ok := str(r.Values, "id"); ok && strings.EqualFold(v, id) {
			return r
		}
	}
	return nil
}

// parentOf finds the resource of type typ that r's attribute names: by
// its id, or by reference.
func (m *model) parentOf(r *Resource, attr string, candidates []*Resource) *Resource {
	if id, ok := str(r.Values, attr); ok {
		if p := m.byID(candidates, id); p != nil {
			return p
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	if refs := m.plan.refersTo(r, attr, candidates[0].Type); len(refs) == 1 {
		return refs[0]
	}
	if len(candidates) == 1 && !plainKnown(r.Values, attr) {
		return candidates[0]
	}
	return nil
}

// plainKnown reports whether m[key] is a known, non-null value.
func plainKnown(m map[string]any, key string) bool {
	_, ok := m[key].(string)
	return ok
}

// linkFrontDoors finds what each Front Door profile's origins point at:
// a gateway (its public IP) or a service (its host). With one profile
// whose origins name no host, it is assumed to front the one gateway, or
// else the one service.
func (m *model) linkFrontDoors(byType map[string][]*Resource) {
	for _, r := range byType[tFDProfile] {
		m.frontDoors = append(m.frontDoors, &frontDoor{profile: r})
	}
	fdOf := func(p *Resource) *frontDoor {
		for _, fd := range m.frontDoors {
			if fd.profile == p {
				return fd
			}
		}
		return nil
	}
	groupFD := map[*Resource]*frontDoor{}
	for _, g := range byType[tFDOriginGroup] {
		if fd := fdOf(m.parentOf(g, "cdn_frontdoor_profile_id", byType[tFDProfile])); fd != nil {
			fd.groups = append(fd.groups, g)
			groupFD[g] = fd
		}
	}
	for _, o := range byType[tFDOrigin] {
		fd := groupFD[m.parentOf(o, "cdn_frontdoor_origin_group_id", byType[tFDOriginGroup])]
		if fd == nil {
			continue
		}
		fd.origins = append(fd.origins, o)
		var hosts []string
		if h, ok := str(o.Values, "host_name"); ok {
			hosts = append(hosts, hostOf(h))
			fd.knownTargets = true
		}
		refs := m.plan.refersTo(o, "host_name")
		for _, g := range m.gateways {
			if intersects(hosts, g.hosts()) || slices.Contains(refs, g.res) || anyIn(refs, g.publicIPs) {
				fd.addGateway(g)
			}
		}
		for _, s := range m.services {
			if intersects(hosts, s.hosts) || slices.ContainsFunc(refs, func(r *Resource) bool { return m.svcByRes[r] == s }) {
				if !slices.Contains(fd.svcs, s) {
					fd.svcs = append(fd.svcs, s)
				}
			}
		}
	}
	if len(m.frontDoors) == 1 {
		fd := m.frontDoors[0]
		if len(fd.gateways) == 0 && len(fd.svcs) == 0 && !fd.knownTargets {
			switch {
			case len(m.gateways) == 1:
				fd.addGateway(m.gateways[0])
				fd.assumed = true
			case len(m.gateways) == 0 && len(m.services) == 1:
				fd.svcs, fd.assumed = m.services, true
			}
		}
	}
}

func (fd *frontDoor) addGateway(g *gateway) {
	if !slices.Contains(fd.gateways, g) {
		fd.gateways = append(fd.gateways, g)
	}
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if x != "" && slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func anyIn(a, b []*Resource) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
