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
	comments []Comment
	hint     struct{ elems, attrs, texts, exprs, nodes, comments int }
}

// size sets the first blocks' sizes from the markup in s: each '<' that
// is not "</", "<!" or "<?" starts an element, with an attribute per '='
// and quote before its '>' (C#'s "==" and "=>" do not count; nor does an
// attribute written name = "value", which a refill covers), a text can
// stand before any piece of markup, and an expression starts at "@(" or
// "@{". Comments are stepped over. '<', '=' and '>' in expressions make
// these estimates loose; a block that runs out is followed by another.
func (a *arena) size(s string) {
	tags, ends, marks, attrs, comments := 0, 0, 0, 0, 0
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
				comments++
				if k := strings.Index(s[i:], "-->"); k >= 0 {
					i += k
				}
			}
		default:
			tags++
			if k := strings.IndexByte(s[i:], '>'); k >= 0 {
				tag := s[i : i+k]
				attrs += strings.Count(tag, "=\"") + strings.Count(tag, "='")
			}
		}
	}
	a.hint.elems = tags + 1
	a.hint.attrs = attrs + 1
	a.hint.texts = marks + 1
	a.hint.exprs = countExprStarts(s) + 1
	a.hint.nodes = 2*marks - ends + 1
	a.hint.comments = comments + 1
}

// countExprStarts counts the places where an expression can start.
func countExprStarts(s string) int {
	n := 0
	for i := 0; ; i++ {
		j := strings.IndexByte(s[i:], '@')
		if j < 0 {
			return n
		}
		i += j
		if isExprStart(s, i) {
			n++
		}
	}
}

// take returns n zeroed items from *block. When the block has fewer left
// it starts another: of hint items the first time, and after that (the
// hint fell short) of twice the last, so that a poor hint costs few blocks.
func take[T any](block *[]T, n, hint int) []T {
	b := *block
	if cap(b)-len(b) < n {
		b = make([]T, 0, max(n, hint, 2*cap(b)))
	}
	k := len(b)
	b = b[:k+n]
	*block = b
	return b[k : k+n : k+n]
}

func (a *arena) element() *Element { return &take(&a.elems, 1, a.hint.elems)[0] }
func (a *arena) attr() *Attr       { return &take(&a.attrs, 1, a.hint.attrs)[0] }
func (a *arena) text() *Text       { return &take(&a.texts, 1, a.hint.texts)[0] }

func (a *arena) comment() *Comment { return &take(&a.comments, 1, a.hint.comments)[0] }

// expr returns a slice holding x alone.
func (a *arena) expr(x Expr) []Expr {
	s := take(&a.exprs, 1, a.hint.exprs)
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

// parsers keeps parsers between parses: a parser's state is larger than
// a small document's nodes, and its working slices (the children of the
// open elements, the attributes of a start tag) grow to fit the documents
// read, so reusing them saves an allocation of each per document.
var parsers = sync.Pool{New: func() any { return new(parser) }}

// getParser returns a parser in its zero state but for the working
// slices and the (empty) tag-tail memo kept from an earlier parse.
func getParser() *parser {
	p, ok := parsers.Get().(*parser)
	if !ok {
		p = new(parser)
	}
	p.pooled = true
	return p
}

// release returns p to the pool, emptied so that it keeps no document
// alive. p must not be used after.
func (p *parser) release() {
	if !p.pooled {
		return
	}
	// Only what this parse used holds pointers: the rest was cleared before.
	clear(p.kids[:max(p.kidsUsed, len(p.kids))])
	clear(p.attrs[:min(p.attrsUsed, cap(p.attrs))])
	clear(p.open[:cap(p.open)])
	if len(p.tailMemo) > 1024 {
		p.tailMemo = nil // from an odd document: do not keep it around
	}
	clear(p.tailMemo)
	*p = parser{kids: p.kids[:0], attrs: p.attrs[:0], open: p.open[:0], starts: p.starts[:0],
		tailMemo: p.tailMemo, visited: p.visited[:0]}
	parsers.Put(p)
}
