package apimcheck

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// sections is a set of policy sections: where a node can run. A
// document's nodes have one; a fragment checked on its own has those its
// content allows.
type sections uint8

const (
	secInbound sections = 1 << iota
	secBackend
	secOutbound
	secOnError
	secAll = secInbound | secBackend | secOutbound | secOnError
)

var sectionNames = []struct {
	s    sections
	name string
}{{secInbound, "inbound"}, {secBackend, "backend"}, {secOutbound, "outbound"}, {secOnError, "on-error"}}

// sectionOf returns the section called name, or 0; "" is any section.
func sectionOf(name string) sections {
	if name == "" {
		return secAll
	}
	for _, s := range sectionNames {
		if s.name == name {
			return s.s
		}
	}
	return 0
}

func (s sections) String() string {
	var names []string
	for _, sn := range sectionNames {
		if s&sn.s != 0 {
			names = append(names, "<"+sn.name+">")
		}
	}
	return strings.Join(names, " or ")
}

// place is where a node stands: the sections it can run in, the elements
// around it (include-fragment and the fragment's root included), and the
// fragment it is in.
type place struct {
	sections sections
	// inferred says why a fragment's sections are what they are ("" when
	// they are the document's own).
	inferred  string
	ancestors []*apimpolicy.Element
	// fragment is the id of the included fragment the node is in, and
	// includedAt where the document includes it.
	fragment   string
	includedAt apimpolicy.Pos
	// plain findings are not changed by branches or the pipeline (a
	// policy expression APIM cannot compile is wrong wherever it is).
	plain bool
}

// in is the place inside e. The walks are depth first and nothing keeps
// a place's ancestors past the walk of its subtree (findings copy them),
// so the slice is extended in place, not copied.
func (p place) in(e *apimpolicy.Element) place {
	p.ancestors = append(p.ancestors, e)
	return p
}

// ancestorsFrom starts a walk's ancestors with outer, with room for the
// elements the walk goes into, so that in extends the slice where it is
// instead of copying it for each child at the next depth.
func ancestorsFrom(outer ...*apimpolicy.Element) []*apimpolicy.Element {
	return append(make([]*apimpolicy.Element, 0, len(outer)+16), outer...)
}

// buildsOtherMessage reports whether the node is inside a policy that
// builds a request or response of its own (send-request, return-response,
// ...): a set-body there writes that message, not the streamed response.
func (p place) buildsOtherMessage() bool {
	for _, a := range p.ancestors {
		switch a.Name {
		case "send-request", "send-one-way-request", "return-response", "mock-response":
			return true
		}
	}
	return false
}

// inBranch reports whether a <choose> branch encloses the node.
func (p place) inBranch() bool {
	for _, a := range p.ancestors {
		if a.Name == "when" || a.Name == "otherwise" {
			return true
		}
	}
	return false
}

// inSection reports whether the node stands in the document's section s
// (not a fragment's inferred sections).
func (p place) inSection(s sections) bool { return p.inferred == "" && p.sections == s }

// applies says how a rule that acts in the sections want applies here:
// not at all, for sure (definite), or only if the fragment is included
// there (the hedge to put before the message).
func (p place) applies(want sections) (ok, definite bool, hedge string) {
	switch {
	case p.sections&want == 0:
		return false, false, ""
	case p.sections&^want == 0:
		return true, true, ""
	}
	return true, false, "if this fragment is included in " + (p.sections & want).String() + ": "
}

// walk runs the element rules over nodes and everything under them,
// following include-fragment into the fragments given.
func (c *checker) walk(nodes []apimpolicy.Node, at place) {
	for _, n := range nodes {
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			continue
		}
		c.element(e, at)
		if e.Name == "include-fragment" {
			c.include(e, at)
			continue
		}
		if len(e.Children) > 0 {
			c.acceptComments(e.Children, e)
			c.walk(e.Children, at.in(e))
		}
	}
}

func fragmentID(e *apimpolicy.Element) string { return apimpolicy.FragmentID(e) }

// include checks the fragment an include-fragment pulls in, as if its
// policies stood there, or says that it cannot be seen.
func (c *checker) include(e *apimpolicy.Element, at place) {
	id := fragmentID(e)
	doc, given := c.opts.Fragments[id]
	for _, a := range at.ancestors {
		if a.Name == "include-fragment" && fragmentID(a) == id {
			c.report(rules.UnresolvedFragment, e.Pos, at, e, "fragment-id",
				"the policy fragment %q includes itself, so sseready stops following it here", id)
			return
		}
	}
	if !given {
		what := "sseready cannot see what it holds, buffering policies included: check the fragment's own document"
		if len(c.opts.Fragments) > 0 {
			what = "it is not among the fragments given (" + strings.Join(sortedKeys(c.opts.Fragments), ", ") + "): give its document too"
		}
		c.report(rules.UnresolvedFragment, e.Pos, at, e, "fragment-id", "the policy fragment %q is included here; %s", id, what)
		return
	}
	in := at.in(e)
	if at.fragment == "" {
		in.includedAt = e.Pos
	}
	in.fragment = id
	nodes := doc.Nodes
	root := doc.Root()
	if root != nil {
		in = in.in(root)
		nodes = root.Children
	}
	if !c.included[id] {
		// A fragment's own syntax and inline acceptances are read once,
		// however often it is included.
		if c.included == nil {
			c.included = map[string]bool{}
		}
		c.included[id] = true
		if root != nil {
			c.acceptComments(doc.Nodes, root)
		}
		c.acceptComments(nodes, e)
		c.expressionSyntax(nodes, in)
	}
	c.walk(nodes, in)
}

// expand walks nodes as APIM runs them, following include-fragment into
// the fragments given; fn gets each element and its ancestors and returns
// false to skip the element's children.
// fn must not keep ancestors: it is one slice, extended and cut back as
// the walk goes (copy it to keep it).
func (c *checker) expand(nodes []apimpolicy.Node, ancestors []*apimpolicy.Element, fn func(e *apimpolicy.Element, ancestors []*apimpolicy.Element) bool) {
	// The stack is kept for the next walk (several run per document); a
	// walk started from within fn finds none and makes its own.
	stack := c.expandStack
	c.expandStack = nil
	if cap(stack) < len(ancestors)+8 {
		stack = make([]*apimpolicy.Element, 0, len(ancestors)+16)
	}
	stack = append(stack[:0], ancestors...)
	c.expandIn(nodes, stack, fn)
	clear(stack[:cap(stack)])
	c.expandStack = stack[:0]
}

func (c *checker) expandIn(nodes []apimpolicy.Node, ancestors []*apimpolicy.Element, fn func(e *apimpolicy.Element, ancestors []*apimpolicy.Element) bool) {
	for _, n := range nodes {
		e, ok := n.(*apimpolicy.Element)
		if !ok || !fn(e, ancestors) {
			continue
		}
		inner := append(ancestors, e) // depth first: see place.in
		kids := e.Children
		if e.Name == "include-fragment" {
			kids = nil
			if doc, ok := c.opts.Fragments[fragmentID(e)]; ok && !slices.Contains(ancestors, e) && len(ancestors) < apimpolicy.MaxDepth {
				kids = doc.Nodes
				if root := doc.Root(); root != nil {
					kids = root.Children
				}
			}
		}
		c.expandIn(kids, inner, fn)
	}
}

// inferSections says which sections a fragment checked on its own can
// stand in, from what it holds, and why.
func (c *checker) inferSections(nodes []apimpolicy.Node) (sections, string) {
	secs := secAll
	var why []string
	narrow := func(to sections, reason string) {
		if secs&to != secs {
			why = append(why, reason)
		}
		secs &= to
	}
	c.expand(nodes, nil, func(e *apimpolicy.Element, anc []*apimpolicy.Element) bool {
		own := place{ancestors: anc}.buildsOtherMessage()
		switch {
		case e.Name == "forward-request":
			narrow(secBackend, fmt.Sprintf("it holds forward-request (line %d, column %d)", e.Pos.Line, e.Pos.Column))
		case e.Name == "set-body" && !own:
			if req, resp := messagesRead(e); req && !resp {
				narrow(secInbound|secBackend, fmt.Sprintf("its set-body (line %d, column %d) rewrites context.Request", e.Pos.Line, e.Pos.Column))
			}
		}
		if !own {
			if _, resp := messagesRead(e); resp {
				narrow(secBackend|secOutbound|secOnError, fmt.Sprintf("its %s (line %d, column %d) reads context.Response", e.Name, e.Pos.Line, e.Pos.Column))
			}
		}
		return true
	})
	if secs == 0 {
		return secAll, "" // the clues contradict each other: claim nothing
	}
	if secs == secAll {
		return secAll, "its policies do not show where it runs"
	}
	return secs, strings.Join(why, ", ")
}

// messagesRead reports whether e's own expressions use context.Request
// and context.Response.
func messagesRead(e *apimpolicy.Element) (request, response bool) {
	for _, code := range ownCode(e, "context") {
		toks := tokenize(code.Text)
		for i := range toks {
			if _, ok := memberChain(toks, i, "context", "Request"); ok {
				request = true
			}
			if _, ok := memberChain(toks, i, "context", "Response"); ok {
				response = true
			}
		}
	}
	return request, response
}

// ownCode returns the code of e's own expressions (attributes, text,
// CDATA; not its children's) whose source holds needle, with the
// attribute that holds each. The needle keeps this cheap: it runs on every
// element, and most expressions are skipped before any decoding.
func ownCode(e *apimpolicy.Element, needle string) []ownExpr {
	var out []ownExpr
	has := func(raw string, x apimpolicy.Expr) bool {
		return strings.Contains(raw[x.Offset:x.Offset+x.Len], needle)
	}
	for _, a := range e.Attrs {
		for i, x := range a.Exprs {
			if has(a.Raw, x) {
				out = append(out, ownExpr{a.ExprCode(i), a.Name})
			}
		}
	}
	for _, ch := range e.Children {
		switch ch := ch.(type) {
		case *apimpolicy.Text:
			for i, x := range ch.Exprs {
				if has(ch.Raw, x) {
					out = append(out, ownExpr{ch.ExprCode(i), ""})
				}
			}
		case *apimpolicy.CData:
			for i, x := range ch.Exprs {
				if has(ch.Raw, x) {
					out = append(out, ownExpr{ch.ExprCode(i), ""})
				}
			}
		}
	}
	return out
}

type ownExpr struct {
	apimpolicy.Code
	attr string
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
