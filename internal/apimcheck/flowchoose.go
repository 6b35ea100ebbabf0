package apimcheck

import (
	"fmt"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// setVariable stores what the value computes in each world. A world
// whose expression throws ends there (APIM goes to <on-error>).
func (f *flow) setVariable(e *apimpolicy.Element, st *pathState) {
	nameAttr, val := e.Attr("name"), e.Attr("value")
	if nameAttr == nil || val == nil || nameAttr.Kind() != apimpolicy.Literal {
		return
	}
	name := strings.TrimSpace(nameAttr.Value())
	if !f.named(name) {
		return // no expression reads it
	}
	var reads []string
	var cmps [numWorlds][]comparison
	vals := f.eval(val, st, st.run, &reads, &cmps)
	for w := range vals {
		v := vals[w]
		switch {
		case st.run[w] == rNo:
			continue
		case v.k == vThrow:
			f.throwIn(st, world(w), e, v)
			vals[w] = value{k: vUnset}
			if old, had := st.vars.get(w, name); had {
				vals[w] = old
			}
		case st.run[w] == rMaybe:
			if old, had := st.vars.get(w, name); !had || !same(old, v) {
				flag := v.flag || old.flag
				vals[w] = unknown(fmt.Sprintf("the set-variable %q at %s runs for some of these requests only", name, f.c.where(e)))
				vals[w].flag = flag
			}
		}
	}
	st.vars.set(name, vals, st.run)
	delete(st.constVars, name)
	cc := f.constant(e, val, vals, st.run, cmps, true)
	if cc == nil {
		cc = f.readsConst(st, reads) // the variable copies one that holds it
	}
	if cc != nil {
		// Made when first needed: each state cloned at a <choose> copies it.
		if st.constVars == nil {
			st.constVars = map[string]*constCmp{}
		}
		st.constVars[name] = cc
	}
}

// throwIn ends world w at e, whose expression throws there.
func (f *flow) throwIn(st *pathState, w world, e *apimpolicy.Element, v value) {
	switch st.run[w] {
	case rYes:
		st.run[w], st.stop[w], st.stopWhy[w] = rNo, e, "threw: "+v.why
	case rMaybe:
		if st.stop[w] == nil {
			st.stop[w], st.stopWhy[w] = e, "threw: "+v.why
		}
	}
}

// constant returns the comparison on the flag held by attribute a when it
// gives one answer in every world that reaches it. needCompare asks for a
// string comparison on the flag (a set-variable holding the flag itself is
// not one).
func (f *flow) constant(e *apimpolicy.Element, a *apimpolicy.Attr, vals [numWorlds]value, mask reaches, cmps [numWorlds][]comparison, needCompare bool) *constCmp {
	if mask[wStream] == rNo {
		return nil
	}
	var first *value
	flag, reached := false, 0
	var compare []comparison
	for _, w := range flagWorlds {
		if mask[w] == rNo {
			continue
		}
		v := vals[w]
		if v.k != vBool {
			return nil
		}
		if first != nil && first.b != v.b {
			return nil
		}
		first = &vals[w]
		flag = flag || v.flag
		reached++
		compare = append(compare, cmps[w]...)
	}
	if reached < 2 || !flag || (needCompare && len(compare) == 0) {
		return nil
	}
	cc := &constCmp{at: e, attr: a, result: first.b, compare: compare}
	f.consts = append(f.consts, cc)
	return cc
}

// readsConst returns the constant comparison held by a variable among
// reads, if any.
func (f *flow) readsConst(st *pathState, reads []string) *constCmp {
	for _, r := range reads {
		if cc := st.constVars[r]; cc != nil {
			return cc
		}
	}
	return nil
}

// choose sends each world down the first <when> whose condition holds,
// or the <otherwise>; a world whose condition cannot be decided may take
// the branch and may go on to the next.
func (f *flow) choose(e *apimpolicy.Element, st *pathState) {
	remaining := st.run
	whyLeft := st.why
	var outs []*pathState
	var takens []reaches
	var threw [numWorlds]bool
	var misrouted *constCmp
	for b := range e.ChildElements() {
		if b.Name != "when" && b.Name != "otherwise" {
			f.record(b, st)
			continue
		}
		bf := &branchFlow{}
		var taken reaches
		if b.Name == "otherwise" {
			taken, bf.why = remaining, whyLeft
			remaining = reaches{}
		} else {
			cond := b.Attr("condition")
			var reads []string
			var cmps [numWorlds][]comparison
			vals := f.eval(cond, st, remaining, &reads, &cmps)
			for w := range vals {
				if remaining[w] == rNo {
					continue
				}
				switch v := vals[w]; {
				case v.k == vBool && v.b:
					taken[w], remaining[w] = remaining[w], rNo
				case v.k == vBool:
				case v.k == vThrow:
					threw[w] = true
					f.throwIn(st, world(w), b, v)
					remaining[w] = rNo
				default:
					why := v.why
					if v.k != vUnknown {
						why = "a condition that is " + v.describe() + ", not a bool"
					}
					taken[w], bf.why[w] = minReach(remaining[w], rMaybe), why
					remaining[w] = minReach(remaining[w], rMaybe)
					if whyLeft[w] == "" {
						whyLeft[w] = why
					}
				}
			}
			if cc := f.readsConst(st, reads); cc != nil {
				misrouted = cc
			} else if cc := f.constant(b, cond, vals, st.run, cmps, false); cc != nil {
				misrouted = cc
			}
		}
		bs := st.clone()
		bs.run = taken
		for w := range bs.why {
			if bf.why[w] != "" {
				bs.why[w] = bf.why[w]
			}
		}
		f.record(b, bs)
		f.nodes(b.Children, bs)
		outs, takens = append(outs, bs), append(takens, taken)
		if old := f.branches[b]; old != nil {
			for w := range taken {
				bf.taken[w] = max(old.taken[w], taken[w])
			}
		} else {
			bf.taken = taken
		}
		if f.branches == nil {
			f.branches = map[*apimpolicy.Element]*branchFlow{}
		}
		f.branches[b] = bf
	}
	if misrouted != nil {
		misrouted.chooses = append(misrouted.chooses, e)
		for b := range e.ChildElements() {
			if bf := f.branches[b]; bf != nil {
				bf.misrouted = misrouted
			}
		}
	}
	skipped := st.clone()
	skipped.run = remaining
	outs, takens = append(outs, skipped), append(takens, remaining)
	merged := mergeBranches(func() string { return f.c.where(e) }, st, outs, takens)
	for w := range threw {
		if threw[w] && merged.run[w] != rNo {
			merged.run[w] = minReach(merged.run[w], rMaybe)
		}
	}
	*st = *merged
}

// mergeBranches is the state after a <choose>: for each world, what the
// branches it may have taken leave. chooseAt names the <choose> for a
// message.
func mergeBranches(chooseAt func() string, before *pathState, outs []*pathState, takens []reaches) *pathState {
	res := before.clone()
	var allCands [numWorlds][]int
	// Every world's candidates are cut from one buffer, long enough for all.
	buf := make([]int, 0, int(numWorlds)*len(outs))
	for w := range before.run {
		if before.run[w] == rNo {
			continue
		}
		start := len(buf)
		for i := range outs {
			if takens[i][w] == rYes {
				buf = append(buf[:start], i)
				break
			}
			if takens[i][w] != rNo {
				buf = append(buf, i)
			}
		}
		cands := buf[start:len(buf):len(buf)]
		stopped, definite := false, false
		for _, i := range cands {
			if a := outs[i].run[w]; a < takens[i][w] {
				stopped = true
				definite = definite || (takens[i][w] == rYes && a == rNo)
			}
		}
		switch {
		case len(cands) == 0 || definite:
			res.run[w] = rNo
		case stopped:
			res.run[w] = minReach(before.run[w], rMaybe)
		}
		for _, i := range cands {
			if outs[i].stop[w] != nil && res.stop[w] == nil {
				res.stop[w], res.stopWhy[w] = outs[i].stop[w], outs[i].stopWhy[w]
			}
			if outs[i].setAbove.set() {
				res.setAbove = outs[i].setAbove
			}
			for k, cc := range outs[i].constVars {
				if res.constVars == nil {
					res.constVars = map[string]*constCmp{}
				}
				res.constVars[k] = cc
			}
		}
		allCands[w] = cands
		fwd := rNo
		all := len(cands) > 0
		for _, i := range cands {
			fwd = max(fwd, outs[i].forwarded[w])
			all = all && outs[i].forwarded[w] == rYes
		}
		if !all {
			fwd = minReach(fwd, rMaybe)
		}
		res.forwarded[w] = max(before.forwarded[w], fwd)
	}
	tables := make([]*varTable, len(outs))
	for i, o := range outs {
		tables[i] = &o.vars
	}
	skipped := []int{len(outs) - 1}
	for w := range allCands {
		if before.run[w] == rNo {
			allCands[w] = skipped // unreached: as before (the skipped state)
		}
	}
	res.vars = mergeTables(tables, allCands, func() string {
		return "it is set differently in the branches of the <choose> at " + chooseAt()
	})
	return res
}

// mergeEnds is the variables <on-error> starts with: it can run after
// any section, so they are those every section end agrees on.
func mergeEnds(ends []varTable) varTable {
	tables := make([]*varTable, len(ends))
	every := make([]int, len(ends)) // every world's candidates: all ends
	for i := range ends {
		tables[i], every[i] = &ends[i], i
	}
	var cands [numWorlds][]int
	for w := range cands {
		cands[w] = every
	}
	return mergeTables(tables, cands, func() string { return "<on-error> runs after an error in any section" })
}

// prescan reads, once, what the flow pass needs to know up front:
// whether any policy expression among nodes (and the fragments they
// include) names the body's stream key, and the text of every condition
// and variable value, so that a variable no expression names is not
// evaluated (most variables of a policy are never compared).
func (f *flow) prescan(nodes []apimpolicy.Node) {
	var text strings.Builder
	elems := 0
	f.c.expand(nodes, nil, func(e *apimpolicy.Element, _ []*apimpolicy.Element) bool {
		elems++
		var a *apimpolicy.Attr
		switch e.Name {
		case "when":
			a = e.Attr("condition")
		case "set-variable":
			a = e.Attr("value")
		}
		if a != nil && len(a.Exprs) > 0 {
			text.WriteString(a.Raw)
			text.WriteByte(0)
		}
		if !f.bodyFlag {
			for _, code := range ownCode(e, "stream") {
				for _, t := range tokenize(code.Text) {
					if t.kind == tokString && (t.text == "stream" || t.text == "$.stream") {
						f.bodyFlag = true
					}
				}
			}
		}
		return true
	})
	f.codeText = text.String()
	// The pass records each element about once (and the sections), and
	// elements in a row mostly share a flow.
	f.records = reuse(f.c.keep.records, elems+8)
	f.flows = reuse(f.c.keep.flows, elems/4+4)
}

// named reports whether some condition or variable value may read the
// variable called name.
func (f *flow) named(name string) bool { return strings.Contains(f.codeText, name) }
