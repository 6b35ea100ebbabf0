package apimpolicy

import (
	"fmt"
	"slices"
)

// Inherit returns the policy APIM runs for child, whose parent scope's
// effective policy is parent: in each section of child, every <base />
// stands for the parent's section at that spot (FACTS.md: "<base /> pulls
// in the parent scope's section at that spot"). A section child leaves out,
// or writes without <base />, does not run the parent's. Neither input is
// changed; the result shares the parent's nodes, so treat it as read-only.
// A parent section that is missing stands for nothing.
func Inherit(parent, child *Document) (*Document, error) { return InheritTracked(parent, child, nil) }

// InheritTracked is Inherit that also records, in copies (when not nil),
// each element it copied and the element of child or of an earlier copy
// it was copied from, so that a node of the result can be traced to the
// document that holds it.
func InheritTracked(parent, child *Document, copies map[*Element]*Element) (*Document, error) {
	pr, cr := parent.Root(), child.Root()
	for _, r := range []struct {
		root *Element
		role string
	}{{pr, "parent"}, {cr, "child"}} {
		if r.root == nil || r.root.Name != "policies" {
			return nil, fmt.Errorf("the %s policy has no <policies> root: only a scope's policy document inherits (a <fragment> is included, not inherited)", r.role)
		}
	}
	root := *cr
	root.Children = make([]Node, len(cr.Children))
	for i, n := range cr.Children {
		sec, ok := n.(*Element)
		if !ok || !slices.Contains(Sections, sec.Name) {
			root.Children[i] = n
			continue
		}
		var from []Node
		if ps := pr.Child(sec.Name); ps != nil {
			from = ps.Children
		}
		root.Children[i] = substituteBase(sec, from, copies)
	}
	if copies != nil {
		copies[&root] = cr
	}
	out := &Document{BOM: child.BOM, Nodes: make([]Node, len(child.Nodes))}
	for i, n := range child.Nodes {
		if n == Node(cr) {
			n = &root
		}
		out.Nodes[i] = n
	}
	return out, nil
}

// substituteBase copies e with each <base /> below it replaced by from.
// Elements without a <base /> below them are shared, not copied.
func substituteBase(e *Element, from []Node, copies map[*Element]*Element) *Element {
	var kids []Node
	changed := false
	for _, c := range e.Children {
		ce, ok := c.(*Element)
		switch {
		case !ok:
			kids = append(kids, c)
		case ce.Name == "base":
			kids = append(kids, from...)
			changed = true
		default:
			sub := substituteBase(ce, from, copies)
			kids = append(kids, sub)
			changed = changed || sub != ce
		}
	}
	if !changed {
		return e
	}
	cp := *e
	cp.Children = kids
	cp.SelfClosing = cp.SelfClosing && len(kids) == 0
	if copies != nil {
		copies[&cp] = e
	}
	return &cp
}
