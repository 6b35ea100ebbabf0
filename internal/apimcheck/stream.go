package apimcheck

import (
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// LLM gateways route on the request's stream flag ("stream": true in the
// JSON body): a <choose> branch for streaming requests, another for the
// rest. A finding in a branch only non-streaming requests take does not
// break a stream. This file recognises such conditions; the patterns are
// listed in the rules guide (StreamConditionPatterns).

// polarity says which requests a condition lets through.
type polarity int8

const (
	polUnknown  polarity = iota // not about the stream flag, or not understood
	polStream                   // only requests that ask for a stream
	polNoStream                 // only requests that do not
)

func (p polarity) flip() polarity {
	switch p {
	case polStream:
		return polNoStream
	case polNoStream:
		return polStream
	}
	return polUnknown
}

// cond is what a branch condition says about the stream flag. exact means
// the condition is the flag itself or its negation, so its negation is
// known too (the <otherwise> of `when stream` is `not stream`); a
// condition that only implies it (stream && x) has no useful negation.
type cond struct {
	pol   polarity
	exact bool
}

func (c cond) not() cond {
	if !c.exact {
		return cond{}
	}
	return cond{pol: c.pol.flip(), exact: true}
}

func and(a, b cond) cond {
	switch {
	case a.pol == polUnknown:
		return cond{pol: b.pol}
	case b.pol == polUnknown:
		return cond{pol: a.pol}
	case a.pol == b.pol:
		return cond{pol: a.pol, exact: a.exact && b.exact}
	}
	return cond{} // contradictory: the branch is never taken; claim nothing
}

func or(a, b cond) cond {
	if a.pol == b.pol && a.pol != polUnknown {
		return cond{pol: a.pol, exact: a.exact && b.exact}
	}
	return cond{}
}

// value is what an operand of a condition evaluates to, as far as the
// stream flag goes.
type value struct {
	kind  valueKind
	pol   polarity // for valFlag: polStream when true means "streaming"
	truth bool     // for valConst
}

type valueKind int8

const (
	valOther   valueKind = iota
	valFlag              // the stream flag (as bool or as "true"/"false" text), or its negation
	valConst             // true, false, "true", "false"
	valNull              // null
	valImplies           // a test that, when true, says which requests these are (pol), but not the reverse
)

// streamVars knows what set-variable stores in each context variable, as
// far as the stream flag goes. Values are read lazily, when a condition
// asks: most variables of a policy are never compared.
type streamVars struct {
	defs map[string][]*apimpolicy.Attr // the value attributes, by name
	memo map[string]value
}

// collect records every set-variable among nodes (fragments given are
// collected by the caller).
func (vars *streamVars) collect(nodes []apimpolicy.Node) {
	for _, n := range nodes {
		e, ok := n.(*apimpolicy.Element)
		if !ok {
			continue
		}
		if e.Name == "set-variable" {
			if name, val := e.Attr("name"), e.Attr("value"); name != nil && val != nil && name.Kind() == apimpolicy.Literal {
				key := strings.TrimSpace(name.Value())
				if vars.defs == nil {
					vars.defs = map[string][]*apimpolicy.Attr{}
				}
				vars.defs[key] = append(vars.defs[key], val)
			}
		}
		vars.collect(e.Children)
	}
}

// lookup returns what the variable holds: the flag only when every
// set-variable of it stores the same flag.
func (vars *streamVars) lookup(name string) value {
	if v, ok := vars.memo[name]; ok {
		return v
	}
	if vars.memo == nil {
		vars.memo = map[string]value{}
	}
	vars.memo[name] = value{} // a variable defined through itself is not the flag
	var v value
	for i, val := range vars.defs[name] {
		one := value{}
		if len(val.Exprs) == 1 && val.Exprs[0].Err == "" {
			one = vars.eval(exprTokens(val.ExprCode(0).Text))
		}
		if i > 0 && one != v {
			v = value{}
			break
		}
		v = one
	}
	vars.memo[name] = v
	return v
}

// exprTokens tokenizes an expression without its @( ) or @{ }.
func exprTokens(code string) []token {
	toks := tokenize(code)
	if len(toks) >= 3 && toks[0].is("@") && (toks[1].is("(") || toks[1].is("{")) {
		return toks[2 : len(toks)-1]
	}
	return nil
}

// classify reads a <when> condition.
func (vars *streamVars) classify(a *apimpolicy.Attr) cond {
	if a == nil || len(a.Exprs) != 1 || a.Exprs[0].Err != "" {
		return cond{}
	}
	code := a.ExprCode(0).Text
	if !strings.HasPrefix(code, "@(") {
		return cond{} // a statement block: not a condition we read
	}
	return vars.condOf(exprTokens(code))
}

// condOf reads tokens as a boolean condition: || of && of comparisons.
func (vars *streamVars) condOf(toks []token) cond {
	if parts := splitTop(toks, "||"); len(parts) > 1 {
		c := vars.condOf(parts[0])
		for _, p := range parts[1:] {
			c = or(c, vars.condOf(p))
		}
		return c
	}
	if parts := splitTop(toks, "&&"); len(parts) > 1 {
		c := vars.condOf(parts[0])
		for _, p := range parts[1:] {
			c = and(c, vars.condOf(p))
		}
		return c
	}
	if inner, ok := unwrapParens(toks); ok {
		return vars.condOf(inner)
	}
	if len(toks) > 0 && toks[0].is("!") {
		if inner, ok := unwrapParens(toks[1:]); ok {
			return vars.condOf(inner).not()
		}
	}
	switch v := vars.eval(toks); v.kind {
	case valFlag:
		return cond{pol: v.pol, exact: true}
	case valImplies:
		return cond{pol: v.pol}
	}
	return cond{}
}

// eval reads an operand: a comparison, a negation, or an atom.
func (vars *streamVars) eval(toks []token) value {
	if len(toks) == 0 {
		return value{}
	}
	for _, op := range []string{"==", "!="} {
		if parts := splitTop(toks, op); len(parts) == 2 {
			v := compare(vars.eval(parts[0]), vars.eval(parts[1]))
			if op == "!=" {
				v = negate(v)
			}
			return v
		} else if len(parts) > 2 {
			return value{}
		}
	}
	if splitsAny(toks, "||", "&&", "?", ":") {
		return value{}
	}
	if toks[0].is("!") {
		return negate(vars.eval(toks[1:]))
	}
	if inner, ok := unwrapParens(toks); ok {
		return vars.eval(inner)
	}
	// A cast: (bool), (bool?), (string).
	if len(toks) > 3 && toks[0].is("(") && toks[1].kind == tokIdent {
		k := 2
		if toks[k].is("?") {
			k++
		}
		if k < len(toks) && toks[k].is(")") && (toks[1].text == "bool" || toks[1].text == "string" || toks[1].text == "Boolean") {
			return vars.eval(toks[k+1:])
		}
	}
	return vars.atom(toks)
}

func compare(a, b value) value {
	if b.kind == valFlag {
		a, b = b, a
	}
	if a.kind == valFlag && b.kind == valConst {
		if b.truth {
			return a
		}
		return negate(a)
	}
	if a.kind == valConst && b.kind == valConst {
		return value{kind: valConst, truth: a.truth == b.truth}
	}
	if b.kind == valNull {
		a, b = b, a
	}
	if a.kind == valNull && b.kind == valFlag {
		// No flag in the body: the request does not ask for a stream
		// (stream defaults to false). The reverse does not hold.
		return value{kind: valImplies, pol: polNoStream}
	}
	return value{}
}

func negate(v value) value {
	switch v.kind {
	case valFlag:
		v.pol = v.pol.flip()
	case valConst:
		v.truth = !v.truth
	case valImplies, valNull:
		return value{}
	}
	return v
}

// atom reads a single operand: a constant, the flag read from the body, a
// context variable, or a bare name, each with conversions after it that do
// not change its meaning (.Value<bool>(), .ToString(), .ToLower(), ?? x).
func (vars *streamVars) atom(toks []token) value {
	if i := indexTop(toks, "??"); i > 0 {
		toks = toks[:i]
	}
	if len(toks) == 1 {
		t := toks[0]
		switch {
		case t.kind == tokIdent && (t.text == "true" || t.text == "false"):
			return value{kind: valConst, truth: t.text == "true"}
		case t.kind == tokIdent && t.text == "null":
			return value{kind: valNull}
		case t.kind == tokString && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
			return value{kind: valConst, truth: strings.EqualFold(t.text, "true")}
		case t.kind == tokIdent:
			return vars.lookup(t.text) // a bare name, as gateways' docs write conditions
		}
	}
	core, rest := value{}, -1
	if toks[0].is("(") {
		// A parenthesised operand with conversions after it:
		// ((string)context.Variables["stream"]).ToLower()
		if m := matching(toks, 0); m > 0 {
			core, rest = vars.eval(toks[1:m]), m+1
		}
	} else if j, ok := streamFlagRead(toks); ok {
		core, rest = value{kind: valFlag, pol: polStream}, j
	} else if j, ok := acceptsEventStream(toks); ok {
		core, rest = value{kind: valFlag, pol: polStream}, j
	} else if name, j, ok := contextVariable(toks); ok {
		core, rest = vars.lookup(name), j
	}
	if rest < 0 || core.kind == valOther {
		return value{}
	}
	return conversions(core, toks[rest:])
}

// conversions applies what follows an atom: meaning-keeping calls, and
// .Equals(x) as a comparison. Anything else makes the value unknown.
func conversions(v value, toks []token) value {
	for i := 0; i < len(toks); {
		if !toks[i].member() || i+1 >= len(toks) || toks[i+1].kind != tokIdent {
			return value{}
		}
		name := toks[i+1].text
		i += 2
		i = skipGeneric(toks, i)
		args := []token(nil)
		if i < len(toks) && toks[i].is("(") {
			end := matching(toks, i)
			if end < 0 {
				return value{}
			}
			args = toks[i+1 : end]
			i = end + 1
		}
		switch name {
		case "Value", "ToString", "ToLower", "ToLowerInvariant", "ToUpper", "ToUpperInvariant", "Trim", "GetValueOrDefault":
			if name != "GetValueOrDefault" && len(args) > 0 {
				return value{}
			}
		case "Equals":
			return compare(v, (&streamVars{}).eval(splitTop(args, ",")[0]))
		default:
			return value{}
		}
	}
	return v
}

// streamFlagRead matches context.Request.Body.As<JObject>(...)["stream"]
// (also ?["stream"], .Value<bool>("stream"), .SelectToken("stream"),
// .GetValue("stream"), .Property("stream")) at the start of toks and
// returns the index past it.
func streamFlagRead(toks []token) (int, bool) {
	i, ok := memberChain(toks, 0, "context", "Request", "Body")
	if !ok {
		return 0, false
	}
	if i+1 < len(toks) && toks[i].member() && toks[i+1].kind == tokIdent && strings.HasPrefix(toks[i+1].text, "As") {
		i = skipGeneric(toks, i+2)
		if i >= len(toks) || !toks[i].is("(") {
			return 0, false
		}
		if i = matching(toks, i); i < 0 {
			return 0, false
		}
		i++
	}
	switch {
	case i+2 < len(toks) && (toks[i].is("[") || toks[i].is("?[")) && isStreamKey(toks[i+1]) && toks[i+2].is("]"):
		return i + 3, true
	case i+1 < len(toks) && toks[i].member() && toks[i+1].kind == tokIdent:
		switch toks[i+1].text {
		case "Value", "SelectToken", "GetValue", "Property", "TryGetValue":
		default:
			return 0, false
		}
		j := skipGeneric(toks, i+2)
		if j+2 < len(toks) && toks[j].is("(") && isStreamKey(toks[j+1]) && toks[j+2].is(")") {
			return j + 3, true
		}
	}
	return 0, false
}

func isStreamKey(t token) bool { return t.kind == tokString && t.text == "stream" }

// acceptsEventStream matches a request that asks for an event stream by
// its Accept header, as an EventSource does:
// context.Request.Headers.GetValueOrDefault("Accept"[, ""]).Contains("text/event-stream")
// (or StartsWith), at the start of toks.
func acceptsEventStream(toks []token) (int, bool) {
	i, ok := memberChain(toks, 0, "context", "Request", "Headers")
	if !ok || i+3 >= len(toks) || !toks[i].member() || toks[i+1].kind != tokIdent ||
		!strings.HasPrefix(toks[i+1].text, "GetValue") || !toks[i+2].is("(") ||
		toks[i+3].kind != tokString || !strings.EqualFold(toks[i+3].text, "Accept") {
		return 0, false
	}
	end := matching(toks, i+2)
	if end < 0 || end+5 >= len(toks) || !toks[end+1].member() ||
		(toks[end+2].text != "Contains" && toks[end+2].text != "StartsWith") || !toks[end+3].is("(") {
		return 0, false
	}
	closeArgs := matching(toks, end+3)
	if closeArgs < 0 || toks[end+4].kind != tokString || !strings.EqualFold(toks[end+4].text, "text/event-stream") {
		return 0, false
	}
	return closeArgs + 1, true
}

// contextVariable matches context.Variables["name"],
// context.Variables.GetValueOrDefault<T>("name"[, default]) and
// context.Variables.GetValue... at the start of toks.
func contextVariable(toks []token) (string, int, bool) {
	i, ok := memberChain(toks, 0, "context", "Variables")
	if !ok || i >= len(toks) {
		return "", 0, false
	}
	if toks[i].is("[") && i+2 < len(toks) && toks[i+1].kind == tokString && toks[i+2].is("]") {
		return toks[i+1].text, i + 3, true
	}
	if toks[i].member() && i+1 < len(toks) && toks[i+1].kind == tokIdent && strings.HasPrefix(toks[i+1].text, "GetValue") {
		j := skipGeneric(toks, i+2)
		if j+1 < len(toks) && toks[j].is("(") && toks[j+1].kind == tokString {
			if end := matching(toks, j); end > 0 {
				return toks[j+1].text, end + 1, true
			}
		}
	}
	return "", 0, false
}

// skipGeneric steps over <T> or <T?> at toks[i].
func skipGeneric(toks []token, i int) int {
	if i < len(toks) && toks[i].is("<") {
		for j := i + 1; j < len(toks) && j < i+6; j++ {
			if toks[j].is(">") {
				return j + 1
			}
		}
	}
	return i
}

// matching returns the index of the bracket that closes toks[i], or -1.
func matching(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case opens(toks[j]):
			depth++
		case toks[j].is(")") || toks[j].is("]") || toks[j].is("}"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func opens(t token) bool { return t.is("(") || t.is("[") || t.is("{") || t.is("?[") }

// unwrapParens returns the tokens inside a pair of parentheses that wraps
// all of toks.
func unwrapParens(toks []token) ([]token, bool) {
	if len(toks) >= 2 && toks[0].is("(") && matching(toks, 0) == len(toks)-1 {
		return toks[1 : len(toks)-1], true
	}
	return nil, false
}

// splitTop splits toks at op where it stands outside brackets.
func splitTop(toks []token, op string) [][]token {
	var parts [][]token
	depth, start := 0, 0
	for j, t := range toks {
		switch {
		case opens(t):
			depth++
		case t.is(")") || t.is("]") || t.is("}"):
			depth--
		case depth == 0 && t.is(op):
			parts = append(parts, toks[start:j])
			start = j + 1
		}
	}
	return append(parts, toks[start:])
}

func indexTop(toks []token, op string) int {
	if parts := splitTop(toks, op); len(parts) > 1 {
		return len(parts[0])
	}
	return -1
}

func splitsAny(toks []token, ops ...string) bool {
	for _, op := range ops {
		if indexTop(toks, op) >= 0 {
			return true
		}
	}
	return false
}
