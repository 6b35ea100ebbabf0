package apimcheck

// maxForks bounds the paths through a statement block that are followed
// when conditions cannot be decided; past it the block's value is unknown.
const maxForks = 16

// outcome is one path through a statement block: where it ended (done,
// with the value returned or thrown) and the locals it holds.
type outcome struct {
	done   bool
	v      value
	locals map[string]value
	// why names the undecided condition that forked this path.
	why string
}

// run executes the statements of a @{ } block and returns its value: the
// value every path returns when they agree, else unknown.
func (env *evalEnv) run(stmts []csStmt) value {
	outs := env.exec(stmts, []outcome{{locals: map[string]value{}}})
	var v value
	why := ""
	for i, o := range outs {
		if !o.done {
			o.v = unknown("a block that ends without return")
		}
		if o.why != "" && why == "" {
			why = o.why
		}
		if i == 0 {
			v = o.v
			continue
		}
		if !same(v, o.v) {
			flag := v.flag || o.v.flag
			if why == "" {
				why = "paths through the block that return different values"
			}
			v = unknown(why)
			v.flag = flag
			break
		}
		v.flag = v.flag || o.v.flag
	}
	return v
}

func (env *evalEnv) exec(stmts []csStmt, outs []outcome) []outcome {
	for _, s := range stmts {
		var next []outcome
		for _, o := range outs {
			if o.done {
				next = append(next, o)
				continue
			}
			next = append(next, env.step(s, o)...)
		}
		if len(next) > maxForks {
			return []outcome{{done: true, v: unknown("a block with more than 16 undecided paths")}}
		}
		outs = next
	}
	return outs
}

// step runs one statement on one path.
func (env *evalEnv) step(s csStmt, o outcome) []outcome {
	eval := func(x csExpr) value {
		env.locals = o.locals
		return env.eval(x)
	}
	switch s := s.(type) {
	case *csDecl:
		return env.assign(s.name, s.x, o)
	case *csAssign:
		return env.assign(s.name, s.x, o)
	case *csReturn:
		o.done, o.v = true, eval(s.x)
		return []outcome{o}
	case *csExprStmt:
		if v := eval(s.x); v.k == vThrow {
			return []outcome{{done: true, v: v, why: o.why}}
		}
		return []outcome{o}
	case *csIf:
		c := eval(s.c)
		switch c.k {
		case vBool:
			body := s.els
			if c.b {
				body = s.then
			}
			return env.exec(body, []outcome{o})
		case vThrow:
			return []outcome{{done: true, v: c, why: o.why}}
		}
		why := o.why
		if why == "" {
			why = c.why
		}
		a, b := o, o
		a.why, b.why = why, why
		out := env.exec(s.then, []outcome{a})
		return append(out, env.exec(s.els, []outcome{b})...)
	case *csTry:
		var out []outcome
		for _, r := range env.exec(s.body, []outcome{o}) {
			if r.done && r.v.k == vThrow {
				// The catch runs with the locals the try started with.
				out = append(out, env.exec(s.catch, []outcome{o})...)
				continue
			}
			out = append(out, r)
		}
		return out
	case *csBadStmt:
		return []outcome{{done: true, v: unknown(s.what), why: o.why}}
	}
	return []outcome{{done: true, v: unknown("a statement"), why: o.why}}
}

// assign stores what x computes in the local called name (nil x: null).
func (env *evalEnv) assign(name string, x csExpr, o outcome) []outcome {
	v := nullVal()
	if x != nil {
		env.locals = o.locals
		v = env.eval(x)
	}
	if v.k == vThrow {
		return []outcome{{done: true, v: v, why: o.why}}
	}
	locals := make(map[string]value, len(o.locals)+1)
	for k, lv := range o.locals {
		locals[k] = lv
	}
	locals[name] = v
	o.locals = locals
	return []outcome{o}
}

// parsedCode is a policy expression parsed once and evaluated per world.
type parsedCode struct {
	expr  csExpr
	block []csStmt
	ok    bool // false: not a policy expression sseready evaluates
}

func parseCode(code string) parsedCode {
	toks := tokenize(code)
	if len(toks) < 3 || !toks[0].is("@") {
		return parsedCode{}
	}
	inner := toks[2 : len(toks)-1]
	switch {
	case toks[1].is("(") && toks[len(toks)-1].is(")"):
		return parsedCode{expr: parseExprCode(inner), ok: true}
	case toks[1].is("{") && toks[len(toks)-1].is("}"):
		return parsedCode{block: parseBlockCode(inner), ok: true}
	}
	return parsedCode{}
}

// evaluate runs the parsed code in env's world.
func (env *evalEnv) evaluate(p parsedCode) value {
	if !p.ok {
		return unknown("a policy expression sseready cannot read")
	}
	if p.block != nil {
		return env.run(p.block)
	}
	env.locals = nil
	return env.eval(p.expr)
}
