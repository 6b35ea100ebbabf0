package apimpolicy

import "strings"

// codeIn says where an expression's code stands, which decides what its
// bytes mean: entities are expanded in attributes and text, not in CDATA
// or a value given already unescaped; an XML comment in text is a comment.
type codeIn uint8

const (
	attrCode codeIn = iota
	textCode
	rawCode
)

func (c codeIn) entities() bool    { return c != rawCode }
func (c codeIn) xmlComments() bool { return c == textCode }

// judgeExpr checks the expression x of a value as APIM compiles it: the
// whole rest of the value (APIM takes an expression as the whole value),
// read as where says. The raw scan that found the value's end cannot judge it: where
// quotes are written as &quot; it does not see the strings. Problems are
// recorded in x.Err and x.ErrPos, placed in the source. scanned is the
// length the raw scan found (-1 if none): without entities it is the
// answer, and the code need not be scanned again. raw is p.s[base:...].
func (p *parser) judgeExpr(x *Expr, raw string, base int, where codeIn, scanned int) {
	code := strings.TrimRight(raw[x.Offset:], " \t\r\n")
	x.Len = len(code)
	escaped := where.entities() && strings.IndexByte(code, '&') >= 0
	var end int
	var xerr *exprError
	switch {
	case escaped:
		code, end, xerr = p.scanUnescaped(base+x.Offset, base+x.Offset+x.Len, where.xmlComments())
	case scanned >= 0:
		end = scanned
	default:
		end, xerr = p.scanExpr(code, 0, where.xmlComments())
	}
	// Whitespace may remain after the expression, written as an entity
	// (&#13;) that the trim of the raw text left in place.
	k := end
	if xerr == nil {
		for k < len(code) && isSpace(code[k]) {
			k++
		}
		if k == len(code) {
			return // the usual case: no problem to place
		}
	}
	var back []int
	if escaped {
		_, back = unescapeMap(raw[x.Offset : x.Offset+x.Len])
	}
	// at maps an offset in code to one in the source.
	at := func(k int) int {
		if back != nil {
			if k >= len(back) {
				return base + x.Offset + x.Len
			}
			k = back[k]
		}
		return base + x.Offset + k
	}
	if xerr != nil {
		mapped := *xerr
		mapped.off = at(xerr.off)
		if xerr.openAt >= 0 {
			mapped.openAt = at(xerr.openAt)
		}
		se := p.exprErr(at(0), &mapped)
		x.Err, x.ErrPos = se.Msg, se.Pos
		return
	}
	x.Err = "text follows the policy expression: an expression must be the whole value"
	x.ErrPos = p.pos(at(k))
}

// wholeExpression reports whether p.s[from:to], unescaped, is one complete
// policy expression with nothing but whitespace after it.
func (p *parser) wholeExpression(from, to int, xmlComments bool) bool {
	p.budget -= to - from
	to = from + len(strings.TrimRight(p.s[from:to], " \t\r\n"))
	code, end, xerr := p.scanUnescaped(from, to, xmlComments)
	return xerr == nil && strings.TrimSpace(code[end:]) == ""
}

// wholeAfterScan reports whether p.s[i:valueEnd], whose raw scan ended at
// scanEnd, is one whole expression once unescaped. Without entities the
// raw scan is the scan of the unescaped code: only whitespace may follow.
func (p *parser) wholeAfterScan(i, scanEnd, valueEnd int, xmlComments bool) bool {
	if strings.IndexByte(p.s[i:valueEnd], '&') < 0 {
		return strings.TrimSpace(p.s[scanEnd:valueEnd]) == ""
	}
	return p.wholeExpression(i, valueEnd, xmlComments)
}

// unescapedScan is a scan of p.s[from:to] with its entities expanded.
type unescapedScan struct {
	ok          bool
	from, to    int
	xmlComments bool
	code        string
	end         int
	xerr        *exprError
}

// scanUnescaped scans p.s[from:to], entities expanded, as the code of a
// policy expression. The parser asks for the same value's scan more than
// once (finding where an attribute ends, then judging it), so the last
// few are remembered.
func (p *parser) scanUnescaped(from, to int, xmlComments bool) (code string, end int, xerr *exprError) {
	for _, s := range &p.scans {
		if s.ok && s.from == from && s.to == to && s.xmlComments == xmlComments {
			return s.code, s.end, s.xerr
		}
	}
	code = Unescape(p.s[from:to])
	end, xerr = p.scanExpr(code, 0, xmlComments)
	p.scans[p.next] = unescapedScan{true, from, to, xmlComments, code, end, xerr}
	p.next = (p.next + 1) % len(p.scans)
	return code, end, xerr
}
