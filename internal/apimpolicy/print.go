package apimpolicy

import (
	"strings"
)

// String prints the document. For a parsed document that has not been
// edited it returns exactly the bytes that were parsed: the source itself,
// once the nodes are found to print it (comparing costs less than copying,
// since each unedited piece is the very substring of the source).
func (d *Document) String() string {
	if d.src != "" && d.printsSource() {
		return d.src
	}
	var p printer
	p.b.Grow(len(bom) + nodesLen(d.Nodes))
	d.print(&p)
	return p.b.String()
}

// printsSource reports whether d prints exactly as d.src.
func (d *Document) printsSource() bool {
	p := printer{matching: true, src: d.src}
	d.print(&p)
	return !p.differs && p.at == len(d.src)
}

func (d *Document) print(p *printer) {
	if d.BOM {
		p.str(bom)
	}
	for _, n := range d.Nodes {
		p.node(n)
	}
}

// Bytes is String as a byte slice.
func (d *Document) Bytes() []byte { return []byte(d.String()) }

// PrintNodes prints a node list, such as ParseNodes returns.
func PrintNodes(nodes []Node) string {
	var p printer
	p.b.Grow(nodesLen(nodes))
	for _, n := range nodes {
		p.node(n)
	}
	return p.b.String()
}

// PrintNode prints one node and everything under it.
func PrintNode(n Node) string {
	var p printer
	p.b.Grow(nodeLen(n))
	p.node(n)
	return p.b.String()
}

// printer writes nodes to b or, matching, compares what it would write
// with src: at is how much of src matched, and differs says the nodes
// print something else.
type printer struct {
	b        strings.Builder
	matching bool
	src      string
	at       int
	differs  bool
}

func (p *printer) str(s string) {
	switch {
	case !p.matching:
		p.b.WriteString(s)
	case !p.differs && strings.HasPrefix(p.src[p.at:], s):
		p.at += len(s)
	default:
		p.differs = true
	}
}

func (p *printer) char(c byte) {
	switch {
	case !p.matching:
		p.b.WriteByte(c)
	case !p.differs && p.at < len(p.src) && p.src[p.at] == c:
		p.at++
	default:
		p.differs = true
	}
}

func (p *printer) node(n Node) {
	switch n := n.(type) {
	case *Element:
		p.element(n)
	case *Text:
		p.str(n.Raw)
	case *Comment:
		p.str("<!--")
		p.str(n.Raw)
		p.str("-->")
	case *CData:
		p.str("<![CDATA[")
		p.str(n.Raw)
		p.str("]]>")
	case *ProcInst:
		p.str("<?")
		p.str(n.Raw)
		p.str("?>")
	case *Directive:
		p.str("<!")
		p.str(n.Raw)
		p.char('>')
	}
}

// StartTag prints the element's start tag alone: "<name attrs>".
func (e *Element) StartTag() string {
	var p printer
	p.startTag(e)
	p.char('>')
	return p.b.String()
}

func (p *printer) startTag(e *Element) {
	p.char('<')
	p.str(e.Name)
	for _, a := range e.Attrs {
		p.attr(a)
	}
	p.str(e.TagSpace)
}

func (p *printer) element(e *Element) {
	p.startTag(e)
	if e.SelfClosing {
		p.str("/>")
		return
	}
	p.char('>')
	for _, c := range e.Children {
		if p.differs {
			return // no need to look further
		}
		p.node(c)
	}
	p.str("</")
	p.str(e.Name)
	p.str(e.EndSpace)
	p.char('>')
}

func (p *printer) attr(a *Attr) {
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
	p.str(space)
	p.str(a.Name)
	p.str(eq)
	p.char(quote)
	p.str(a.Raw)
	p.char(quote)
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
