package apimcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// Signal is something on a request path that says its API streams: an
// LLM policy, a forward-request that streams, or code that reads the
// request's stream flag (package streamapi weighs them).
type Signal struct {
	// What says what was found, for a person: "llm-token-limit",
	// `forward-request buffer-response="false"`, "a policy expression reads
	// the request's stream flag".
	What    string
	Element *apimpolicy.Element
	// Fragment is the id of the included fragment that holds Element.
	Fragment string
	// Source is the policy given that holds Element (set by
	// CompositionSignals; nil for a fragment's element).
	Source *ScopedPolicy
}

// Where names the place of the signal: "FILE:L:C", or "fragment X, L:C".
// fragmentName turns a fragment-id into the name a front end uses for it
// (a file, a resource address); nil keeps the id.
func (s Signal) Where(fragmentName func(id string) string) string {
	p := s.Element.Pos
	switch {
	case s.Fragment != "" && fragmentName != nil:
		return fmt.Sprintf("%s:%d:%d", fragmentName(s.Fragment), p.Line, p.Column)
	case s.Fragment != "":
		return fmt.Sprintf("fragment %s:%d:%d", s.Fragment, p.Line, p.Column)
	case s.Source != nil:
		return fmt.Sprintf("%s:%d:%d", s.Source.Name, p.Line, p.Column)
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

// StreamSignals finds the signals in doc, following include-fragment into
// fragments, each signal once per element.
func StreamSignals(doc *apimpolicy.Document, fragments map[string]*apimpolicy.Document) []Signal {
	c := newChecker(Options{Fragments: fragments})
	var out []Signal
	c.expand(doc.Nodes, nil, func(e *apimpolicy.Element, anc []*apimpolicy.Element) bool {
		frag := ""
		for i := len(anc) - 1; i >= 0; i-- {
			if anc[i].Name == "include-fragment" {
				frag = fragmentID(anc[i])
				break
			}
		}
		add := func(what string) { out = append(out, Signal{What: what, Element: e, Fragment: frag}) }
		switch {
		case strings.HasPrefix(e.Name, "llm-") || strings.HasPrefix(e.Name, "azure-openai-"):
			add(e.Name)
		case e.Name == "forward-request":
			if a := e.Attr("buffer-response"); a != nil && len(a.Exprs) == 0 && strings.EqualFold(strings.TrimSpace(a.Value()), "false") {
				add(`forward-request buffer-response="false"`)
			}
		}
		if readsStreamFlag(e) {
			add("a policy expression reads the request's stream flag")
		}
		return true
	})
	return out
}

// CompositionSignals is StreamSignals on the policy a request path runs,
// each signal traced to the policy given that holds it.
func CompositionSignals(c *Composition, fragments map[string]*apimpolicy.Document) []Signal {
	sigs := StreamSignals(c.Doc, fragments)
	for i := range sigs {
		if sigs[i].Fragment != "" {
			continue
		}
		if src, ok := c.Source(sigs[i].Element); ok {
			sigs[i].Source = &src
		}
	}
	return sigs
}

// OwnSignals are the signals of an API's own policies (own: its API and
// operation scope policies) and of the fragments they include: what says
// that this API streams. A shared policy's (global, workspace, product)
// says nothing of one API: a global forward-request with
// buffer-response="false", the recommended setup, would make every REST
// API beside it a streaming API.
func OwnSignals(sigs []Signal, own []*apimpolicy.Document, fragments map[string]*apimpolicy.Document) []Signal {
	ids, _ := apimpolicy.IncludedIDs(own, func(id string) *apimpolicy.Document { return fragments[id] })
	var out []Signal
	for _, s := range sigs {
		switch {
		case s.Fragment != "" && !slices.Contains(ids, s.Fragment):
		case s.Fragment == "" && (s.Source == nil || (s.Source.Scope != API && s.Source.Scope != Operation)):
		default:
			out = append(out, s)
		}
	}
	return out
}
