package apimcheck

import (
	"strings"
)

// The stream flag is read as APIM runs it: policy expressions are parsed
// into the small part of C# that LLM gateways use to compute it (see
// eval.go for what each construct means), and anything else becomes an
// "unsupported" node that names itself, so that an evaluation it stops
// can say why.

type (
	csExpr interface{}
	csStmt interface{}

	csLit struct {
		v value
	}
	csIdent struct {
		name string
	}
	csMember struct {
		x        csExpr
		name     string
		nullCond bool // ?.
		typeArgs []string
	}
	csCall struct {
		fn   csExpr // a *csMember (a method) or *csIdent
		args []csExpr
	}
	csIndex struct {
		x        csExpr
		key      csExpr
		nullCond bool // ?[
	}
	csUnary struct {
		op string
		x  csExpr
	}
	csBinary struct {
		op   string
		l, r csExpr
	}
	csCond struct {
		c, a, b csExpr
	}
	csCast struct {
		typ string // "bool", "bool?", "string", "JObject", ...
		x   csExpr
	}
	csIs struct {
		x   csExpr
		typ string // a type name, or "null"
	}
	// csUnsupported is a construct outside the subset; what names it.
	csUnsupported struct {
		what string
	}

	csDecl struct {
		name string
		x    csExpr // nil: declared without a value
	}
	csAssign struct {
		name string
		x    csExpr
	}
	csIf struct {
		c         csExpr
		then, els []csStmt
	}
	csReturn struct {
		x csExpr
	}
	csTry struct {
		body, catch []csStmt
	}
	csExprStmt struct {
		x csExpr
	}
	csBadStmt struct {
		what string
	}
)

// csParser parses tokens of one expression or statement block.
type csParser struct {
	toks []token
	i    int
	// bad is the first construct the parser could not read.
	bad string
}

func (p *csParser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tokPunct, text: ""}
}

// next is the token after the one at p.i.
func (p *csParser) next() token {
	if p.i+1 < len(p.toks) {
		return p.toks[p.i+1]
	}
	return token{kind: tokPunct, text: ""}
}

func (p *csParser) done() bool { return p.i >= len(p.toks) }

func (p *csParser) accept(punct string) bool {
	if p.peek().is(punct) {
		p.i++
		return true
	}
	return false
}

func (p *csParser) fail(what string) *csUnsupported {
	if p.bad == "" {
		p.bad = what
	}
	return &csUnsupported{what: what}
}

// parseExprCode parses the code of @( ) (tokens without the brackets).
func parseExprCode(toks []token) csExpr {
	p := &csParser{toks: toks}
	x := p.expr()
	if !p.done() {
		return p.fail("the code after " + describeTok(p.peek()))
	}
	return x
}

// parseBlockCode parses the statements of @{ }.
func parseBlockCode(toks []token) []csStmt {
	p := &csParser{toks: toks}
	var out []csStmt
	for !p.done() {
		before := p.i
		out = append(out, p.stmt())
		if p.i == before {
			out = append(out, &csBadStmt{what: describeTok(p.peek())})
			break
		}
	}
	return out
}

func describeTok(t token) string {
	if t.kind == tokString {
		return `"` + t.text + `"`
	}
	if t.text == "" {
		return "the end"
	}
	return "'" + t.text + "'"
}

// stmt parses one statement.
func (p *csParser) stmt() csStmt {
	t := p.peek()
	switch {
	case t.is("{"):
		p.i++
		body := p.block()
		return &csIf{c: &csLit{v: boolVal(true)}, then: body} // a bare block runs once
	case t.is(";"):
		p.i++
		return &csExprStmt{x: &csLit{v: nullVal()}}
	case t.kind == tokIdent && t.text == "return":
		p.i++
		if p.accept(";") {
			return &csReturn{x: &csLit{v: nullVal()}}
		}
		x := p.expr()
		p.endStmt()
		return &csReturn{x: x}
	case t.kind == tokIdent && t.text == "if":
		p.i++
		if !p.accept("(") {
			return p.badStmt("if without (")
		}
		c := p.expr()
		if !p.accept(")") {
			return p.badStmt("the if condition")
		}
		s := &csIf{c: c, then: p.body()}
		if p.peek().kind == tokIdent && p.peek().text == "else" {
			p.i++
			s.els = p.body()
		}
		return s
	case t.kind == tokIdent && t.text == "try":
		p.i++
		s := &csTry{body: p.body()}
		for p.peek().kind == tokIdent && p.peek().text == "catch" {
			p.i++
			if p.peek().is("(") {
				if end := matching(p.toks, p.i); end > 0 {
					p.i = end + 1
				}
			}
			c := p.body()
			if s.catch == nil {
				s.catch = c
			}
		}
		if p.peek().kind == tokIdent && p.peek().text == "finally" {
			p.i++
			s.body = append(s.body, p.body()...)
		}
		return s
	case t.kind == tokIdent && (t.text == "foreach" || t.text == "for" || t.text == "while" || t.text == "do" || t.text == "switch" || t.text == "throw" || t.text == "using"):
		return p.badStmt(t.text)
	}
	// A declaration: var x = e; or TYPE x = e; (TYPE may be generic or nullable).
	if name, ok := p.declaration(); ok {
		var x csExpr
		if p.accept("=") {
			x = p.expr()
		}
		for p.accept(",") { // var a = 1, b = 2;
			if p.peek().kind == tokIdent {
				p.i++
				if p.accept("=") {
					p.expr()
				}
			}
		}
		p.endStmt()
		return &csDecl{name: name, x: x}
	}
	if t.kind == tokIdent && p.next().is("=") {
		p.i += 2
		x := p.expr()
		p.endStmt()
		return &csAssign{name: t.text, x: x}
	}
	x := p.expr()
	p.endStmt()
	return &csExprStmt{x: x}
}

func (p *csParser) badStmt(what string) csStmt {
	p.fail(what)
	p.i = len(p.toks)
	return &csBadStmt{what: what}
}

func (p *csParser) endStmt() {
	if !p.accept(";") && !p.done() && !p.peek().is("}") {
		p.fail("the statement before " + describeTok(p.peek()))
		// Skip to the next statement.
		for !p.done() && !p.peek().is(";") && !p.peek().is("}") {
			p.i++
		}
		p.accept(";")
	}
}

// body parses a statement or a { block }.
func (p *csParser) body() []csStmt {
	if p.accept("{") {
		return p.block()
	}
	return []csStmt{p.stmt()}
}

// block parses statements up to the closing '}'.
func (p *csParser) block() []csStmt {
	var out []csStmt
	for !p.done() && !p.peek().is("}") {
		before := p.i
		out = append(out, p.stmt())
		if p.i == before {
			p.i++
		}
	}
	p.accept("}")
	return out
}

// declaration recognises "TYPE name" (followed by '=' or ';' or ',') and
// consumes it.
func (p *csParser) declaration() (string, bool) {
	j := p.i
	if j >= len(p.toks) || p.toks[j].kind != tokIdent {
		return "", false
	}
	j++
	for j+1 < len(p.toks) && p.toks[j].is(".") && p.toks[j+1].kind == tokIdent { // Newtonsoft.Json.Linq.JObject
		j += 2
	}
	if j < len(p.toks) && p.toks[j].is("<") {
		depth := 0
		for ; j < len(p.toks); j++ {
			if p.toks[j].is("<") {
				depth++
			} else if p.toks[j].is(">") {
				depth--
				if depth == 0 {
					j++
					break
				}
			} else if p.toks[j].kind != tokIdent && !p.toks[j].is(",") && !p.toks[j].is("?") && !p.toks[j].is(".") && !p.toks[j].is("[") && !p.toks[j].is("]") {
				return "", false
			}
		}
	}
	for j < len(p.toks) && (p.toks[j].is("?") || p.toks[j].is("[") || p.toks[j].is("]")) {
		j++
	}
	if j+1 >= len(p.toks) || p.toks[j].kind != tokIdent {
		return "", false
	}
	next := p.toks[j+1]
	if !next.is("=") && !next.is(";") && !next.is(",") {
		return "", false
	}
	name := p.toks[j].text
	p.i = j + 1
	return name, true
}

// expr parses an expression: the conditional operator and below.
func (p *csParser) expr() csExpr {
	c := p.coalesce()
	if p.accept("?") {
		a := p.expr()
		if !p.accept(":") {
			return p.fail("a ?: without ':'")
		}
		b := p.expr()
		return &csCond{c: c, a: a, b: b}
	}
	if p.peek().is("=>") {
		p.i = len(p.toks)
		return p.fail("a lambda")
	}
	return c
}

func (p *csParser) coalesce() csExpr {
	l := p.binary(0)
	if p.accept("??") {
		return &csBinary{op: "??", l: l, r: p.coalesce()}
	}
	return l
}

// binaryLevels are C#'s binary operators by rising precedence (above ??).
var binaryLevels = [][]string{{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">=", "is", "as"}, {"+", "-"}, {"*", "/", "%"}}

func (p *csParser) binary(level int) csExpr {
	if level == len(binaryLevels) {
		return p.unary()
	}
	l := p.binary(level + 1)
	for {
		t := p.peek()
		op := ""
		for _, o := range binaryLevels[level] {
			if (t.kind == tokPunct || t.kind == tokIdent) && t.text == o {
				op = o
			}
		}
		if op == "" {
			return l
		}
		p.i++
		if op == "is" || op == "as" {
			typ := p.typeName()
			if typ == "" {
				return p.fail("an '" + op + "' pattern")
			}
			if op == "as" {
				l = &csCast{typ: typ + "?as", x: l}
			} else {
				if p.peek().kind == tokIdent && !isOperatorWord(p.peek().text) { // is T name: a declaration pattern
					return p.fail("an 'is' pattern with a variable")
				}
				l = &csIs{x: l, typ: typ}
			}
			continue
		}
		l = &csBinary{op: op, l: l, r: p.binary(level + 1)}
	}
}

func isOperatorWord(s string) bool { return s == "is" || s == "as" }

// typeName reads a type (or "null" after is) and returns it as written.
func (p *csParser) typeName() string {
	t := p.peek()
	if t.kind != tokIdent {
		return ""
	}
	p.i++
	name := t.text
	for p.peek().is(".") && p.next().kind == tokIdent {
		name += "." + p.next().text
		p.i += 2
	}
	if p.peek().is("<") {
		args, ok := p.typeArgs()
		if !ok {
			return ""
		}
		name += "<" + strings.Join(args, ",") + ">"
	}
	if p.peek().is("?") && !p.looksLikeConditional() {
		p.i++
		name += "?"
	}
	return name
}

// looksLikeConditional reports whether the '?' at p.i starts a ?: rather
// than marking a nullable type.
func (p *csParser) looksLikeConditional() bool {
	next := p.next()
	return !next.is(")") && !next.is(">") && !next.is(",") && (next.kind != tokPunct || next.text != "")
}

// typeArgs reads <T, U> at p.i when it is a generic argument list (one
// that closes before an operand could follow), and consumes it.
func (p *csParser) typeArgs() ([]string, bool) {
	if !p.peek().is("<") {
		return nil, false
	}
	save := p.i
	p.i++
	var args []string
	for {
		t := p.typeName()
		if t == "" {
			p.i = save
			return nil, false
		}
		args = append(args, t)
		if p.accept(",") {
			continue
		}
		if p.accept(">") {
			return args, true
		}
		p.i = save
		return nil, false
	}
}

// castTypes are the types a parenthesised name is read as a cast to.
var castTypes = map[string]bool{
	"bool": true, "Boolean": true, "System.Boolean": true, "string": true, "String": true, "System.String": true,
	"object": true, "JObject": true, "JToken": true, "JValue": true, "int": true, "long": true, "double": true,
}

func (p *csParser) unary() csExpr {
	t := p.peek()
	switch {
	case t.is("!") || t.is("-") || t.is("+"):
		p.i++
		return &csUnary{op: t.text, x: p.unary()}
	case t.is("("):
		// A cast: (T)x, (T?)x.
		save := p.i
		p.i++
		if typ := p.typeName(); typ != "" && p.accept(")") && castTypes[strings.TrimSuffix(typ, "?")] && p.startsOperand() {
			return &csCast{typ: typ, x: p.unary()}
		}
		p.i = save
	}
	return p.postfix(p.primary())
}

// startsOperand reports whether the token at p.i can start a unary
// expression (what follows a cast).
func (p *csParser) startsOperand() bool {
	t := p.peek()
	switch t.kind {
	case tokIdent, tokString, tokChar, tokNumber:
		return true
	}
	return t.is("(") || t.is("!")
}

func (p *csParser) primary() csExpr {
	t := p.peek()
	switch t.kind {
	case tokString:
		p.i += 1 + t.holes
		if t.holes > 0 {
			return &csLit{v: unknown("an interpolated string")}
		}
		return &csLit{v: strVal(csUnescape(t.text))}
	case tokNumber:
		p.i++
		return &csLit{v: value{k: vNumber, s: t.text}}
	case tokChar:
		p.i++
		return &csLit{v: value{k: vUnknown, why: "a character literal"}}
	case tokIdent:
		p.i++
		switch t.text {
		case "true", "false":
			return &csLit{v: boolVal(t.text == "true")}
		case "null":
			return &csLit{v: nullVal()}
		case "new", "typeof", "default", "nameof", "await", "checked":
			p.i = len(p.toks)
			return p.fail("'" + t.text + "'")
		}
		return &csIdent{name: t.text}
	}
	if t.is("(") {
		p.i++
		x := p.expr()
		if !p.accept(")") {
			return p.fail("the parenthesis before " + describeTok(p.peek()))
		}
		return x
	}
	p.i = len(p.toks)
	return p.fail(describeTok(t))
}

// postfix parses member access, calls and indexers after a primary.
func (p *csParser) postfix(x csExpr) csExpr {
	for {
		t := p.peek()
		switch {
		case t.member():
			name := p.next()
			if name.kind != tokIdent {
				return p.fail("a member access")
			}
			p.i += 2
			m := &csMember{x: x, name: name.text, nullCond: t.is("?.")}
			if args, ok := p.typeArgs(); ok {
				m.typeArgs = args
			}
			x = m
		case t.is("("):
			end := matching(p.toks, p.i)
			if end < 0 {
				return p.fail("a call without ')'")
			}
			x = &csCall{fn: x, args: parseArgs(p.toks[p.i+1 : end])}
			p.i = end + 1
		case t.is("[") || t.is("?["):
			end := matching(p.toks, p.i)
			if end < 0 {
				return p.fail("an indexer without ']'")
			}
			x = &csIndex{x: x, key: parseExprCode(p.toks[p.i+1 : end]), nullCond: t.is("?[")}
			p.i = end + 1
		default:
			return x
		}
	}
}

// parseArgs parses a call's arguments; a named argument (name: x) keeps
// its value, an out argument is unsupported.
func parseArgs(toks []token) []csExpr {
	if len(toks) == 0 {
		return nil
	}
	var out []csExpr
	for _, part := range splitTop(toks, ",") {
		if len(part) >= 2 && part[0].kind == tokIdent && part[1].is(":") {
			part = part[2:]
		}
		if len(part) > 0 && part[0].kind == tokIdent && (part[0].text == "out" || part[0].text == "ref") {
			out = append(out, &csUnsupported{what: "an " + part[0].text + " argument"})
			continue
		}
		out = append(out, parseExprCode(part))
	}
	return out
}

// csUnescape reads the escapes of a regular C# string literal's text.
func csUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
