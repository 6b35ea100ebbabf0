package apimpolicy

import (
	"fmt"
	"strings"
)

// exprError is a problem inside a policy expression, at a byte offset.
// When openAt >= 0 the message is about the bracket opened there.
type exprError struct {
	off    int
	msg    string
	openAt int
	// reached is where scanning stopped: the work a failed scan cost.
	reached int
}

func newExprError(off, reached int, msg string) *exprError {
	return &exprError{off: off, msg: msg, openAt: -1, reached: reached}
}

// endsCode reports whether src[i:] starts "</name" or "/>": markup that
// C# cannot hold outside strings and comments, so an expression still
// open there is unterminated. Stopping early keeps a broken expression
// from being scanned to the end of the document.
func endsCode(src string, i int) bool {
	if i+1 >= len(src) {
		return false
	}
	if src[i] == '/' && src[i+1] == '>' {
		return true
	}
	if src[i] == '<' && src[i+1] == '/' && i+2 < len(src) {
		c := src[i+2]
		return c >= 0x80 || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
	}
	return false
}

// scanExpr scans the policy expression that starts at src[start] == '@'
// (followed by '(' or '{') and returns the offset just past its closing
// bracket. It knows enough C# to skip brackets inside string literals,
// verbatim (@"...") and interpolated ($"...{x}...") strings, character
// literals and comments, which is what real policies need: a ')' or '"'
// inside a string must not end the expression. With xmlComments, an XML
// comment (<!-- ... -->) in the code is skipped as APIM's XML reader
// drops it: element text may hold one, an attribute value cannot.
func scanExpr(src string, start int, xmlComments bool) (int, *exprError) {
	end, err := scanCode(src, start+2, closerOf(src[start+1]), start+1, xmlComments)
	return end, err
}

func closerOf(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	default:
		return '}'
	}
}

// scanCode scans C# code from i until the bracket closer that matches the
// opener at openAt, and returns the offset just past that closer.
func scanCode(src string, i int, closer byte, openAt int, xmlComments bool) (int, *exprError) {
	// stack of expected closers and where their openers were; most
	// expressions nest a few brackets deep, within the array.
	type open struct {
		closer byte
		at     int
	}
	var deep [16]open
	stack := append(deep[:0], open{closer, openAt})
	n := len(src)
	for i < n {
		c := src[i]
		if !codeByte[c] {
			i++ // most of the code: nothing that opens, closes or ends
			continue
		}
		if (c == '<' || c == '/') && endsCode(src, i) {
			break
		}
		if c == '<' && xmlComments && strings.HasPrefix(src[i:], "<!--") {
			j := indexFrom(src, i+4, "-->")
			if j < 0 {
				return 0, newExprError(i, n, "XML comment in policy expression is not closed: no '-->' follows this '<!--'")
			}
			i = j + 3
			continue
		}
		switch c {
		case '"', '\'', '@', '$':
			end, err := skipLiteral(src, i)
			if err != nil {
				return 0, err
			}
			i = end
		case '/':
			switch {
			case i+1 < n && src[i+1] == '/':
				i += 2
				for i < n && src[i] != '\n' && src[i] != '\r' && (src[i] != '&' || newlineRef(src, i) == 0) {
					i++
				}
			case i+1 < n && src[i+1] == '*':
				j := indexFrom(src, i+2, "*/")
				if j < 0 {
					return 0, newExprError(i, n, "unterminated /* comment in policy expression")
				}
				i = j + 2
			default:
				i++
			}
		case '(', '[', '{':
			stack = append(stack, open{closerOf(c), i})
			i++
		case ')', ']', '}':
			top := stack[len(stack)-1]
			if c != top.closer {
				return 0, &exprError{off: i, reached: i, msg: fmt.Sprintf("'%c' does not match the '%c'", c, openerOf(top.closer)), openAt: top.at}
			}
			stack = stack[:len(stack)-1]
			i++
			if len(stack) == 0 {
				return i, nil
			}
		default:
			i++
		}
	}
	top := stack[len(stack)-1]
	return 0, newExprError(top.at, i, fmt.Sprintf("unterminated policy expression: no '%c' closes this '%c'", top.closer, openerOf(top.closer)))
}

// newlineRef returns the length of a character reference for a line
// break (&#10; &#13; &#xA; &#xD;) at src[i], or 0. In an escaped value such
// a reference is the line break that ends a "//" comment.
func newlineRef(src string, i int) int {
	if src[i] != '&' || i+4 >= len(src) || src[i+1] != '#' {
		return 0
	}
	for _, ref := range []string{"&#10;", "&#13;", "&#xA;", "&#xD;", "&#xa;", "&#xd;", "&#XA;", "&#XD;"} {
		if strings.HasPrefix(src[i:], ref) {
			return len(ref)
		}
	}
	return 0
}

func openerOf(closer byte) byte {
	switch closer {
	case ')':
		return '('
	case ']':
		return '['
	default:
		return '{'
	}
}

// skipLiteral steps over the string or character literal that starts at
// src[i] (a double quote, a single quote, '@' or '$'), or over the one
// byte when '@' or '$' does not start a string (a verbatim identifier
// such as @class).
func skipLiteral(src string, i int) (int, *exprError) {
	switch src[i] {
	case '"':
		return scanString(src, i+1, false, false)
	case '\'':
		return scanChar(src, i)
	}
	end, ok, err := scanPrefixedString(src, i)
	if err != nil {
		return 0, err
	}
	if !ok {
		return i + 1, nil
	}
	return end, nil
}

// scanPrefixedString handles @"...", $"...", $@"..." and @$"..." at src[i].
// ok is false when src[i] does not start such a literal.
func scanPrefixedString(src string, i int) (end int, ok bool, err *exprError) {
	n := len(src)
	verbatim, interp := false, false
	j := i
	for j < n && j < i+2 {
		switch src[j] {
		case '@':
			if verbatim {
				return 0, false, nil
			}
			verbatim = true
		case '$':
			if interp {
				return 0, false, nil
			}
			interp = true
		default:
			goto done
		}
		j++
	}
done:
	if j >= n || src[j] != '"' || j == i {
		return 0, false, nil
	}
	end, err = scanString(src, j+1, verbatim, interp)
	if err != nil {
		return 0, true, err
	}
	return end, true, nil
}

// scanString scans a string literal body from i (just past the opening
// quote) and returns the offset past the closing quote. A regular string
// cannot span lines in C#, so a line end inside one is reported at once
// instead of running on to the end of the document. An interpolated
// string also has {code} holes, and "{{" and "}}" as literal braces.
func scanString(src string, i int, verbatim, interpolated bool) (int, *exprError) {
	start := i - 1
	n := len(src)
	what := "unterminated string literal in policy expression"
	if interpolated {
		what = "unterminated interpolated string in policy expression"
	}
	for i < n {
		c := src[i]
		switch {
		case c == '"':
			if verbatim && i+1 < n && src[i+1] == '"' {
				i += 2
				continue
			}
			return i + 1, nil
		case c == '\\' && !verbatim:
			i += 2
		case interpolated && c == '{':
			if i+1 < n && src[i+1] == '{' {
				i += 2
				continue
			}
			end, err := scanHole(src, i)
			if err != nil {
				return 0, err
			}
			i = end
		case interpolated && c == '}' && i+1 < n && src[i+1] == '}':
			i += 2
		case (c == '\n' || c == '\r') && !verbatim:
			return 0, newExprError(start, i, what)
		default:
			i++
		}
	}
	return 0, newExprError(start, n, what)
}

// scanHole scans an interpolation hole {expr[,align][:format]} at src[i].
// A ':' outside brackets starts the format, which runs to the '}'.
func scanHole(src string, i int) (int, *exprError) {
	open := i
	depth := 0
	n := len(src)
	i++
	for i < n {
		c := src[i]
		switch c {
		case '"', '\'', '@', '$':
			end, err := skipLiteral(src, i)
			if err != nil {
				return 0, err
			}
			i = end
		case '(', '[', '{':
			depth++
			i++
		case ')', ']':
			depth--
			i++
		case '}':
			if depth == 0 {
				return i + 1, nil
			}
			depth--
			i++
		case ':':
			// A ':' of "::" (global::X) is no format.
			if depth == 0 && (i+1 >= n || src[i+1] != ':') && (i == 0 || src[i-1] != ':') {
				j := i + 1
				for j < n && src[j] != '}' && src[j] != '"' {
					j++
				}
				if j < n && src[j] == '}' {
					return j + 1, nil
				}
				return 0, newExprError(open, j, "unterminated interpolation hole in policy expression")
			}
			i++
		default:
			i++
		}
	}
	return 0, newExprError(open, n, "unterminated interpolation hole in policy expression")
}

// scanChar scans a character literal at src[i] == '\”.
func scanChar(src string, i int) (int, *exprError) {
	n := len(src)
	// A character literal cannot span lines. Its length is not bounded
	// here: entities in the raw text ('&amp;') make it longer than C# says.
	for j := i + 1; j < n; j++ {
		switch src[j] {
		case '\\':
			j++
		case '\'':
			return j + 1, nil
		case '\n', '\r':
			return 0, newExprError(i, j, "unterminated character literal in policy expression")
		}
	}
	return 0, newExprError(i, n, "unterminated character literal in policy expression")
}

// indexFrom is strings.Index from offset i, returning an offset into src.
func indexFrom(src string, i int, sep string) int {
	if i > len(src) {
		return -1
	}
	j := strings.Index(src[i:], sep)
	if j < 0 {
		return -1
	}
	return i + j
}

// codeByte marks the bytes scanCode acts on; it steps over any other.
var codeByte = func() (t [256]bool) {
	for _, c := range []byte(`"'@$/([{)]}<`) {
		t[c] = true
	}
	return t
}()
