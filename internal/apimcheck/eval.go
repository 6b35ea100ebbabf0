package apimcheck

import (
	"strconv"
	"strings"
)

// The semantics below are those of C# and Newtonsoft.Json (FACTS.md,
// "Added with issue 16"): JToken.ToString() and (string) of a boolean are
// "True"/"False", == on strings is ordinal, .Value<bool>() of a missing
// key is false and of a JSON null throws. Guessing here would send
// streaming requests down the wrong branch in the checker's eyes.

// evalEnv is what an evaluation sees: the world, the context variables
// set so far on the path, and the locals of a statement block.
type evalEnv struct {
	w      world
	vars   func(name string) (value, bool) // a context variable, if set
	locals map[string]value
	// acceptStreams is the Accept header's answer in the stream world:
	// true when the path reads no body flag (an EventSource's GET asks
	// for text/event-stream), unknown otherwise.
	acceptKnown bool
	// compared records comparisons of a flag-derived string with a
	// literal, for the finding on a comparison that never matches.
	compared *[]comparison
	// worldly is set when the evaluation read something that differs
	// between worlds (the body, the Accept header, a context variable):
	// a value that read none is the same in every world.
	worldly bool
	// req, when set, is the one request evaluated (Trace): the body,
	// headers and method are its own, and w is not read.
	req *concrete
}

// comparison is a string comparison on the flag, as evaluated.
type comparison struct {
	got, with  string
	ignoreCase bool
}

// bodyToken is the body's "stream" key in world w: the JSON token, or
// C# null when the key is missing.
func bodyToken(w world) value {
	switch w {
	case wStream:
		return value{k: vJBool, b: true, flag: true}
	case wNoStream:
		return value{k: vJBool, b: false, flag: true}
	case wNull:
		return value{k: vJNull, flag: true}
	}
	return value{k: vNull, flag: true}
}

func (env *evalEnv) eval(x csExpr) value {
	switch x := x.(type) {
	case *csLit:
		return x.v
	case *csUnsupported:
		return unknown(x.what)
	case *csIdent:
		return env.ident(x.name)
	case *csMember:
		return env.member(x)
	case *csCall:
		return env.call(x)
	case *csIndex:
		return env.index(x)
	case *csUnary:
		return env.unary(x)
	case *csBinary:
		return env.binary(x)
	case *csCond:
		c := env.eval(x.c)
		switch {
		case c.k == vBool:
			return env.eval(pick(c.b, x.a, x.b)).withFlag(c)
		case !c.settled():
			a, b := env.eval(x.a), env.eval(x.b)
			if same(a, b) {
				return a.withFlag(c)
			}
			return c
		}
		return unknown("a ?: whose condition is not a bool")
	case *csCast:
		return cast(env.eval(x.x), x.typ)
	case *csIs:
		return isType(env.eval(x.x), x.typ)
	}
	return unknown("an expression")
}

func pick(c bool, a, b csExpr) csExpr {
	if c {
		return a
	}
	return b
}

func (env *evalEnv) ident(name string) value {
	if v, ok := env.locals[name]; ok {
		return v
	}
	switch name {
	case "context":
		return value{k: vPath, s: "context"}
	case "bool", "Boolean", "string", "String", "Convert", "JObject", "JToken", "JTokenType", "StringComparison", "System":
		return value{k: vType, s: name}
	}
	// A bare name, as gateways' docs write conditions: the context
	// variable of that name when the path sets one.
	env.worldly = true
	if env.vars != nil {
		if v, ok := env.vars(name); ok {
			return v
		}
	}
	return unknown(name)
}

func (env *evalEnv) member(m *csMember) value {
	x := env.eval(m.x)
	if m.nullCond && x.k == vNull {
		return x
	}
	switch x.k {
	case vUnknown, vThrow:
		return x
	case vNull:
		return throws("a NullReferenceException: ." + m.name + " of null").withFlag(x)
	case vPath:
		if env.req != nil {
			if v, ok := env.req.member(x.s + "." + m.name); ok {
				return v
			}
		}
		return contextMember(x.s + "." + m.name)
	case vType:
		if x.s == "JTokenType" || x.s == "StringComparison" {
			return value{k: vEnum, s: x.s + "." + m.name}
		}
		if x.s == "System" {
			return value{k: vType, s: m.name}
		}
		return unknown(x.s + "." + m.name)
	case vJProperty:
		if m.name == "Value" {
			return *x.tok
		}
	}
	if x.isToken() && m.name == "Type" {
		return value{k: vEnum, s: "JTokenType." + tokenType(x)}.withFlag(x)
	}
	if x.isToken() && m.name == "HasValues" {
		return boolVal(x.k == vJObject).withFlag(x)
	}
	if x.k == vString && m.name == "Length" {
		return value{k: vNumber, s: itoa(len(x.s))}.withFlag(x)
	}
	return unknown("." + m.name)
}

// contextMember is what a path under context holds.
func contextMember(path string) value {
	switch path {
	case "context.Request", "context.Request.Body", "context.Request.Headers", "context.Response", "context.Response.Headers":
		return value{k: vPath, s: path}
	case "context.Variables":
		return value{k: vVars}
	}
	return unknown(path) // an input sseready does not model: the method, the URL, ...
}

func tokenType(v value) string {
	switch v.k {
	case vJObject:
		return "Object"
	case vJBool:
		return "Boolean"
	case vJNull:
		return "Null"
	case vJString:
		return "String"
	}
	return "?"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func (env *evalEnv) index(ix *csIndex) value {
	x := env.eval(ix.x)
	if ix.nullCond && x.k == vNull {
		return x
	}
	key := env.eval(ix.key)
	switch {
	case !x.settled():
		return x
	case x.k == vNull:
		return throws("a NullReferenceException: an indexer of null").withFlag(x)
	case x.k == vJObject && key.k == vString:
		return env.key(key.s)
	case x.k == vVars && key.k == vString:
		if v, ok := env.variable(key.s); ok {
			return v
		}
		return throws(`a KeyNotFoundException: context.Variables["` + key.s + `"] is not set`)
	case x.k == vPath && x.s == "context.Request.Headers":
		return unknown("context.Request.Headers[...]")
	}
	return unknown("an indexer")
}

// objectKey is the body's key (indexer, GetValue, SelectToken).
func objectKey(w world, key string) value {
	if key == "stream" || key == "$.stream" {
		return bodyToken(w)
	}
	return unknown(`the body's "` + key + `"`)
}

func (env *evalEnv) variable(name string) (value, bool) {
	env.worldly = true
	if env.vars == nil {
		return unknown(`context.Variables["` + name + `"], which is set outside what sseready sees`), true
	}
	return env.vars(name)
}

func (env *evalEnv) unary(u *csUnary) value {
	x := env.eval(u.x)
	if !x.settled() {
		return x
	}
	if u.op == "!" {
		if x.k == vBool {
			return boolVal(!x.b).withFlag(x)
		}
		if x.k == vNull {
			return x // !(bool?)null is null
		}
	}
	return unknown(u.op + " of " + x.describe())
}

func (env *evalEnv) binary(b *csBinary) value {
	switch b.op {
	case "&&", "||":
		return env.logical(b)
	case "??":
		// The right side runs only when the left is null.
		l := env.eval(b.l)
		if l.k != vNull {
			return l
		}
		return env.eval(b.r).withFlag(l)
	}
	l, r := env.eval(b.l), env.eval(b.r)
	switch b.op {
	case "==", "!=":
		v := env.equal(l, r, false)
		if b.op == "!=" && v.k == vBool {
			v.b = !v.b
		}
		return v
	case "&", "|", "^":
		if l.k == vBool && r.k == vBool {
			switch b.op {
			case "&":
				return boolVal(l.b && r.b).withFlag(l, r)
			case "|":
				return boolVal(l.b || r.b).withFlag(l, r)
			}
			return boolVal(l.b != r.b).withFlag(l, r)
		}
	case "+":
		if l.k == vString && r.k == vString {
			return strVal(l.s+r.s).withFlag(l, r)
		}
	case "<", ">", "<=", ">=":
		if v, ok := compareNumbers(b.op, l, r); ok {
			return v
		}
	}
	for _, v := range []value{l, r} {
		if !v.settled() {
			return v
		}
	}
	return unknown("the operator "+b.op).withFlag(l, r)
}

// compareNumbers is <, >, <= or >= on two integers (a status code and a
// literal).
func compareNumbers(op string, l, r value) (value, bool) {
	if l.k != vNumber || r.k != vNumber {
		return value{}, false
	}
	a, errA := strconv.Atoi(l.s)
	b, errB := strconv.Atoi(r.s)
	if errA != nil || errB != nil {
		return value{}, false
	}
	var v bool
	switch op {
	case "<":
		v = a < b
	case ">":
		v = a > b
	case "<=":
		v = a <= b
	default:
		v = a >= b
	}
	return boolVal(v).withFlag(l, r), true
}

// logical evaluates && and || with C#'s short circuit: the right side is
// not evaluated (and cannot throw) when the left decides.
func (env *evalEnv) logical(b *csBinary) value {
	and := b.op == "&&"
	l := env.eval(b.l)
	if l.k == vBool && l.b != and {
		return l // false && x, true || x
	}
	if l.k == vThrow {
		return l
	}
	r := env.eval(b.r)
	switch {
	case l.k == vBool && r.k == vBool:
		return r.withFlag(l)
	case l.k == vBool:
		return r.withFlag(l) // true && r is r
	case r.k == vBool && r.b != and:
		// unknown && false is false (if the left does not throw)
		return r.withFlag(l)
	}
	if l.settled() && r.settled() {
		return unknown(b.op + " of values that are not bools")
	}
	if l.k == vUnknown {
		return l.withFlag(r)
	}
	return r.withFlag(l)
}

// equal is C#'s == on the kinds of value the flag takes. ignoreCase is
// for string comparisons that ignore case (Equals with
// StringComparison.*IgnoreCase).
func (env *evalEnv) equal(l, r value, ignoreCase bool) value {
	for _, v := range []value{l, r} {
		if !v.settled() {
			return v.withFlag(l, r)
		}
	}
	if r.k == vNull || (r.k == vString && l.k != vString && l.k != vNull) {
		l, r = r, l
	}
	switch {
	case l.k == vNull && r.k == vNull:
		return boolVal(true).withFlag(l, r)
	case l.k == vNull && r.isToken():
		return boolVal(false).withFlag(l, r) // a JSON null token is an object, not C# null
	case l.k == vNull && (r.k == vBool || r.k == vString || r.k == vJProperty):
		return boolVal(false).withFlag(l, r)
	case l.k == vBool && r.k == vBool:
		return boolVal(l.b == r.b).withFlag(l, r)
	case l.k == vString && r.k == vString:
		eq := l.s == r.s
		if ignoreCase {
			eq = strings.EqualFold(l.s, r.s)
		}
		if (l.flag || r.flag) && env.compared != nil {
			got, with := l.s, r.s
			if r.flag && !l.flag {
				got, with = r.s, l.s
			}
			*env.compared = append(*env.compared, comparison{got: got, with: with, ignoreCase: ignoreCase})
		}
		return boolVal(eq).withFlag(l, r)
	case l.k == vEnum && r.k == vEnum:
		return boolVal(l.s == r.s).withFlag(l, r)
	case l.k == vNumber && r.k == vNumber:
		return boolVal(l.s == r.s).withFlag(l, r)
	}
	return unknown("== between "+l.describe()+" and "+r.describe()).withFlag(l, r)
}

// cast is (T)x, (T?)x and x as T.
func cast(x value, typ string) value {
	if !x.settled() {
		return x
	}
	as := strings.HasSuffix(typ, "?as")
	typ = strings.TrimSuffix(typ, "?as")
	nullable := strings.HasSuffix(typ, "?") || as
	switch strings.TrimSuffix(typ, "?") {
	case "bool", "Boolean", "System.Boolean":
		return toBool(x, nullable, "a cast to "+typ).withFlag(x)
	case "string", "String", "System.String":
		if as && x.k != vString {
			return nullVal().withFlag(x)
		}
		return toString(x, "a cast to string").withFlag(x)
	case "object", "JToken":
		return x
	case "JObject":
		if x.k == vJObject || x.k == vNull {
			return x
		}
		if as {
			return nullVal().withFlag(x)
		}
		return throws("an InvalidCastException: " + x.describe() + " is not a JObject").withFlag(x)
	case "JValue":
		if x.isToken() && x.k != vJObject || x.k == vNull {
			return x
		}
	}
	return unknown("a cast to " + typ)
}

// toBool converts x to bool as (bool)x, (bool?)x and .Value<bool>() do
// on tokens (Newtonsoft.Json), and as unboxing does on a context
// variable's value.
func toBool(x value, nullable bool, how string) value {
	switch x.k {
	case vBool:
		return x
	case vJBool:
		return boolVal(x.b)
	case vNull:
		if nullable {
			return x
		}
		return throws("an exception: " + how + " of null")
	case vJNull:
		if nullable {
			return nullVal()
		}
		return throws("an exception: " + how + " of a JSON null")
	case vJString:
		if b, ok := parseBool(x.s); ok {
			return boolVal(b)
		}
		return throws("a FormatException: " + how + " of the JSON string \"" + x.s + "\"")
	case vString:
		return throws("an InvalidCastException: " + how + " of a string")
	}
	return unknown(how + " of " + x.describe())
}

// toString converts x as (string)x does.
func toString(x value, how string) value {
	switch x.k {
	case vString, vNull:
		return x
	case vJBool:
		return strVal(dotnetBool(x.b))
	case vJString:
		return strVal(x.s)
	case vJNull:
		return nullVal()
	case vBool:
		return throws("an InvalidCastException: " + how + " of a bool")
	}
	return unknown(how + " of " + x.describe())
}

func isType(x value, typ string) value {
	if !x.settled() {
		return x
	}
	switch typ {
	case "null":
		return boolVal(x.k == vNull).withFlag(x)
	case "bool", "Boolean":
		return boolVal(x.k == vBool).withFlag(x)
	case "string", "String":
		return boolVal(x.k == vString).withFlag(x)
	case "JObject":
		return boolVal(x.k == vJObject).withFlag(x)
	case "JValue":
		return boolVal(x.isToken() && x.k != vJObject).withFlag(x)
	case "JToken":
		return boolVal(x.isToken()).withFlag(x)
	}
	return unknown("is " + typ)
}
