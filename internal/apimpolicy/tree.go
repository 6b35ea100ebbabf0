package apimpolicy

import (
	"iter"
	"strings"
)

// Sections are the four sections of a <policies> document, in order.
var Sections = []string{"inbound", "backend", "outbound", "on-error"}

// Attr returns the attribute called name, or nil.
func (e *Element) Attr(name string) *Attr {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// SetAttr sets attribute name to value (escaped here), keeping the
// attribute's place and quote style when it exists, and appending it
// after the last attribute otherwise.
func (e *Element) SetAttr(name, value string) {
	if a := e.Attr(name); a != nil {
		raw := EscapeAttr(value)
		a.Raw, a.Exprs = raw, nil
		return
	}
	a := &Attr{Space: " ", Name: name, Eq: "=", Quote: '"', Raw: EscapeAttr(value)}
	// Follow the layout of a tag written one attribute per line.
	if n := len(e.Attrs); n > 0 && strings.ContainsAny(e.Attrs[n-1].Space, "\n\r") {
		a.Space = e.Attrs[n-1].Space
	}
	e.Attrs = append(e.Attrs, a)
}

// Elements returns the child elements, skipping text and comments.
func (e *Element) Elements() []*Element {
	var out []*Element
	for _, c := range e.Children {
		if ce, ok := c.(*Element); ok {
			out = append(out, ce)
		}
	}
	return out
}

// ChildElements yields the child elements, as Elements returns them,
// without making a slice of them.
func (e *Element) ChildElements() iter.Seq[*Element] {
	return func(yield func(*Element) bool) {
		for _, c := range e.Children {
			if ce, ok := c.(*Element); ok && !yield(ce) {
				return
			}
		}
	}
}

// Child returns the first child element called name, or nil.
func (e *Element) Child(name string) *Element {
	for _, c := range e.Children {
		if ce, ok := c.(*Element); ok && ce.Name == name {
			return ce
		}
	}
	return nil
}

// ReplaceChild puts repl where old is among e's children. It reports
// whether old was found.
func (e *Element) ReplaceChild(old, repl Node) bool {
	for i, c := range e.Children {
		if c == old {
			e.Children[i] = repl
			return true
		}
	}
	return false
}

// TextValue returns the element's text content (text and CDATA children
// joined, entities expanded), trimmed of surrounding whitespace.
func (e *Element) TextValue() string {
	var b strings.Builder
	for _, c := range e.Children {
		switch c := c.(type) {
		case *Text:
			b.WriteString(Unescape(c.Raw))
		case *CData:
			b.WriteString(c.Raw)
		}
	}
	return strings.TrimSpace(b.String())
}

// Section returns the root's section called name (inbound, backend,
// outbound, on-error), or nil.
func (d *Document) Section(name string) *Element {
	root := d.Root()
	if root == nil {
		return nil
	}
	return root.Child(name)
}

// Walk calls fn for every node under the given nodes, depth first, with
// the chain of elements that enclose it (outermost first). When fn returns
// false for an element, its children are skipped. The chain is one slice,
// extended and cut back as the walk goes: fn must copy it to keep it.
func Walk(nodes []Node, fn func(n Node, ancestors []*Element) bool) {
	walk(nodes, make([]*Element, 0, 8), fn)
}

func walk(nodes []Node, ancestors []*Element, fn func(Node, []*Element) bool) {
	for _, n := range nodes {
		if !fn(n, ancestors) {
			continue
		}
		if e, ok := n.(*Element); ok && len(e.Children) > 0 {
			walk(e.Children, append(ancestors, e), fn)
		}
	}
}

// NewElement builds a self-closing element with attributes given as
// name, value pairs; values are escaped here.
func NewElement(name string, attrs ...string) *Element {
	e := &Element{Name: name, SelfClosing: true, TagSpace: " "}
	for i := 0; i+1 < len(attrs); i += 2 {
		e.Attrs = append(e.Attrs, &Attr{Space: " ", Name: attrs[i], Eq: "=", Quote: '"', Raw: EscapeAttr(attrs[i+1])})
	}
	return e
}

// NewText builds a text node holding s, escaped here.
func NewText(s string) *Text { return &Text{Raw: EscapeText(s)} }

// RawText builds a text node from markup-free text written as is, such
// as indentation.
func RawText(s string) *Text { return &Text{Raw: s} }

// Append adds children to e, which stops being self-closing.
func (e *Element) Append(children ...Node) {
	e.Children = append(e.Children, children...)
	if len(e.Children) > 0 {
		e.SelfClosing = false
		e.TagSpace = ""
	}
}
