package apimpolicy

import "strings"

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
// is not "</", "<!" or "<?" starts an element, and a text can stand
// between any two pieces of markup. '<' in expressions and comments makes
// these upper bounds loose; a block that runs out is followed by another.
func (a *arena) size(s string) {
	tags, marks := 0, 0
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		marks++
		if i < len(s) && s[i] != '/' && s[i] != '!' && s[i] != '?' {
			tags++
		}
	}
	a.hint.elems = tags + 1
	a.hint.attrs = tags/2 + 8
	a.hint.texts = marks + 1
	a.hint.nodes = tags + 2*marks + 1
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
