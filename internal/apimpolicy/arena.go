package apimpolicy

import (
	"strings"
	"sync"
)

// arena hands out the nodes of one parse from a few blocks instead of one
// allocation each: a document is hundreds of small objects, and allocating
// and collecting them one by one cost more than reading the bytes. Every
// slice handed out is full (len == cap), so appending to one copies it
// instead of writing over the next one.
type arena struct {
	elems    []Element
	attrs    []Attr
	texts    []Text
	exprs    []Expr
	nodes    []Node
	attrPtrs []*Attr
	hint     struct{ elems, attrs, texts, nodes int }
}

// size sets the first blocks' sizes from the markup in s: each '<' that
// is not "</", "<!" or "<?" starts an element, with an attribute per '='
// before its '>', and a text can stand between any two pieces of markup.
// Comments are stepped over. '<', '=' and '>' in expressions make these
// estimates loose; a block that runs out is followed by another.
func (a *arena) size(s string) {
	tags, ends, marks, attrs := 0, 0, 0, 0
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 || i+j+1 >= len(s) {
			break
		}
		i += j + 1
		marks++
		switch s[i] {
		case '/':
			ends++
		case '?':
		case '!':
			if strings.HasPrefix(s[i:], "!--") {
				if k := strings.Index(s[i:], "-->"); k >= 0 {
					i += k
				}
			}
		default:
			tags++
			if k := strings.IndexByte(s[i:], '>'); k >= 0 {
				attrs += strings.Count(s[i:i+k], "=")
			}
		}
	}
	a.hint.elems = tags + 1
	a.hint.attrs = attrs + 1
	a.hint.texts = marks + 1
	a.hint.nodes = 2*marks - ends + 1
}

// take returns n zeroed items from *block, starting a new block of at
// least hint items when it has fewer than n left.
func take[T any](block *[]T, n, hint int) []T {
	b := *block
	if cap(b)-len(b) < n {
		b = make([]T, 0, max(n, hint, 8))
	}
	k := len(b)
	b = b[:k+n]
	*block = b
	return b[k : k+n : k+n]
}

func (a *arena) element() *Element { return &take(&a.elems, 1, a.hint.elems)[0] }
func (a *arena) attr() *Attr       { return &take(&a.attrs, 1, a.hint.attrs)[0] }
func (a *arena) text() *Text       { return &take(&a.texts, 1, a.hint.texts)[0] }

// expr returns a slice holding x alone.
func (a *arena) expr(x Expr) []Expr {
	s := take(&a.exprs, 1, 4)
	s[0] = x
	return s
}

// nodeList copies ns into the arena; nil when ns is empty.
func (a *arena) nodeList(ns []Node) []Node {
	if len(ns) == 0 {
		return nil
	}
	out := take(&a.nodes, len(ns), a.hint.nodes)
	copy(out, ns)
	return out
}

// attrList copies as into the arena; nil when as is empty.
func (a *arena) attrList(as []*Attr) []*Attr {
	if len(as) == 0 {
		return nil
	}
	out := take(&a.attrPtrs, len(as), a.hint.attrs)
	copy(out, as)
	return out
}

// scratch is the parser's working space, kept between parses: the
// children of the open elements and the attributes of a start tag.
type scratch struct {
	kids  []Node
	attrs []*Attr
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// release returns p's scratch, emptied so that it keeps no document alive.
func (p *parser) release() {
	if p.scratch == nil {
		return
	}
	p.scratch.kids = p.kids[:0]
	p.scratch.attrs = p.attrs[:0]
	clear(p.scratch.kids[:cap(p.scratch.kids)])
	clear(p.scratch.attrs[:cap(p.scratch.attrs)])
	scratches.Put(p.scratch)
	p.scratch, p.kids, p.attrs = nil, nil, nil
}
