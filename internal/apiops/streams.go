package apiops

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// decide weighs what the tree says of whether a streams (see
// CheckStreams), once for all its paths.
func (c *treeCheck) decide(lv *level, a *API, paths []apiPath) streamapi.Decision {
	api := c.streamAPI(lv, a, paths)
	if c.named == nil {
		c.named = map[string]bool{}
	}
	for _, n := range c.streams.Named {
		if slices.ContainsFunc(api.Names, func(name string) bool { return streamapi.SameName(name, n) }) {
			c.named[n] = true
		}
	}
	d := streamapi.Decide(api, *c.streams)
	if d.Verdict == streamapi.No && api.Marker == nil && a.Info != nil && !slices.Contains(KnownTypes, a.Info.TypeName()) {
		// Caution: an API of a type sseready does not know may carry
		// events its specification does not declare.
		d = streamapi.Decision{Verdict: streamapi.Unknown, Evidence: append([]string{
			fmt.Sprintf("its type %q (%s) is not an API type sseready knows, so what its specification declares does not settle that it does not stream", a.Info.Type, a.InfoFile)},
			d.Evidence...)}
	}
	return d
}

// streamAPI is what the tree knows of a for package streamapi.
func (c *treeCheck) streamAPI(lv *level, a *API, paths []apiPath) streamapi.API {
	api := streamapi.API{}
	names := []string{a.Name, a.Folder}
	if info := a.Info; info != nil {
		names = append(names, info.DisplayName, info.Path)
		api.Path = info.Path
		if info.ServiceURL != "" {
			api.Backends = append(api.Backends, streamapi.Backend{URL: info.ServiceURL, Where: a.InfoFile + " serviceUrl"})
		}
		if info.Type != "" {
			api.Type = strings.ToLower(info.Type)
		}
		if info.TypeName() == "mcp" {
			api.MCP = "type mcp in " + a.InfoFile
			if m := info.MCPProperties; m != nil && m.TransportType != "" {
				api.MCP += ", transport " + m.TransportType
			}
		}
	}
	for _, n := range names {
		if n != "" && !slices.Contains(api.Names, n) {
			api.Names = append(api.Names, n)
		}
	}
	if a.Spec != nil {
		api.Spec = a.SpecFile
		for _, o := range a.Spec.Operations {
			api.Operations = append(api.Operations, streamapi.Operation{Name: o.Name(), Method: o.Method, URLTemplate: o.Path, MediaTypes: o.MediaTypes})
		}
	}
	if a.Policy != nil {
		api.Marker = streamapi.ReadMarker(a.Policy.Doc, a.Policy.File)
	}
	if c.streams.Mode == streamapi.All {
		return api // every API streams: the policies need not be read
	}

	// The API's own policies, and the fragments they include: what they
	// hold is evidence; the shared policies' is not.
	own := []*apimpolicy.Document{}
	if a.Policy != nil {
		own = append(own, a.Policy.Doc)
	}
	for _, o := range a.Operations {
		own = append(own, o.Policy.Doc)
	}
	fragmentFile := func(id string) string {
		if p, ok := lv.fragments[id]; ok {
			return p.File
		}
		return "fragment " + id
	}
	seen := map[*composed]bool{}
	// The signals kept are the API's and operations' own: an operation's
	// are the same in every product (a product's policy only adds what
	// is shared), so they are read once per operation.
	signalsRead := map[string]bool{}
	signals := []string{}
	backends := map[string]bool{}
	for _, p := range paths {
		if seen[p.c] || p.c.err != nil {
			continue
		}
		seen[p.c] = true
		for _, b := range c.setBackends(lv, &p.c.comp) {
			if !backends[b.URL+"\x00"+b.Where] {
				backends[b.URL+"\x00"+b.Where] = true
				api.Backends = append(api.Backends, b)
			}
		}
		if signalsRead[p.operation] {
			continue
		}
		signalsRead[p.operation] = true
		for _, s := range apimcheck.OwnSignals(apimcheck.CompositionSignals(&p.c.comp, lv.opts.Fragments), own, lv.opts.Fragments) {
			if text := s.What + " at " + s.Where(fragmentFile); !slices.Contains(signals, text) {
				signals = append(signals, text)
			}
		}
	}
	api.Signals = signals
	return api
}

// setBackends are the backends the composition's set-backend-service
// policies (and those of the fragments it includes) send requests to: a
// literal base-url, or the url of the backend entity a literal backend-id
// names. A URL given by an expression or a named value cannot be read.
func (c *treeCheck) setBackends(lv *level, comp *apimcheck.Composition) []streamapi.Backend {
	var out []streamapi.Backend
	visit := func(doc *apimpolicy.Document, file func(*apimpolicy.Element) string) {
		apimpolicy.Walk(doc.Nodes, func(n apimpolicy.Node, _ []*apimpolicy.Element) bool {
			e, ok := n.(*apimpolicy.Element)
			if !ok || e.Name != "set-backend-service" {
				return true
			}
			at := fmt.Sprintf("set-backend-service at %s:%d:%d", file(e), e.Pos.Line, e.Pos.Column)
			if u := literal(e.Attr("base-url")); u != "" {
				out = append(out, streamapi.Backend{URL: u, Where: at})
			}
			if id := literal(e.Attr("backend-id")); id != "" {
				if b, ok := lv.backends[id]; ok && b.URL != "" {
					out = append(out, streamapi.Backend{URL: b.URL, Where: fmt.Sprintf("backend %s in %s, named by %s", id, b.File, at)})
				}
			}
			return true
		})
	}
	visit(comp.Doc, func(e *apimpolicy.Element) string {
		if src, ok := comp.Source(e); ok {
			return src.Name
		}
		return "?"
	})
	for _, id := range includedIDs([]*apimpolicy.Document{comp.Doc}, lv.fragments) {
		p := lv.fragments[id]
		visit(p.Doc, func(*apimpolicy.Element) string { return p.File })
	}
	return out
}

// literal is an attribute's value when it is written out: no policy
// expression, no named value ({{name}}).
func literal(a *apimpolicy.Attr) string {
	if a == nil || len(a.Exprs) > 0 || strings.Contains(a.Raw, "{{") {
		return ""
	}
	return strings.TrimSpace(a.Value())
}
