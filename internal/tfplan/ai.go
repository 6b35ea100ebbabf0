package tfplan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// aiAccount is an Azure OpenAI (cognitive services) account: the hosts it
// answers on, its model deployments and content filter policies.
type aiAccount struct {
	res         *Resource
	hosts       []string
	deployments []*Resource
	rai         []*raiPolicy
	// linked is true when an API's service_url or a backend entity's url
	// is the account: its filters stand on the paths that go there.
	linked bool
}

type raiPolicy struct {
	res *Resource
	acc *aiAccount // nil when its account is not in the plan
}

// linkAI reads the Azure OpenAI accounts, their deployments and content
// filter policies, and links each API whose service_url is an account
// (by its host, or a reference to it). A backend entity
// (azurerm_api_management_backend) is followed per path, from the
// set-backend-service its composed policy runs (backendsOf).
func (m *model) linkAI(byType map[string][]*Resource) {
	byRes := map[*Resource]*aiAccount{}
	for _, r := range byType[tCognitive] {
		acc := &aiAccount{res: r}
		if sub, ok := str(r.Values, "custom_subdomain_name"); ok {
			acc.hosts = append(acc.hosts, lower(sub)+".openai.azure.com", lower(sub)+".cognitiveservices.azure.com", lower(sub)+".services.ai.azure.com")
		}
		if e, ok := str(r.Values, "endpoint"); ok {
			acc.hosts = append(acc.hosts, hostOf(e))
		}
		m.accounts = append(m.accounts, acc)
		byRes[r] = acc
	}
	for _, r := range byType[tRAIPolicy] {
		rp := &raiPolicy{res: r, acc: byRes[m.parentOf(r, "cognitive_account_id", byType[tCognitive])]}
		m.rai = append(m.rai, rp)
		if rp.acc != nil {
			rp.acc.rai = append(rp.acc.rai, rp)
		}
	}
	for _, r := range byType[tDeployment] {
		if acc := byRes[m.parentOf(r, "cognitive_account_id", byType[tCognitive])]; acc != nil {
			acc.deployments = append(acc.deployments, r)
		} else {
			m.unlinked[r] = fmt.Sprintf("%s: which account it belongs to is not in this plan, so its content filter is not checked", r.Address)
		}
	}
	for _, s := range m.services {
		for _, a := range s.apis {
			if a.res == nil {
				continue
			}
			for _, acc := range m.accountsAt(a.res, "service_url") {
				if !slices.Contains(a.accounts, acc) {
					a.accounts = append(a.accounts, acc)
				}
				acc.linked = true
			}
		}
		for _, be := range s.backends {
			for _, acc := range m.accountsAt(be, "url") {
				acc.linked = true
			}
		}
	}
}

// accountsAt are the accounts r's URL attribute is: by its host, or by a
// reference to the account.
func (m *model) accountsAt(r *Resource, attr string) []*aiAccount {
	var out []*aiAccount
	u, known := str(r.Values, attr)
	refs := m.plan.refersTo(r, attr, tCognitive)
	for _, acc := range m.accounts {
		if (known && slices.Contains(acc.hosts, hostOf(u))) || slices.Contains(refs, acc.res) {
			out = append(out, acc)
		}
	}
	return out
}

// routed is what a path's composed policy routes to with
// set-backend-service: the backend entities it names (and their URLs),
// base URLs, and the accounts either is.
type routed struct {
	backends []*Resource
	// urls are the literal URLs, each with where it is set.
	urls     []routedURL
	accounts []*aiAccount
}

type routedURL struct{ url, where string }

// backendsOf follows the set-backend-service policies of a path's
// composition (and of the fragments it includes): a literal backend-id to
// the instance's azurerm_api_management_backend of that name and the
// account its url is; a literal base-url to the account it is. One given
// by a policy expression is noted: where it goes is decided per request.
func (b *builder) backendsOf(s *service, comp *apimcheck.Composition, fragments map[string]*Resource) routed {
	var out routed
	visit := func(doc *apimpolicy.Document, where func(e *apimpolicy.Element) string) {
		apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
			e, ok := n.(*apimpolicy.Element)
			if !ok || e.Name != "set-backend-service" {
				return true
			}
			if a := e.Attr("backend-id"); a != nil {
				id := strings.TrimSpace(a.Value())
				switch be := s.backends[lower(id)]; {
				case a.Kind() != apimpolicy.Literal:
					b.note("set-backend-service backend-id=%q at %s is not a literal name: which backend entity it routes to, and that backend's content filter, are not checked", a.Value(), where(e))
				case be == nil:
					b.note("set-backend-service backend-id=%q at %s: no azurerm_api_management_backend of that name is in this plan", id, where(e))
				case !slices.Contains(out.backends, be):
					b.use(be)
					out.backends = append(out.backends, be)
					if u, ok := str(be.Values, "url"); ok {
						out.urls = append(out.urls, routedURL{u, be.Address + ".url"})
					}
					out.addAccounts(b.m.accountsAt(be, "url"))
				}
			}
			if a := e.Attr("base-url"); a != nil {
				if a.Kind() != apimpolicy.Literal {
					b.note("set-backend-service base-url at %s is a policy expression: where it routes, and that backend's content filter, are not checked", where(e))
				} else {
					u := strings.TrimSpace(a.Value())
					out.urls = append(out.urls, routedURL{u, "set-backend-service base-url at " + where(e)})
					for _, acc := range b.m.accounts {
						if slices.Contains(acc.hosts, hostOf(u)) {
							out.addAccounts([]*aiAccount{acc})
						}
					}
				}
			}
			return true
		})
	}
	visit(comp.Doc, func(e *apimpolicy.Element) string {
		src, ok := comp.Source(e)
		if !ok {
			return fmt.Sprintf("%d:%d", e.Pos.Line, e.Pos.Column)
		}
		return fmt.Sprintf("%s:%d:%d", src.Name, e.Pos.Line, e.Pos.Column)
	})
	for _, id := range slices.Sorted(maps.Keys(fragments)) {
		fr := fragments[id]
		if doc := b.m.doc(fr, "value"); doc != nil {
			visit(doc, func(e *apimpolicy.Element) string {
				return fmt.Sprintf("%s.value:%d:%d", fr.Address, e.Pos.Line, e.Pos.Column)
			})
		}
	}
	return out
}

func (r *routed) addAccounts(accs []*aiAccount) {
	for _, acc := range accs {
		if !slices.Contains(r.accounts, acc) {
			r.accounts = append(r.accounts, acc)
		}
	}
}

// filterChoice is one content filter a path's stream may pass: its mode
// (nil: not set, the default; plain.Unknown until apply) and the resource
// attribute that decides it.
type filterChoice struct {
	mode any
	res  *Resource
	attr string
}

// filters are the content filters of the account's deployments (each
// deployment's rai_policy_name: a policy of the account in the plan, a
// built-in one, or none, the default filter); for an account with no
// deployment in the plan, its content filter policies.
func (b *builder) filters(acc *aiAccount) []filterChoice {
	if len(acc.deployments) == 0 {
		var out []filterChoice
		for _, rp := range acc.rai {
			b.use(rp.res)
			out = append(out, filterChoice{rp.res.Values["mode"], rp.res, "mode"})
		}
		return out
	}
	var out []filterChoice
	for _, d := range acc.deployments {
		b.use(d)
		v := d.Values["rai_policy_name"]
		name, named := v.(string)
		switch {
		case named:
			if i := slices.IndexFunc(acc.rai, func(rp *raiPolicy) bool {
				n, _ := str(rp.res.Values, "name")
				return strings.EqualFold(n, name)
			}); i >= 0 {
				b.use(acc.rai[i].res)
				out = append(out, filterChoice{acc.rai[i].res.Values["mode"], acc.rai[i].res, "mode"})
				continue
			}
			if strings.HasPrefix(name, "Microsoft.") {
				out = append(out, filterChoice{"Default", d, "rai_policy_name"}) // a built-in filter: the default mode
				continue
			}
			b.note("%s: its content filter %q is not in this plan, so its mode is not checked", d.Address, name)
		case v == nil || (plain.IsUnknown(v) && d.conf != nil && d.conf.expressions["rai_policy_name"] == nil):
			// Not set: Azure applies its default filter (computed, so a
			// plan shows it unknown).
			out = append(out, filterChoice{nil, d, "rai_policy_name"})
		default:
			if refs := b.m.plan.refersTo(d, "rai_policy_name", tRAIPolicy); len(refs) == 1 {
				b.use(refs[0])
				out = append(out, filterChoice{refs[0].Values["mode"], refs[0], "mode"})
				continue
			}
			out = append(out, filterChoice{plain.Unknown, d, "rai_policy_name"})
		}
	}
	return out
}

// contentFilter puts the Azure OpenAI content filter on the path: of the
// accounts the path's API goes to (its service_url, the backend entities
// and base URLs its policy routes to), and of every account no API goes
// to (which hop it serves is not in the plan), and every content filter
// policy whose account is not in the plan. Of several filters, one that
// delivers the stream in chunks decides.
func (b *builder) contentFilter(spec pathSpec, r routed) {
	var accs []*aiAccount
	if spec.api != nil {
		accs = append(accs, spec.api.accounts...)
	}
	for _, acc := range r.accounts {
		if !slices.Contains(accs, acc) {
			accs = append(accs, acc)
		}
	}
	var choices []filterChoice
	for _, acc := range b.m.accounts {
		switch {
		case slices.Contains(accs, acc):
		case acc.linked:
			continue
		default:
			if len(acc.deployments) > 0 || len(acc.rai) > 0 {
				b.note("no API's backend is %s: its content filter is checked on every path", acc.res.Address)
			}
		}
		b.use(acc.res)
		choices = append(choices, b.filters(acc)...)
	}
	for _, rp := range b.m.rai {
		if rp.acc == nil {
			b.use(rp.res)
			b.note("%s's account is not in this plan: its mode is checked on every path", rp.res.Address)
			choices = append(choices, filterChoice{rp.res.Values["mode"], rp.res, "mode"})
		}
	}
	if len(choices) == 0 {
		return
	}
	// One known to deliver in chunks decides, else one not known yet.
	rank := func(c filterChoice) int {
		switch {
		case c.mode == chaincheck.AsynchronousFilter:
			return 0
		case plain.IsUnknown(c.mode):
			return 1
		}
		return 2
	}
	pick := choices[0]
	for _, c := range choices[1:] {
		if rank(c) > rank(pick) {
			pick = c
		}
	}
	if len(choices) > 1 && rank(pick) == 2 {
		b.note("of the %d content filters on this path, %s.%s decides: it delivers the stream in chunks", len(choices), pick.res.Address, pick.attr)
	}
	b.set(chaincheck.SettingAzureOpenAI, onPath(), pick.res, "")
	b.set(chaincheck.SettingAOAIMode, pick.mode, pick.res, pick.attr)
}
