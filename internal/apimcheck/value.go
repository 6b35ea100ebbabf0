package apimcheck

import "strings"

// A request is evaluated in each of these worlds: the request asks for a
// stream ("stream": true), says it does not ("stream": false), does not
// say (the key is null, or missing), or has a body that is not JSON (so
// that a try/catch around the body's parsing has a world of its own).
type world uint8

const (
	wStream world = iota
	wNoStream
	wNull
	wMissing
	wNotJSON
	numWorlds
)

// flagWorlds are the worlds in which the body is JSON: a comparison on the
// flag that gives one answer in all of them never tells streams apart.
var flagWorlds = []world{wStream, wNoStream, wNull, wMissing}

// vkind is the kind of a value a policy expression computes.
type vkind uint8

const (
	vUnknown vkind = iota // not modelled: why names the construct
	vThrow                // the expression throws: why says what
	vNull                 // C# null
	vBool
	vString
	vNumber
	vEnum // JTokenType.X, StringComparison.X: s is "JTokenType.Null"
	// JSON tokens (Newtonsoft.Json): the body, and values read from it.
	vJObject // the request body
	vJBool
	vJNull // a JSON null (a token, not C# null)
	vJString
	vJOther    // another token (a number, an array, another key's value)
	vJProperty // a JProperty: tok is its value
	// Parts of the context, as far as the flag goes.
	vPath     // context, context.Request, ...: s is the path
	vType     // a type name for a static call: s is the name
	vVars     // context.Variables
	vAccept   // the Accept header's value
	vBodyText // the body read as a string
	vUnset    // a context variable not set (in a varTable only)
)

// value is what an expression computes in one world. flag is true when
// the value was derived from the request's stream flag.
type value struct {
	k    vkind
	b    bool
	s    string
	tok  *value // vJProperty's value
	why  string
	flag bool
}

func boolVal(b bool) value     { return value{k: vBool, b: b} }
func strVal(s string) value    { return value{k: vString, s: s} }
func nullVal() value           { return value{k: vNull} }
func unknown(why string) value { return value{k: vUnknown, why: why} }
func throws(why string) value  { return value{k: vThrow, why: why} }

// isToken reports whether v is a JToken (C# null is not).
func (v value) isToken() bool {
	switch v.k {
	case vJObject, vJBool, vJNull, vJString, vJOther:
		return true
	}
	return false
}

// settled reports whether v is a value, not unknown and not a throw.
func (v value) settled() bool { return v.k != vUnknown && v.k != vThrow }

// withFlag marks v as derived from the flag when any of from is.
func (v value) withFlag(from ...value) value {
	for _, f := range from {
		v.flag = v.flag || f.flag
	}
	return v
}

// same reports whether two values are the same value (for merging the
// outcomes of branches).
func same(a, b value) bool {
	if a.k != b.k {
		return false
	}
	switch a.k {
	case vBool, vJBool:
		return a.b == b.b
	case vString, vJString, vNumber, vEnum, vPath, vType:
		return a.s == b.s
	case vUnknown, vThrow, vJOther, vJProperty:
		return false
	}
	return true
}

// dotnetBool is Boolean.ToString(): "True" or "False" (FACTS.md).
func dotnetBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// describe names a value for a message.
func (v value) describe() string {
	switch v.k {
	case vBool:
		return strings.ToLower(dotnetBool(v.b))
	case vString:
		return `"` + v.s + `"`
	case vNull:
		return "null"
	case vJBool:
		return "the JSON " + strings.ToLower(dotnetBool(v.b))
	case vJNull:
		return "a JSON null"
	case vThrow:
		return "an exception (" + v.why + ")"
	}
	return v.why
}
