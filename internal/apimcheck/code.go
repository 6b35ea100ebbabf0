package apimcheck

import "strings"

// The rules read policy expressions as C# code, not as text: a
// "context.Response.Body" inside a comment or a string literal is not a
// read, and one reached through an alias is. tokenize turns an
// expression into the tokens that matter for that: identifiers, literals
// and operators, with comments (C# and XML) dropped and the code holes of
// interpolated strings kept.

type tokKind uint8

const (
	tokIdent tokKind = iota
	tokString
	tokChar
	tokNumber
	tokPunct
)

// token is one C# token. For a string literal, text is what stands between
// the quotes; off is the token's offset in the code.
type token struct {
	kind tokKind
	text string
	off  int
	// holes counts the tokens of an interpolated string's holes, which
	// follow its own token.
	holes int
}

func (t token) is(punct string) bool { return t.kind == tokPunct && t.text == punct }

// member reports whether t is a member access, "." or "?.".
func (t token) member() bool { return t.is(".") || t.is("?.") }

// twoCharOps are the C# operators of two characters the rules look at.
var twoCharOps = []string{"==", "!=", "&&", "||", "??", "?.", "?[", "=>", "<=", ">=", "::", "++", "--"}

// tokenize reads code (an expression with its @( ) or @{ }) into tokens.
// It never fails: what it cannot read it skips a byte at a time.
func tokenize(code string) []token {
	var out []token
	tokenizeInto(code, 0, &out)
	return out
}

func tokenizeInto(code string, base int, out *[]token) {
	n := len(code)
	for i := 0; i < n; {
		c := code[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case strings.HasPrefix(code[i:], "//"):
			for i < n && code[i] != '\n' && code[i] != '\r' {
				i++
			}
		case strings.HasPrefix(code[i:], "/*"):
			i = skipPast(code, i+2, "*/")
		case strings.HasPrefix(code[i:], "<!--"):
			i = skipPast(code, i+4, "-->")
		case c == '"' || ((c == '@' || c == '$') && stringPrefix(code, i) > 0):
			i = stringLiteral(code, i, base, out)
		case c == '\'':
			j := i + 1
			for j < n && code[j] != '\'' && code[j] != '\n' {
				if code[j] == '\\' {
					j++
				}
				j++
			}
			*out = append(*out, token{kind: tokChar, text: code[i+1 : min(j, n)], off: base + i})
			i = min(j+1, n)
		case isIdentStart(c) || (c == '@' && i+1 < n && isIdentStart(code[i+1])):
			j := i + 1
			for j < n && isIdentPart(code[j]) {
				j++
			}
			*out = append(*out, token{kind: tokIdent, text: strings.TrimPrefix(code[i:j], "@"), off: base + i})
			i = j
		case '0' <= c && c <= '9':
			j := i + 1
			for j < n && (isIdentPart(code[j]) || code[j] == '.') {
				j++
			}
			*out = append(*out, token{kind: tokNumber, text: code[i:j], off: base + i})
			i = j
		default:
			op := code[i : i+1]
			for _, two := range twoCharOps {
				if strings.HasPrefix(code[i:], two) {
					op = two
					break
				}
			}
			*out = append(*out, token{kind: tokPunct, text: op, off: base + i})
			i += len(op)
		}
	}
}

func skipPast(code string, i int, end string) int {
	if j := strings.Index(code[i:], end); j >= 0 {
		return i + j + len(end)
	}
	return len(code)
}

// stringPrefix returns the length of a string prefix ($, @, $@, @$) at
// code[i] that is followed by a quote, or 0.
func stringPrefix(code string, i int) int {
	for _, p := range []string{`$@"`, `@$"`, `$"`, `@"`} {
		if strings.HasPrefix(code[i:], p) {
			return len(p) - 1
		}
	}
	return 0
}

// stringLiteral reads the string literal at code[i] and returns the offset
// past it. An interpolated string's holes are code: their tokens are added
// too, after the literal's own token.
func stringLiteral(code string, i, base int, out *[]token) int {
	n := len(code)
	pre := 0
	if code[i] != '"' {
		pre = stringPrefix(code, i)
	}
	verbatim := strings.Contains(code[i:i+pre], "@")
	interp := strings.Contains(code[i:i+pre], "$")
	start := i + pre + 1
	var holes []token
	j := start
	for j < n {
		c := code[j]
		switch {
		case c == '"' && verbatim && j+1 < n && code[j+1] == '"':
			j += 2
			continue
		case c == '"':
		case c == '\\' && !verbatim:
			j += 2
			continue
		case interp && c == '{' && j+1 < n && code[j+1] == '{':
			j += 2
			continue
		case interp && c == '{':
			end := holeEnd(code, j+1)
			tokenizeInto(code[j+1:end], base+j+1, &holes)
			j = min(end+1, n)
			continue
		default:
			j++
			continue
		}
		break
	}
	*out = append(*out, token{kind: tokString, text: code[start:min(j, n)], off: base + i, holes: len(holes)})
	*out = append(*out, holes...)
	return min(j+1, n)
}

// holeEnd returns the offset of the '}' that closes the interpolation hole
// whose code starts at i (a format after ':' is not code, and ends there).
func holeEnd(code string, i int) int {
	depth := 0
	for j := i; j < len(code); j++ {
		switch code[j] {
		case '(', '[', '{':
			depth++
		case ')', ']':
			depth--
		case '}':
			if depth == 0 {
				return j
			}
			depth--
		case '"':
			j = skipPast(code, j+1, `"`) - 1
		case ':':
			if depth == 0 && !strings.HasPrefix(code[j:], "::") && (j == 0 || code[j-1] != ':') {
				if k := strings.IndexByte(code[j:], '}'); k >= 0 {
					return j + k
				}
			}
		}
	}
	return len(code)
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }

// memberChain reports whether toks[i:] starts with the identifiers names
// joined by '.' or '?.', and returns the index past them.
func memberChain(toks []token, i int, names ...string) (int, bool) {
	for k, name := range names {
		if k > 0 {
			if i >= len(toks) || !toks[i].member() {
				return i, false
			}
			i++
		}
		if i >= len(toks) || toks[i].kind != tokIdent || toks[i].text != name {
			return i, false
		}
		i++
	}
	return i, true
}

// bodyRead finds a read of context.<message>.Body (message is Request or
// Response) in the code, directly or through a local alias of
// context.<message> ("var r = context.Response; r.Body..."), and returns
// the offset of the read's first token.
func bodyRead(code, message string) (int, bool) {
	if !strings.Contains(code, "Body") {
		return 0, false // cheap: most expressions never mention a body
	}
	toks := tokenize(code)
	aliases := map[string]bool{}
	for i := range toks {
		// An alias: NAME = context.<message> followed by ';' or ','.
		if i+1 < len(toks) && toks[i].kind == tokIdent && toks[i+1].is("=") {
			if j, ok := memberChain(toks, i+2, "context", message); ok && j < len(toks) && (toks[j].is(";") || toks[j].is(",") || toks[j].is(")")) {
				aliases[toks[i].text] = true
			}
		}
		if _, ok := memberChain(toks, i, "context", message, "Body"); ok {
			return toks[i].off, true
		}
		if toks[i].kind == tokIdent && aliases[toks[i].text] && (i == 0 || !toks[i-1].member()) &&
			i+2 < len(toks) && toks[i+1].member() && toks[i+2].kind == tokIdent && toks[i+2].text == "Body" {
			return toks[i].off, true
		}
	}
	return 0, false
}
