package tfplan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// pathEvidence is what one path of an API says about whether it streams:
// the signals of its composed policy, where it routes, the marker at the
// top of the API's policy.
type pathEvidence struct {
	signals  []string
	backends []streamapi.Backend
	accounts []string
	marker   *streamapi.Marker
}

// evidence reads the path's own evidence from what the builder linked.
func (b *builder) evidence(spec pathSpec, r routed) pathEvidence {
	var ev pathEvidence
	if spec.api == nil {
		return ev
	}
	if comp := b.composition(); comp != nil {
		docs := map[string]*apimpolicy.Document{}
		for id, fr := range b.fragments {
			if d := b.m.doc(fr, "value"); d != nil {
				docs[id] = d
			}
		}
		name := func(id string) string {
			if fr := b.fragments[id]; fr != nil {
				return fr.Address + ".value"
			}
			return "fragment " + id
		}
		// The API's and operation's own policies say whether this API
		// streams; the shared ones (global, product) say nothing of it.
		var own []*apimpolicy.Document
		for _, p := range spec.api.policies {
			if d := b.m.doc(p, "xml_content"); d != nil {
				own = append(own, d)
			}
		}
		if spec.op != nil {
			for _, p := range spec.op.policies {
				if d := b.m.doc(p, "xml_content"); d != nil {
					own = append(own, d)
				}
			}
		}
		for _, s := range apimcheck.OwnSignals(apimcheck.CompositionSignals(comp, docs), own, docs) {
			ev.signals = append(ev.signals, s.What+" at "+s.Where(name))
		}
	}
	for _, u := range r.urls {
		ev.backends = append(ev.backends, streamapi.Backend{URL: u.url, Where: u.where})
	}
	for _, acc := range r.accounts {
		ev.accounts = append(ev.accounts, acc.res.Address)
	}
	for _, p := range spec.api.policies {
		if ev.marker = streamapi.ReadMarker(b.m.doc(p, "xml_content"), p.Address+".xml_content"); ev.marker != nil {
			break
		}
	}
	return ev
}

// streamAPI is what the plan says of an API for streamapi, with what its
// paths say (evs).
func (a *api) streamAPI(evs []pathEvidence) streamapi.API {
	out := streamapi.API{Names: []string{a.name, a.address()}}
	if r := a.res; r != nil {
		for _, k := range []string{"display_name", "path"} {
			if s, ok := str(r.Values, k); ok {
				out.Names = append(out.Names, s)
			}
		}
		out.Path, _ = str(r.Values, "path")
		out.Type, _ = str(r.Values, "api_type")
		if u, ok := str(r.Values, "service_url"); ok && u != "" {
			out.Backends = append(out.Backends, streamapi.Backend{URL: u, Where: r.Address + ".service_url"})
		}
	}
	// The operations the plan declares, and the media types of their
	// responses' representations. An API that imports a specification has
	// operations the plan does not list: what the listed ones declare does
	// not speak for it.
	var declaring []string
	for _, op := range a.ops {
		if op.res == nil {
			continue
		}
		o := streamapi.Operation{Name: op.id}
		o.Method, _ = str(op.res.Values, "method")
		o.URLTemplate, _ = str(op.res.Values, "url_template")
		for _, resp := range blocks(op.res.Values, "response") {
			for _, rep := range blocks(resp, "representation") {
				if ct, ok := str(rep, "content_type"); ok && !slices.Contains(o.MediaTypes, ct) {
					o.MediaTypes = append(o.MediaTypes, ct)
				}
			}
		}
		if len(o.MediaTypes) > 0 {
			declaring = append(declaring, op.res.Address)
		}
		out.Operations = append(out.Operations, o)
	}
	imported := false
	if a.res != nil {
		imp, _ := a.res.Values["import"].([]any)
		imported = len(imp) > 0
	}
	if len(declaring) > 0 && !imported {
		out.Spec = strings.Join(declaring, ", ")
	}
	for _, acc := range a.accounts {
		out.AIAccounts = append(out.AIAccounts, acc.res.Address)
	}
	for _, ev := range evs {
		for _, s := range ev.signals {
			if !slices.Contains(out.Signals, s) {
				out.Signals = append(out.Signals, s)
			}
		}
		for _, be := range ev.backends {
			if !slices.Contains(out.Backends, be) {
				out.Backends = append(out.Backends, be)
			}
		}
		for _, acc := range ev.accounts {
			if !slices.Contains(out.AIAccounts, acc) {
				out.AIAccounts = append(out.AIAccounts, acc)
			}
		}
		if out.Marker == nil {
			out.Marker = ev.marker
		}
	}
	return out
}

// noAPI is the evidence of a path no API was chosen for (a gateway or Front
// Door in front of nothing in the plan, the global policy of an instance
// with no API): its findings keep their severities.
const noAPI = "no API is on this path, so none was judged: its findings keep their severities"

// decideStreaming decides, once per API, whether it streams (over all its
// paths), and adjusts the findings of each of its paths: a shared hop
// (App Gateway, Front Door) is judged on each path with that path's API.
// A path's Ready then counts its errors as adjusted.
func decideStreaming(rep *Report, apiOf []*api, evs []pathEvidence, opts streamapi.Options) {
	byAPI := map[*api][]int{}
	var order []*api
	for i, a := range apiOf {
		if _, seen := byAPI[a]; !seen {
			order = append(order, a)
		}
		byAPI[a] = append(byAPI[a], i)
	}
	matched := map[string]bool{}
	defer func() {
		for _, n := range opts.Named {
			if !matched[n] && opts.Mode != streamapi.All {
				rep.Notes = append(rep.Notes, fmt.Sprintf("--stream-api %s names no API of this plan (an API's name, display name, path or resource address)", n))
			}
		}
	}()
	for _, a := range order {
		idx := byAPI[a]
		if a != nil {
			names := a.streamAPI(nil).Names
			for _, n := range opts.Named {
				if slices.ContainsFunc(names, func(name string) bool { return streamapi.SameName(name, n) }) {
					matched[n] = true
				}
			}
		}
		var d streamapi.Decision
		if a == nil {
			if opts.Mode != streamapi.All {
				for _, i := range idx {
					rep.Paths[i].StreamingEvidence = []string{noAPI}
				}
				continue
			}
			d = streamapi.Decide(streamapi.API{}, opts)
		} else {
			var own []pathEvidence
			for _, i := range idx {
				own = append(own, evs[i])
			}
			d = streamapi.Decide(a.streamAPI(own), opts)
		}
		for _, i := range idx {
			p := &rep.Paths[i]
			p.Streaming, p.StreamingEvidence = d.Verdict, d.Evidence
			fs := make([]rules.Finding, len(p.Findings))
			for j := range p.Findings {
				p.Findings[j].Finding = d.Adjust(p.Findings[j].Finding)
				fs[j] = p.Findings[j].Finding
			}
			if len(p.Errors) == 0 {
				p.Ready = rules.Ready(fs)
			}
		}
	}
}
