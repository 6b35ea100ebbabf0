package apimpolicy

// Code is a policy expression's source as APIM compiles it (entities
// expanded where the node has them), with the way back to the document,
// so that a rule can place a finding on the very token it is about.
type Code struct {
	// Text is the expression, '@' and brackets included.
	Text string
	raw  string
	x    Expr
	back []int // offset in raw for each byte of Text; nil when Text is raw
}

// ExprCode returns the code of the attribute's i-th expression.
func (a *Attr) ExprCode(i int) Code { return newCode(a.Raw, a.Exprs[i], true) }

// ExprCode returns the code of the text's i-th expression.
func (t *Text) ExprCode(i int) Code { return newCode(t.Raw, t.Exprs[i], true) }

// ExprCode returns the code of the CDATA section's i-th expression; CDATA
// holds no entities.
func (c *CData) ExprCode(i int) Code { return newCode(c.Raw, c.Exprs[i], false) }

func newCode(raw string, x Expr, entities bool) Code {
	src := raw[x.Offset : x.Offset+x.Len]
	c := Code{Text: src, raw: raw, x: x}
	if entities {
		for i := 0; i < len(src); i++ {
			if src[i] == '&' {
				c.Text, c.back = unescapeMap(src)
				break
			}
		}
	}
	return c
}

// Pos returns where byte off of Text stands in the document. Nodes built
// in code have no position, and neither has any of their code.
func (c Code) Pos(off int) Pos {
	if !c.x.Pos.IsValid() {
		return Pos{}
	}
	r := off
	if c.back != nil {
		if off < len(c.back) {
			r = c.back[off]
		} else {
			r = c.x.Len
		}
	}
	r = min(max(r, 0), c.x.Len)
	start := Pos{Offset: c.x.Offset, Line: c.x.Pos.Line, Column: c.x.Pos.Column}
	ix := &lineIndex{src: c.raw, base: start, last: start}
	p := ix.at(c.x.Offset + r)
	p.Offset = c.x.Pos.Offset + r
	return p
}
