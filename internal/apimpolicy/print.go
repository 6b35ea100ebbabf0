package apimpolicy

import (
	"strings"
)

// String prints the document. For a parsed document that has not been
// edited it returns exactly the bytes that were parsed.
func (d *Document) String() string {
	var b strings.Builder
	b.Grow(len(bom) + nodesLen(d.Nodes))
	if d.BOM {
		b.WriteString(bom)
	}
	for _, n := range d.Nodes {
		writeNode(&b, n)
	}
	return b.String()
}

// Bytes is String as a byte slice.
func (d *Document) Bytes() []byte { return []byte(d.String()) }

// PrintNodes prints a node list, such as ParseNodes returns.
func PrintNodes(nodes []Node) string {
	var b strings.Builder
	b.Grow(nodesLen(nodes))
	for _, n := range nodes {
		writeNode(&b, n)
	}
	return b.String()
}

// PrintNode prints one node and everything under it.
func PrintNode(n Node) string {
	var b strings.Builder
	b.Grow(nodeLen(n))
	writeNode(&b, n)
	return b.String()
}

func writeNode(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *Element:
		writeElement(b, n)
	case *Text:
		b.WriteString(n.Raw)
	case *Comment:
		b.WriteString("<!--")
		b.WriteString(n.Raw)
		b.WriteString("-->")
	case *CData:
		b.WriteString("<![CDATA[")
		b.WriteString(n.Raw)
		b.WriteString("]]>")
	case *ProcInst:
		b.WriteString("<?")
		b.WriteString(n.Raw)
		b.WriteString("?>")
	case *Directive:
		b.WriteString("<!")
		b.WriteString(n.Raw)
		b.WriteString(">")
	}
}

// StartTag prints the element's start tag alone: "<name attrs>".
func (e *Element) StartTag() string {
	var b strings.Builder
	writeStartTag(&b, e)
	b.WriteByte('>')
	return b.String()
}

func writeStartTag(b *strings.Builder, e *Element) {
	b.WriteByte('<')
	b.WriteString(e.Name)
	for _, a := range e.Attrs {
		writeAttr(b, a)
	}
	b.WriteString(e.TagSpace)
}

func writeElement(b *strings.Builder, e *Element) {
	writeStartTag(b, e)
	if e.SelfClosing {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	for _, c := range e.Children {
		writeNode(b, c)
	}
	b.WriteString("</")
	b.WriteString(e.Name)
	b.WriteString(e.EndSpace)
	b.WriteByte('>')
}

func writeAttr(b *strings.Builder, a *Attr) {
	space, eq, quote := a.Space, a.Eq, a.Quote
	// Attributes built in code may leave the layout empty.
	if space == "" {
		space = " "
	}
	if eq == "" {
		eq = "="
	}
	if quote == 0 {
		quote = '"'
	}
	b.WriteString(space)
	b.WriteString(a.Name)
	b.WriteString(eq)
	b.WriteByte(quote)
	b.WriteString(a.Raw)
	b.WriteByte(quote)
}

// nodesLen is the length of the nodes printed, so that the printer writes
// into one buffer of the right size: growing it as it fills costs more
// than this walk.
func nodesLen(nodes []Node) int {
	n := 0
	for _, c := range nodes {
		n += nodeLen(c)
	}
	return n
}

func nodeLen(n Node) int {
	switch n := n.(type) {
	case *Element:
		k := 1 + len(n.Name) + len(n.TagSpace)
		for _, a := range n.Attrs {
			k += max(len(a.Space), 1) + len(a.Name) + max(len(a.Eq), 1) + 2 + len(a.Raw)
		}
		if n.SelfClosing {
			return k + 2
		}
		return k + 1 + nodesLen(n.Children) + 2 + len(n.Name) + len(n.EndSpace) + 1
	case *Text:
		return len(n.Raw)
	case *Comment:
		return 7 + len(n.Raw)
	case *CData:
		return 12 + len(n.Raw)
	case *ProcInst:
		return 4 + len(n.Raw)
	case *Directive:
		return 3 + len(n.Raw)
	}
	return 0
}
