package apimcheck

import "strings"

// call evaluates a method call: on the body and its tokens, on strings and
// bools, on context.Variables and the headers, and the static helpers
// gateways use (bool.Parse, Convert.ToBoolean, string.Equals, JObject.Parse).
func (env *evalEnv) call(c *csCall) value {
	m, ok := c.fn.(*csMember)
	if !ok {
		return unknown("a call of a local function")
	}
	x := env.eval(m.x)
	if m.nullCond && x.k == vNull {
		return x
	}
	if !x.settled() {
		return x
	}
	args := make([]value, len(c.args))
	for i, a := range c.args {
		args[i] = env.eval(a)
	}
	name := m.name
	typeArg := ""
	if len(m.typeArgs) == 1 {
		typeArg = m.typeArgs[0]
	}
	switch x.k {
	case vType:
		return env.static(x.s+"."+name, args)
	case vPath:
		return env.contextCall(x.s, name, typeArg, args)
	case vVars:
		return env.variablesCall(name, typeArg, args)
	case vBodyText:
		return unknown("." + name + " of the body read as text")
	case vAccept:
		return env.acceptCall(name, args)
	}
	if x.k == vNull {
		if name == "Value" && len(args) == 0 {
			// An extension method (Newtonsoft.Json's Extensions.Value),
			// which checks its argument.
			return throws("an ArgumentNullException: .Value<" + typeArg + ">() of a missing key").withFlag(x)
		}
		return throws("a NullReferenceException: ." + name + "() of null").withFlag(x)
	}
	if x.isToken() || x.k == vJProperty {
		return env.tokenCall(x, name, typeArg, args)
	}
	switch x.k {
	case vString:
		return env.stringCall(x, name, args)
	case vBool:
		switch name {
		case "ToString":
			return strVal(dotnetBool(x.b)).withFlag(x)
		case "Equals":
			if len(args) == 1 {
				return env.equal(x, args[0], false)
			}
		}
	}
	return unknown("." + name + "()")
}

func (env *evalEnv) static(fn string, args []value) value {
	for _, a := range args {
		if !a.settled() {
			return a
		}
	}
	switch fn {
	case "bool.Parse", "Boolean.Parse":
		if len(args) == 1 {
			switch a := args[0]; a.k {
			case vString:
				if b, ok := parseBool(a.s); ok {
					return boolVal(b).withFlag(a)
				}
				return throws(`a FormatException: bool.Parse("` + a.s + `")`).withFlag(a)
			case vNull:
				return throws("an ArgumentNullException: bool.Parse(null)").withFlag(a)
			}
		}
	case "Convert.ToBoolean":
		if len(args) == 1 {
			switch a := args[0]; a.k {
			case vNull:
				return boolVal(false).withFlag(a) // Convert.ToBoolean(null) is false
			case vString:
				if b, ok := parseBool(a.s); ok {
					return boolVal(b).withFlag(a)
				}
				return throws(`a FormatException: Convert.ToBoolean("` + a.s + `")`).withFlag(a)
			default:
				return toBool(a, false, "Convert.ToBoolean").withFlag(a)
			}
		}
	case "string.Equals", "String.Equals":
		if len(args) >= 2 {
			return env.equal(args[0], args[1], len(args) == 3 && ignoresCase(args[2]))
		}
	case "string.IsNullOrEmpty", "String.IsNullOrEmpty", "string.IsNullOrWhiteSpace", "String.IsNullOrWhiteSpace":
		if len(args) == 1 {
			a := args[0]
			switch a.k {
			case vNull:
				return boolVal(true).withFlag(a)
			case vString:
				s := a.s
				if strings.HasSuffix(fn, "WhiteSpace") {
					s = strings.TrimSpace(s)
				}
				return boolVal(s == "").withFlag(a)
			}
		}
	case "JObject.Parse", "JToken.Parse":
		if len(args) == 1 && args[0].k == vBodyText {
			return env.body()
		}
	}
	return unknown(fn + "(...)")
}

// body is the request body parsed as a JSON object in this world.
func (env *evalEnv) body() value {
	env.worldly = true
	if env.req != nil {
		return env.req.body()
	}
	if env.w == wNotJSON {
		return throws("a JsonReaderException: the body is not JSON")
	}
	return value{k: vJObject}
}

func (env *evalEnv) contextCall(path, name, typeArg string, args []value) value {
	switch {
	case path == "context.Request.Body" && name == "As":
		switch strings.TrimSuffix(typeArg, "?") {
		case "JObject", "JToken":
			return env.body()
		case "string", "String":
			return value{k: vBodyText}
		}
		return unknown("context.Request.Body.As<" + typeArg + ">()")
	case (path == "context.Request.Headers" || path == "context.Response.Headers") && env.req != nil:
		if v, ok := env.req.headerCall(path == "context.Response.Headers", name, args); ok {
			return v
		}
		return unknown(path + "." + name + "()")
	case path == "context.Request.Headers" && strings.HasPrefix(name, "GetValue") && len(args) >= 1:
		if args[0].k == vString && strings.EqualFold(args[0].s, "Accept") {
			env.worldly = true
			return value{k: vAccept}
		}
		return unknown("the request header " + args[0].describe())
	}
	return unknown(path + "." + name + "()")
}

// acceptCall asks the Accept header whether it holds text/event-stream.
// A request that does not ask for a stream does not; one that does sends
// it when it is an EventSource's GET, and may not when it is an LLM
// client's POST, so in the stream world the answer is known only when the
// path reads no body flag.
func (env *evalEnv) acceptCall(name string, args []value) value {
	switch name {
	case "Contains", "StartsWith", "Equals", "IndexOf":
		if len(args) >= 1 && args[0].k == vString && strings.Contains(strings.ToLower(args[0].s), "text/event-stream") {
			var v value
			switch {
			case env.w != wStream:
				v = boolVal(false)
			case env.acceptKnown:
				v = boolVal(true)
			default:
				v = unknown("whether a streaming request sends Accept: text/event-stream")
			}
			if name == "IndexOf" {
				return unknown("the Accept header's IndexOf")
			}
			v.flag = true
			return v
		}
	}
	return unknown("the Accept header's ." + name + "()")
}

func (env *evalEnv) variablesCall(name, typeArg string, args []value) value {
	if len(args) == 0 || args[0].k != vString {
		return unknown("context.Variables." + name + "()")
	}
	key := args[0].s
	v, set := env.variable(key)
	switch {
	case name == "ContainsKey":
		if v.k == vUnknown && set {
			return v
		}
		return boolVal(set)
	case strings.HasPrefix(name, "GetValue"):
		if !set {
			if len(args) >= 2 {
				return args[1]
			}
			return defaultOf(typeArg)
		}
		if !v.settled() {
			return v
		}
		return convertVariable(v, typeArg)
	}
	return unknown("context.Variables." + name + "()")
}

// defaultOf is default(T).
func defaultOf(typ string) value {
	switch typ {
	case "bool", "Boolean":
		return boolVal(false)
	case "":
		return unknown("GetValueOrDefault without a type")
	}
	return nullVal()
}

// convertVariable is GetValueOrDefault<T> of a variable that is set: the
// stored value as T. Where the stored type is not T, what APIM does is
// not in sseready's sources, so the value is unknown.
func convertVariable(v value, typ string) value {
	switch strings.TrimSuffix(typ, "?") {
	case "", "object":
		return v
	case "bool", "Boolean":
		if v.k == vBool || (v.k == vNull && strings.HasSuffix(typ, "?")) {
			return v
		}
	case "string", "String":
		if v.k == vString || v.k == vNull {
			return v
		}
	case "JObject", "JToken":
		if v.isToken() || v.k == vNull {
			return v
		}
	}
	return unknown("GetValueOrDefault<" + typ + "> of a variable that holds " + v.describe() + ", which APIM's documentation does not define").withFlag(v)
}

func (env *evalEnv) tokenCall(x value, name, typeArg string, args []value) value {
	if x.k == vJProperty {
		return unknown("." + name + "() of a JProperty")
	}
	key := func() (string, bool) {
		if len(args) >= 1 && args[0].k == vString {
			return args[0].s, true
		}
		return "", false
	}
	switch name {
	case "Value":
		if len(args) == 0 {
			return valueOf(x, typeArg)
		}
		if k, ok := key(); ok && x.k == vJObject {
			return valueOf(env.key(k), typeArg) // obj.Value<T>("key")
		}
	case "ToObject":
		if len(args) == 0 {
			return cast(x, typeArg)
		}
	case "ToString":
		if len(args) == 0 {
			return tokenString(x)
		}
	case "GetValue", "SelectToken":
		if k, ok := key(); ok && x.k == vJObject {
			return env.key(k)
		}
	case "Property":
		if k, ok := key(); ok && x.k == vJObject {
			t := env.key(k)
			if t.k == vNull || !t.settled() {
				return t
			}
			return value{k: vJProperty, tok: &t, flag: t.flag}
		}
	case "ContainsKey":
		if k, ok := key(); ok && x.k == vJObject {
			t := env.key(k)
			if !t.settled() {
				return t
			}
			return boolVal(t.k != vNull).withFlag(t)
		}
	case "Equals":
		if len(args) == 1 && args[0].k == vNull {
			return boolVal(false).withFlag(x)
		}
	}
	return unknown("." + name + "() of a JSON token")
}

// valueOf converts a token as Newtonsoft.Json's Convert does, for
// token.Value<T>() and obj.Value<T>("key"): C# null (a missing key, only
// reached through obj.Value<T>("key")) gives default(T); a JSON null gives
// null for a nullable T and throws for bool.
func valueOf(x value, typ string) value {
	nullable := strings.HasSuffix(typ, "?")
	switch strings.TrimSuffix(typ, "?") {
	case "bool", "Boolean":
		if x.k == vNull {
			if nullable {
				return x
			}
			return boolVal(false).withFlag(x)
		}
		return toBool(x, nullable, ".Value<"+typ+">()").withFlag(x)
	case "string", "String":
		return toString(x, ".Value<string>()").withFlag(x)
	case "JToken", "object":
		return x
	}
	return unknown(".Value<" + typ + ">()")
}

// tokenString is JToken.ToString(): "True"/"False" for a boolean, the
// text of a string, "" for a JSON null.
func tokenString(x value) value {
	switch x.k {
	case vJBool:
		return strVal(dotnetBool(x.b)).withFlag(x)
	case vJString:
		return strVal(x.s).withFlag(x)
	case vJNull:
		return strVal("").withFlag(x)
	}
	return unknown("the JSON text of the body")
}

func (env *evalEnv) stringCall(x value, name string, args []value) value {
	for _, a := range args {
		if !a.settled() {
			return a
		}
	}
	switch name {
	case "ToString", "Trim":
		if name == "Trim" {
			return strVal(strings.TrimSpace(x.s)).withFlag(x)
		}
		return x
	case "ToLower", "ToLowerInvariant":
		return strVal(strings.ToLower(x.s)).withFlag(x)
	case "ToUpper", "ToUpperInvariant":
		return strVal(strings.ToUpper(x.s)).withFlag(x)
	case "Equals":
		if len(args) >= 1 {
			return env.equal(x, args[0], len(args) == 2 && ignoresCase(args[1]))
		}
	case "Contains", "StartsWith", "EndsWith":
		if len(args) >= 1 && args[0].k == vString {
			s, sub := x.s, args[0].s
			if len(args) == 2 && ignoresCase(args[1]) {
				s, sub = strings.ToLower(s), strings.ToLower(sub)
			}
			var b bool
			switch name {
			case "Contains":
				b = strings.Contains(s, sub)
			case "StartsWith":
				b = strings.HasPrefix(s, sub)
			default:
				b = strings.HasSuffix(s, sub)
			}
			return boolVal(b).withFlag(x, args[0])
		}
	}
	return unknown("." + name + "() of a string")
}

// ignoresCase reports whether a StringComparison argument ignores case.
func ignoresCase(v value) bool {
	return v.k == vEnum && strings.HasSuffix(v.s, "IgnoreCase")
}
