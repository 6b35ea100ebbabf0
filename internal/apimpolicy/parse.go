package apimpolicy

import (
	"fmt"
	"strings"
)

// MaxDocumentSize is the largest input Parse and ParseNodes accept, in
// bytes. It bounds the time and memory one document can take; the largest
// file of the reference corpus is 22 KiB, so real policies sit far below.
const MaxDocumentSize = 1 << 20

// MaxDepth is the deepest element nesting accepted. Real policies nest a
// handful of levels (choose, when, send-request, set-header, value); the
// bound keeps hostile input from exhausting the stack of tree walkers.
const MaxDepth = 256

const bom = "\xef\xbb\xbf"

// Parse parses a complete policy document: one root element, <policies>
// or <fragment>, with only comments, whitespace and processing
// instructions around it. Errors are *SyntaxError.
func Parse(src []byte) (*Document, error) { return parseDocument(src, false) }

// ParseLoose parses as Parse does, and also takes a file of policies
// without a <policies> or <fragment> root: one policy element, or several
// at the top level, as snippet files hold them. Such a document has
// Rootless set. What Parse refuses for any other reason (a tag left open,
// an end tag without its start tag, text between the policies) it refuses
// too.
func ParseLoose(src []byte) (*Document, error) { return parseDocument(src, true) }

func parseDocument(src []byte, loose bool) (*Document, error) {
	p, err := newParser(src, true)
	if err != nil {
		return nil, err
	}
	defer p.release()
	nodes, err := p.parse()
	if err != nil {
		return nil, err
	}
	rootless, err := p.checkTopLevel(nodes, loose)
	if err != nil {
		return nil, err
	}
	return &Document{BOM: p.bom, Nodes: nodes, Rootless: rootless, src: p.s}, nil
}

// ParseNodes parses a sequence of nodes with no single root, such as the
// policies a user writes for one section (<set-header .../><rate-limit .../>).
// Errors are *SyntaxError.
//
// A byte order mark is only meaningful at the start of a file; here it is
// kept as text.
func ParseNodes(src []byte) ([]Node, error) {
	p, err := newParser(src, false)
	if err != nil {
		return nil, err
	}
	defer p.release()
	return p.parse()
}

type parser struct {
	s   string // the input, sliced for node fields
	i   int    // the scan offset
	ix  lineIndex
	bom bool
	// budget bounds the bytes examined while recovering from expressions
	// that do not scan (see recoverValueEnd).
	budget int
	// tailMemo remembers the verdicts of tagTailOK by position; visited
	// is its working list.
	tailMemo map[int]bool
	visited  []int
	// work counts the bytes examined by expression scans and the
	// attribute names compared, so tests can hold the parser to linear
	// work without timing it.
	work int
	// arena holds the nodes; kids are the children of the open elements
	// (each element's from its start offset), attrs the attributes of the
	// start tag being read: both are copied to the arena when complete.
	arena arena
	kids  []Node
	attrs []*Attr
	// open are the open elements, starts where the children of each begin
	// in kids; kidsUsed and attrsUsed are the most of kids and attrs used
	// (see release).
	open                []*Element
	starts              []int
	kidsUsed, attrsUsed int
	// pooled: p came from getParser and goes back with release.
	pooled bool
	// scans remembers the last unescaped scans (see scanUnescaped).
	scans [4]unescapedScan
	next  int
}

// scanExpr scans the expression at i within src and accounts for the work.
func (p *parser) scanExpr(src string, i int, xmlComments bool) (int, *exprError) {
	end, xerr := scanExpr(src, i, xmlComments)
	if xerr != nil {
		p.work += xerr.reached - i
	} else {
		p.work += end - i
	}
	return end, xerr
}

func newParser(src []byte, skipBOM bool) (*parser, error) {
	s := string(src)
	if len(src) > MaxDocumentSize {
		ix := newLineIndex(s)
		return nil, &SyntaxError{Pos: ix.at(MaxDocumentSize), Msg: fmt.Sprintf(
			"the document is %d bytes, over the limit of %d bytes (1 MiB); split it into policy fragments", len(src), MaxDocumentSize)}
	}
	p := getParser()
	p.s, p.ix, p.budget = s, newLineIndex(s), 4*len(src)+1<<16
	p.arena.size(s)
	if skipBOM && strings.HasPrefix(p.s, bom) {
		p.bom = true
		p.i = len(bom)
		p.ix.base = Pos{Offset: len(bom), Line: 1, Column: 1}
		p.ix.last = p.ix.base
	}
	return p, nil
}

func (p *parser) pos(off int) Pos { return p.ix.at(off) }

func (p *parser) errAt(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...)}
}

// errWithRef reports a problem at off that concerns something at ref,
// ref < off; "{ref}" in the message becomes "line L, column C" of ref.
// The referenced position is computed first: the line index is fastest
// moving forward.
func (p *parser) errWithRef(off, ref int, format string, args ...any) *SyntaxError {
	r := p.pos(ref)
	msg := fmt.Sprintf(format, args...)
	msg = strings.ReplaceAll(msg, "{ref}", fmt.Sprintf("line %d, column %d", r.Line, r.Column))
	return &SyntaxError{Pos: p.pos(off), Msg: msg}
}

func (p *parser) parse() ([]Node, error) {
	stack, starts := p.open[:0], p.starts[:0]
	defer func() { p.open, p.starts = stack, starts }() // kept for the next parse
	add := func(n Node) { p.kids = append(p.kids, n) }
	s := p.s
	for p.i < len(s) {
		if s[p.i] != '<' {
			t, err := p.text()
			if err != nil {
				return nil, err
			}
			add(t)
			continue
		}
		rest := s[p.i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			n, err := p.comment()
			if err != nil {
				return nil, err
			}
			add(n)
		case strings.HasPrefix(rest, "<![CDATA["):
			n, err := p.cdata()
			if err != nil {
				return nil, err
			}
			add(n)
		case strings.HasPrefix(rest, "<!"):
			n, err := p.directive()
			if err != nil {
				return nil, err
			}
			add(n)
		case strings.HasPrefix(rest, "<?"):
			n, err := p.procInst()
			if err != nil {
				return nil, err
			}
			add(n)
		case strings.HasPrefix(rest, "</"):
			endPos := p.pos(p.i)
			space, err := p.endTag(stack)
			if err != nil {
				return nil, err
			}
			e := stack[len(stack)-1]
			e.EndPos = endPos
			e.EndSpace = space
			from := starts[len(starts)-1]
			e.Children = p.arena.nodeList(p.kids[from:])
			p.kidsUsed = max(p.kidsUsed, len(p.kids))
			p.kids = p.kids[:from]
			stack, starts = stack[:len(stack)-1], starts[:len(starts)-1]
		default:
			e, err := p.startTag()
			if err != nil {
				return nil, err
			}
			add(e)
			if !e.SelfClosing {
				if len(stack) == MaxDepth {
					return nil, p.errAt(e.Pos.Offset, "elements are nested more than %d deep", MaxDepth)
				}
				stack, starts = append(stack, e), append(starts, len(p.kids))
			}
		}
	}
	if len(stack) > 0 {
		e := stack[len(stack)-1]
		return nil, &SyntaxError{Pos: e.Pos, Msg: fmt.Sprintf("<%s> is not closed: the document ends before </%s>", e.Name, e.Name)}
	}
	return p.arena.nodeList(p.kids), nil
}

// text scans character data up to the next '<' that starts markup. Text
// that begins (after whitespace) with @( or @{ is a policy expression,
// which may hold '<'; APIM takes an expression as a whole value, so an
// '@(' later in literal text is literal.
func (p *parser) text() (*Text, error) {
	s := p.s
	start := p.i
	t := p.arena.text()
	t.Pos = p.pos(start)
	scanned := -1
	i := start
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if isExprStart(s, i) {
		// The raw scan finds where the expression ends ('<' may stand in
		// it); judgeExpr then checks it as APIM compiles it.
		end, xerr := p.scanExpr(s, i, true)
		textEnd := end + max(strings.IndexByte(s[min(end, len(s)):], '<'), 0)
		if xerr != nil || !p.wholeAfterScan(i, end, textEnd, true) {
			// Escaped text can mislead the raw scan (a "//" comment whose
			// line break is written &#13;). Then the text ends at the next
			// '<', if what stands before it is one whole expression once
			// unescaped; otherwise the raw scan's answer stands.
			lt := strings.IndexByte(s[i:], '<')
			switch {
			case lt >= 0 && p.wholeExpression(i, i+lt, true):
				end = i + lt
			case xerr != nil:
				return nil, p.exprErr(i, xerr)
			}
		}
		t.Exprs = p.arena.expr(Expr{Offset: i - start, Pos: p.pos(i)})
		scanned = end - i
		i = end
	}
	if lt := strings.IndexByte(s[i:], '<'); lt >= 0 {
		i += lt
	} else {
		i = len(s)
	}
	p.i = i
	t.Raw = s[start:i]
	if len(t.Exprs) == 1 {
		p.judgeExpr(&t.Exprs[0], t.Raw, start, textCode, scanned)
	}
	return t, nil
}

func isExprStart(s string, i int) bool {
	return i+1 < len(s) && s[i] == '@' && (s[i+1] == '(' || s[i+1] == '{')
}

func (p *parser) exprErr(at int, xerr *exprError) *SyntaxError {
	if xerr.openAt >= 0 {
		return p.errWithRef(xerr.off, xerr.openAt, "%s opened at {ref}", xerr.msg)
	}
	// An unterminated outermost bracket is reported at the '@'.
	off := xerr.off
	if off == at+1 {
		off = at
	}
	return p.errAt(off, "%s", xerr.msg)
}

func (p *parser) comment() (*Comment, error) {
	start := p.i
	end := strings.Index(p.s[start+4:], "-->")
	if end < 0 {
		return nil, p.errAt(start, "comment is not closed: no '-->' follows this '<!--'")
	}
	end += start + 4
	p.i = end + 3
	c := p.arena.comment()
	c.Raw, c.Pos = p.s[start+4:end], p.pos(start)
	return c, nil
}

func (p *parser) cdata() (*CData, error) {
	start := p.i
	body := start + len("<![CDATA[")
	end := strings.Index(p.s[body:], "]]>")
	if end < 0 {
		return nil, p.errAt(start, "CDATA section is not closed: no ']]>' follows this '<![CDATA['")
	}
	end += body
	p.i = end + 3
	c := &CData{Raw: p.s[body:end], Pos: p.pos(start)}
	// CDATA ends at the first "]]>" whatever it holds. Like text, it is a
	// policy expression when it begins with one; one that does not scan
	// within the section leaves the CDATA literal.
	i := body
	for i < end && isSpace(p.s[i]) {
		i++
	}
	if isExprStart(p.s, i) {
		if xend, xerr := p.scanExpr(p.s[:end], i, false); xerr == nil {
			c.Exprs = p.arena.expr(Expr{Offset: i - body, Pos: p.pos(i)})
			p.judgeExpr(&c.Exprs[0], c.Raw, body, rawCode, xend-i)
		}
	}
	return c, nil
}

func (p *parser) directive() (*Directive, error) {
	start := p.i
	depth := 0
	var quote byte
	for i := start + 2; i < len(p.s); i++ {
		c := p.s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			p.i = i + 1
			return &Directive{Raw: p.s[start+2 : i], Pos: p.pos(start)}, nil
		}
	}
	return nil, p.errAt(start, "'<!' declaration is not closed with '>'")
}

func (p *parser) procInst() (*ProcInst, error) {
	start := p.i
	end := strings.Index(p.s[start+2:], "?>")
	if end < 0 {
		return nil, p.errAt(start, "processing instruction is not closed: no '?>' follows this '<?'")
	}
	end += start + 2
	p.i = end + 2
	return &ProcInst{Raw: p.s[start+2 : end], Pos: p.pos(start)}, nil
}

// endTag scans </name space> and checks it closes the innermost open
// element. It returns the space written before '>'.
func (p *parser) endTag(stack []*Element) (string, error) {
	start := p.i
	p.i += 2
	name := p.name()
	if name == "" {
		return "", p.errAt(start, "expected an element name after '</'")
	}
	space := p.space()
	if p.i >= len(p.s) || p.s[p.i] != '>' {
		return "", p.errAt(start, "end tag </%s is not closed with '>'", name)
	}
	p.i++
	if len(stack) == 0 {
		return "", p.errAt(start, "end tag </%s> has no matching start tag", name)
	}
	open := stack[len(stack)-1]
	if open.Name != name {
		for _, e := range stack {
			if e.Name == name {
				return "", p.errWithRef(start, open.Pos.Offset,
					"end tag </%s> found while <%s> is still open: <%s> opened at {ref} needs its </%s> first",
					name, open.Name, open.Name, open.Name)
			}
		}
		return "", p.errAt(start, "end tag </%s> has no matching start tag (the open element is <%s>)", name, open.Name)
	}
	return space, nil
}

func (p *parser) startTag() (*Element, error) {
	start := p.i
	p.i++
	name := p.name()
	if name == "" {
		return nil, p.errAt(start, "'<' does not start a tag: expected an element name after it (write &lt; for a literal '<')")
	}
	e := p.arena.element()
	e.Name, e.Pos = name, p.pos(start)
	// The attributes are gathered in p.attrs, and copied out when the tag
	// ends.
	e.Attrs = p.attrs[:0]
	var seen map[string]*Attr
	for {
		space := p.space()
		if p.i >= len(p.s) {
			return nil, p.errAt(start, "start tag <%s is not closed with '>' or '/>'", name)
		}
		switch c := p.s[p.i]; {
		case c == '>':
			e.TagSpace = space
			p.i++
			p.endAttrs(e)
			return e, nil
		case c == '/':
			if p.i+1 < len(p.s) && p.s[p.i+1] == '>' {
				e.TagSpace = space
				e.SelfClosing = true
				e.EndPos = e.Pos
				p.i += 2
				p.endAttrs(e)
				return e, nil
			}
			return nil, p.errAt(p.i, "expected '>' after '/' in <%s>", name)
		case space == "":
			return nil, p.errAt(p.i, "expected whitespace, '>' or '/>' after %s in <%s>", describeLast(e), name)
		}
		a, err := p.attr(e, seen)
		if err != nil {
			return nil, err
		}
		a.Space = space
		e.Attrs = append(e.Attrs, a)
		p.attrsUsed = max(p.attrsUsed, len(e.Attrs))
		// Past a few attributes, look names up in a map: a tag with
		// thousands of them must not cost a quadratic duplicate check.
		if len(e.Attrs) == smallTag {
			seen = make(map[string]*Attr, 2*smallTag)
			for _, x := range e.Attrs {
				seen[x.Name] = x
			}
		} else if seen != nil {
			seen[a.Name] = a
		}
	}
}

// endAttrs moves e's attributes from p.attrs to the arena.
func (p *parser) endAttrs(e *Element) {
	p.attrs = e.Attrs[:0]
	e.Attrs = p.arena.attrList(e.Attrs)
}

func describeLast(e *Element) string {
	if len(e.Attrs) == 0 {
		return "the element name"
	}
	return "attribute " + e.Attrs[len(e.Attrs)-1].Name
}

// smallTag is the attribute count up to which duplicates are found by a
// linear scan.
const smallTag = 8

// findAttr returns e's attribute called name, from seen when it is built.
func findAttr(e *Element, name string, seen map[string]*Attr) *Attr {
	if seen != nil {
		return seen[name]
	}
	return e.Attr(name)
}

func (p *parser) attr(e *Element, seen map[string]*Attr) (*Attr, error) {
	at := p.i
	name := p.name()
	if name == "" {
		return nil, p.errAt(at, "unexpected %q in start tag <%s>: expected an attribute name, '>' or '/>'", p.s[at], e.Name)
	}
	if seen == nil {
		p.work += len(e.Attrs)
	}
	if first := findAttr(e, name, seen); first != nil {
		return nil, p.errWithRef(at, first.Pos.Offset, "attribute %s appears twice in <%s> (first at {ref})", name, e.Name)
	}
	a := p.arena.attr()
	a.Name, a.Pos = name, p.pos(at)
	eqStart := p.i
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		return nil, p.errAt(at, "attribute %s in <%s> has no value: write %s=\"...\"", name, e.Name, name)
	}
	p.i++
	p.space()
	a.Eq = p.s[eqStart:p.i]
	if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\'') {
		return nil, p.errAt(at, "the value of attribute %s in <%s> must be in quotes", name, e.Name)
	}
	a.Quote = p.s[p.i]
	p.i++
	vstart := p.i
	a.ValuePos = p.pos(vstart)
	s := p.s
	i := vstart
	scanned := -1
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if isExprStart(s, i) {
		// The raw scan finds where the value ends in rawxml, where '"' may
		// stand unescaped inside the expression; judgeExpr checks it below.
		a.Exprs = p.arena.expr(Expr{Offset: i - vstart, Pos: p.pos(i)})
		j, exprEnd := p.trustedValueEnd(i, a.Quote)
		if j >= 0 {
			scanned = exprEnd - i
		} else {
			var err error
			if j, err = p.recoverValueEnd(i, a.Quote); err != nil {
				return nil, err
			}
		}
		i = j
	}
	for {
		if i >= len(s) {
			return nil, p.errAt(at, "the value of attribute %s in <%s> is not closed: no %c ends it", name, e.Name, a.Quote)
		}
		if s[i] == a.Quote {
			break
		}
		i++
	}
	a.Raw = s[vstart:i]
	if len(a.Exprs) == 1 {
		p.judgeExpr(&a.Exprs[0], a.Raw, vstart, attrCode, scanned)
	}
	p.i = i + 1
	return a, nil
}

// trustedValueEnd runs the raw scan of the expression at i and returns
// where the attribute value ends (its closing quote), or -1 when the scan
// fails or its answer is not sound: the quote must be followed by a
// plausible rest of the tag, and the value, unescaped, must be one whole
// expression. (Escaped text can mislead the raw scan: a "//" comment whose
// line break is written &#10; runs past the real closing quote.)
func (p *parser) trustedValueEnd(i int, quote byte) (valueEnd, exprEnd int) {
	end, xerr := p.scanExpr(p.s, i, false)
	if xerr != nil {
		p.budget -= xerr.reached - i
		return -1, -1
	}
	j := strings.IndexByte(p.s[end:], quote)
	if j < 0 {
		return -1, -1
	}
	j += end
	if !p.tagTailOK(j+1) || !p.wholeAfterScan(i, end, j, false) {
		return -1, -1
	}
	return j, end
}

// recoverValueEnd finds where an attribute value ends when the raw scan
// cannot say: at the first quote followed by a plausible rest of the
// start tag (simple attributes, then '>' or "/>") whose value is a whole
// expression, or failing that at the first such quote at all, keeping an
// expression that does not scan (real files need this: the snippets
// repository has one whose C# strings were mangled across lines). The work
// is budgeted, so hostile input stays linear; past the budget, or with no
// such quote, the expression's error stands.
func (p *parser) recoverValueEnd(i int, quote byte) (int, error) {
	s := p.s
	first := -1
	for j := i; j < len(s) && p.budget > 0; j++ {
		p.budget--
		if s[j] != quote || !p.tagTailOK(j+1) {
			continue
		}
		if first < 0 {
			first = j
		}
		p.budget -= j - i
		if p.wholeExpression(i, j, false) {
			return j, nil
		}
	}
	if first >= 0 {
		return first, nil
	}
	if p.budget <= 0 {
		return 0, p.errAt(i, "this tag's policy expressions could not be delimited within the parser's work limit (%d bytes of scanning for a %d-byte document)", 4*len(s)+1<<16, len(s))
	}
	_, xerr := p.scanExpr(p.s, i, false)
	if xerr == nil {
		xerr = newExprError(i+1, len(s), "unterminated policy expression: the value has no closing quote")
	}
	return 0, p.exprErr(i, xerr)
}

func (p *parser) tagTailOK(k int) bool {
	// The verdict from one attribute boundary is the verdict from the next
	// boundary the walk passes: remember them all, so checking each
	// attribute of a long tag stays linear.
	visited := p.visited[:0]
	ok := p.walkTagTail(k, &visited)
	if p.tailMemo == nil {
		p.tailMemo = map[int]bool{}
	}
	for _, v := range visited {
		p.tailMemo[v] = ok
	}
	p.visited = visited
	return ok
}

func (p *parser) walkTagTail(k int, visited *[]int) bool {
	s := p.s
	start := k
	defer func() { p.budget -= k - start; p.work += k - start }()
	for {
		if ok, seen := p.tailMemo[k]; seen {
			return ok
		}
		*visited = append(*visited, k)
		if p.budget <= 0 {
			return false
		}
		ws := k
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return false
		}
		if s[k] == '>' || (s[k] == '/' && k+1 < len(s) && s[k+1] == '>') {
			return true
		}
		if k == ws {
			return false
		}
		if n := nameEnd(s, k); n == k {
			return false
		} else {
			k = n
		}
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) || s[k] != '=' {
			return false
		}
		k++
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) || (s[k] != '"' && s[k] != '\'') {
			return false
		}
		q := s[k]
		k++
		// A value that is a policy expression may hold quotes and '<'
		// (rawxml): step over it with the C# scan, unless the value read
		// plainly to its first quote is, unescaped, one whole expression
		// already (escaped text can mislead the scan).
		if isExprStart(s, k) {
			plain := strings.IndexByte(s[k:], q)
			if plain >= 0 && p.wholeExpression(k, k+plain, false) {
				// The plain reading is the value, '<' and "&&" included.
				k += plain
			} else {
				end, xerr := p.scanExpr(p.s, k, false)
				if xerr == nil {
					p.budget -= end - k
					if q2 := strings.IndexByte(s[end:], q); q2 >= 0 && strings.TrimSpace(s[end:end+q2]) == "" {
						k = end
					}
				} else {
					p.budget -= xerr.reached - k
				}
			}
		}
		for k < len(s) && s[k] != q {
			if s[k] == '<' {
				return false
			}
			k++
		}
		if k >= len(s) {
			return false
		}
		k++
	}
}

// name scans an XML name at p.i and returns it ("" if none starts there).
func (p *parser) name() string {
	start := p.i
	p.i = nameEnd(p.s, start)
	return p.s[start:p.i]
}

// nameEnd returns the end of the XML name at s[i:], or i if none starts
// there.
func nameEnd(s string, i int) int {
	if i >= len(s) || nameByte[s[i]] != nameStart {
		return i
	}
	for i++; i < len(s) && nameByte[s[i]] != 0; i++ {
	}
	return i
}

const (
	nameStart = 1 + iota // may start a name
	nameRest             // may stand in one after its start
)

var nameByte = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= 0x80 || c == '_' || c == ':' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'):
			t[c] = nameStart
		case c == '-' || c == '.' || ('0' <= c && c <= '9'):
			t[c] = nameRest
		}
	}
	return t
}()

func (p *parser) space() string {
	s := p.s
	start := p.i
	for p.i < len(s) && isSpace(s[p.i]) {
		p.i++
	}
	return s[start:p.i]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// checkTopLevel enforces the shape of a whole document: one root element,
// <policies> or <fragment>, and nothing but markup and whitespace around it.
// With loose, policy elements may stand at the top instead, with no
// <policies> or <fragment> among them: the document is then rootless.
func (p *parser) checkTopLevel(nodes []Node, loose bool) (rootless bool, err error) {
	var root *Element
	elements, roots := 0, 0
	for _, n := range nodes {
		if e, ok := n.(*Element); ok {
			elements++
			if e.Name == "policies" || e.Name == "fragment" {
				roots++
			}
		}
	}
	rootless = loose && elements > 0 && roots == 0
	outside := "outside the root element"
	if rootless {
		outside = "outside any policy element"
	}
	for _, n := range nodes {
		switch n := n.(type) {
		case *Element:
			if root != nil && !rootless {
				return false, p.errWithRef(n.Pos.Offset, root.Pos.Offset,
					"a second root element <%s>: a policy document has one root, and <%s> at {ref} is it", n.Name, root.Name)
			}
			root = n
		case *Text:
			if strings.TrimSpace(n.Raw) != "" {
				off := n.Pos.Offset + len(n.Raw) - len(strings.TrimLeft(n.Raw, " \t\r\n"))
				return false, p.errAt(off, "text %s", outside)
			}
		case *CData:
			return false, &SyntaxError{Pos: n.Pos, Msg: "CDATA section " + outside}
		}
	}
	switch {
	case root == nil:
		return false, p.errAt(len(p.s), "the document is empty: expected a <policies> or <fragment> root element")
	case rootless:
		return true, nil
	case root.Name != "policies" && root.Name != "fragment":
		return false, &SyntaxError{Pos: root.Pos, Msg: fmt.Sprintf(
			"the root element is <%s>: an APIM policy document has <policies> as its root (or <fragment> for a policy fragment)", root.Name)}
	}
	return false, nil
}
