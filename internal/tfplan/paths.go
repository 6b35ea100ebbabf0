package tfplan

import (
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// Options are what a plan cannot hold.
type Options struct {
	// Backend is the chain's backend object, as sseready_chain_check
	// takes it (chaincheck.BackendKeys: max_event_gap, heartbeat_interval,
	// max_time_to_headers, tcp_keepalive, response_headers); nil or empty
	// when not given, and the checks that need it say so.
	Backend map[string]any
	// BackendSource says, per backend key, where its value came from (a
	// flag, a profile file), or how to give it when it is missing: the
	// Source of the findings about it.
	BackendSource map[string]string
	// Streaming says how findings follow whether each API streams
	// (package streamapi): under streamapi.Auto, each API is decided once
	// from what its paths say, and the findings on its paths follow the
	// verdict. The zero value (no Mode) treats every API as streaming, as
	// check-plan did before it told APIs apart: a caller that chose its
	// API (sseready init) keeps every error.
	Streaming streamapi.Options
}

// Check links the plan's resources into stream paths and checks each path
// with the chain check (chaincheck), placing every finding, input error
// and unknown value on the resource attribute that holds it.
func Check(p *Plan, opts Options) Report {
	m := link(p)
	rep := Report{Kind: p.Kind, Destroyed: p.Destroyed}
	onPath := map[*Resource]bool{}
	var apiOf []*api
	var evs []pathEvidence
	run := func(spec pathSpec) {
		path, ev := m.checkPath(spec, opts)
		for _, a := range path.Resources {
			onPath[p.byAddress[a]] = true
		}
		rep.Paths = append(rep.Paths, path)
		apiOf, evs = append(apiOf, spec.api), append(evs, ev)
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
	streaming := opts.Streaming
	if streaming.Mode == "" {
		streaming.Mode = streamapi.All
	}
	decideStreaming(&rep, apiOf, evs, streaming)
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

// checkPath builds the chain of one path and checks it, and reads what
// the path says about whether its API streams.
func (m *model) checkPath(spec pathSpec, opts Options) (Path, pathEvidence) {
	b := newBuilder(m)
	var path Path
	var label []string
	if spec.fd != nil {
		b.frontDoor(spec.fd)
		if spec.gw == nil && spec.svc == nil {
			path.API = spec.fd.profile.Address
			label = append(label, "front door "+nameOf(spec.fd.profile))
		}
	}
	if spec.gw != nil {
		b.appGateway(spec.gw, spec.svc != nil)
		if spec.svc == nil {
			path.API = spec.gw.res.Address
			label = append(label, "app gateway "+nameOf(spec.gw.res))
		}
	}
	if spec.svc != nil {
		b.apim(spec)
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
	b.backend(opts)
	routes := b.moreHops(spec)

	c, errs := chaincheck.Decode(b.in.Value())
	var res chaincheck.Result
	if len(errs) == 0 {
		if c.APIM != nil {
			for i := range c.APIM.Policies {
				c.APIM.Policies[i].Name = b.names[i]
			}
		}
		path.Chain = &c
		res, errs = chaincheck.Check(c)
	}
	for _, e := range errs {
		path.Errors = append(path.Errors, Error{At: b.places.lookup(e.Field), Line: e.Line, Column: e.Column, Message: e.Msg})
	}
	if len(errs) == 0 {
		path.Ready, path.Complete = res.Ready, res.Complete
		for _, u := range res.Unknown {
			if at := b.places.lookup(u); !slices.Contains(path.Unknown, at) {
				path.Unknown = append(path.Unknown, at)
			}
		}
		for _, f := range res.Findings {
			path.Findings = append(path.Findings, b.places.place(f))
		}
	}
	path.Notes = b.notes
	for _, hop := range chaincheck.Keys {
		if p, ok := b.places[hop]; ok && p.Address != "" {
			if path.HopAddresses == nil {
				path.HopAddresses = map[string]string{}
			}
			path.HopAddresses[hop] = p.Address
		}
	}
	for _, r := range b.resources {
		path.Resources = append(path.Resources, r.Address)
	}
	return path, b.evidence(spec, routes)
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
