package apimpolicy

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValueKind says what an attribute value or text holds, for rules that
// must tell a literal they can check from a value only APIM knows.
type ValueKind int

const (
	// Literal is a constant value.
	Literal ValueKind = iota
	// Expression is a policy expression, evaluated per request.
	Expression
	// NamedValue holds a {{named value}}, substituted when the policy is
	// loaded, so its value is not in the document.
	NamedValue
)

// Kind classifies an attribute's value.
func (a *Attr) Kind() ValueKind { return kindOf(a.Raw, a.Exprs) }

// Kind classifies a text node.
func (t *Text) Kind() ValueKind { return kindOf(t.Raw, t.Exprs) }

func kindOf(raw string, exprs []Expr) ValueKind {
	if len(exprs) > 0 {
		return Expression
	}
	if strings.Contains(raw, "{{") {
		return NamedValue
	}
	return Literal
}

// Value returns the attribute value with entities expanded.
func (a *Attr) Value() string { return Unescape(a.Raw) }

// Code returns the source of the expression, entities expanded (the form
// APIM compiles), found in raw, the Raw string of the node that holds it.
func (x Expr) Code(raw string) string { return Unescape(raw[x.Offset : x.Offset+x.Len]) }

// unescapeMap is Unescape that also returns, for each byte of the result,
// the offset in s it came from.
func unescapeMap(s string) (string, []int) {
	var b strings.Builder
	back := make([]int, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if semi := strings.IndexByte(s[i:], ';'); semi >= 2 && semi <= 12 {
				if r, ok := entity(s[i+1 : i+semi]); ok {
					for range len(r) {
						back = append(back, i)
					}
					b.WriteString(r)
					i += semi + 1
					continue
				}
			}
		}
		b.WriteByte(s[i])
		back = append(back, i)
		i++
	}
	return b.String(), back
}

// Unescape expands the five predefined XML entities and character
// references. Anything else that starts with '&' is kept as written: raw
// policy XML holds bare '&' in expressions ("&&").
func Unescape(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] != '&' {
			// Copy up to the next '&' at once.
			j := strings.IndexByte(s[i:], '&')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		semi := strings.IndexByte(s[i:], ';')
		if semi < 2 || semi > 12 {
			b.WriteByte('&')
			i++
			continue
		}
		ent := s[i+1 : i+semi]
		if r, ok := entity(ent); ok {
			b.WriteString(r)
			i += semi + 1
			continue
		}
		b.WriteByte('&')
		i++
	}
	return b.String()
}

func entity(name string) (string, bool) {
	switch name {
	case "amp":
		return "&", true
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "quot":
		return "\"", true
	case "apos":
		return "'", true
	}
	if len(name) > 1 && name[0] == '#' {
		var n uint64
		var err error
		if name[1] == 'x' || name[1] == 'X' {
			n, err = strconv.ParseUint(name[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(name[1:], 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) && n != 0 {
			return string(rune(n)), true
		}
	}
	return "", false
}

// ValidateValue reports whether s can stand as an attribute value or text
// with the meaning it has. A value that begins (after whitespace) with @(
// or @{ is a policy expression to APIM however it is escaped, so it must
// scan as one; any other string is a literal and always can.
func ValidateValue(s string) error {
	t := strings.TrimLeft(s, " \t\r\n")
	if !isExprStart(t, 0) {
		return nil
	}
	p := &parser{s: t, ix: newLineIndex(t)}
	x := Expr{}
	if p.judgeExpr(&x, t, 0, rawCode, -1); x.Err != "" {
		return fmt.Errorf("starts with %s, so APIM reads it as a policy expression, and it is not a valid one: line %d, column %d: %s",
			t[:2], x.ErrPos.Line, x.ErrPos.Column, x.Err)
	}
	return nil
}

// IsXMLChar reports whether r may appear in an XML 1.0 document: not a
// control character other than tab and line breaks, not U+FFFE or
// U+FFFF, not a surrogate, and not the replacement for invalid UTF-8.
func IsXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError, 0xD800 <= r && r <= 0xDFFF:
		return false
	}
	return r <= unicode.MaxRune
}

// CheckChars returns a *SyntaxError at the first character of src that an
// XML document cannot carry, or nil.
func CheckChars(src []byte) error {
	for off := 0; off < len(src); {
		r, size := utf8.DecodeRune(src[off:])
		if !IsXMLChar(r) || (r == utf8.RuneError && size == 1) {
			what := fmt.Sprintf("the character %U", r)
			if r == utf8.RuneError && size == 1 {
				what = fmt.Sprintf("the byte 0x%02X, which is not UTF-8,", src[off])
			}
			ix := newLineIndex(string(src))
			return &SyntaxError{Pos: ix.at(off), Msg: what + " cannot stand in an XML document"}
		}
		off += size
	}
	return nil
}

// EscapeAttr escapes s for a quoted attribute value (either quote). Line
// breaks and tabs become character references so that they survive
// attribute value normalisation.
func EscapeAttr(s string) string { return attrEscaper.Replace(s) }

// EscapeText escapes s for character data. '>' is escaped too, so "]]>"
// cannot appear.
func EscapeText(s string) string { return textEscaper.Replace(s) }

var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;",
		"\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
)
