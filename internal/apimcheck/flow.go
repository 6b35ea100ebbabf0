package apimcheck

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// The flow pass runs the document as APIM would, once per world (see
// value.go): set-variable stores what its expression computes, each
// <choose> sends a world down the first branch whose condition holds, a
// return-response in <inbound> or <backend> ends the worlds that reach it,
// an expression that throws ends its world (APIM goes to <on-error>).
// It records, for every element, which worlds reach it: a finding that no
// streaming request reaches cannot break a stream.

// reach says whether the requests of one world get somewhere.
type reach uint8

const (
	rNo reach = iota
	rMaybe
	rYes
)

type reaches [numWorlds]reach

func allReach(r reach) (out reaches) {
	for w := range out {
		out[w] = r
	}
	return out
}

func minReach(a, b reach) reach { return min(a, b) }

// none reports whether no world gets there.
func (r reaches) none() bool { return r == reaches{} }

// elemFlow is what the flow pass learnt of one element.
type elemFlow struct {
	reach reaches
	// stop is what ended the stream world before the element (an answer,
	// an exception); noBackend says no backend is called before it.
	stop      *apimpolicy.Element
	stopWhy   string
	noBackend bool
	// stopSet: stop and stopWhy were taken from a state (stop may be nil).
	stopSet bool
}

// merge adds what another way to reach the element (o, recorded later)
// says: the first answer stands where it said something.
func (ef *elemFlow) merge(o *elemFlow) {
	for w := range ef.reach {
		ef.reach[w] = max(ef.reach[w], o.reach[w])
	}
	if ef.stop == nil && o.stopSet {
		ef.stop, ef.stopWhy, ef.stopSet = o.stop, o.stopWhy, true
	}
	ef.noBackend = ef.noBackend || o.noBackend
}

// elemRecord is one time the flow pass reached an element, and what it
// learnt there: flows[flow] (elements reached in the same state share one).
type elemRecord struct {
	e    *apimpolicy.Element
	flow int32
}

// branchFlow is what a <when> or <otherwise> takes.
type branchFlow struct {
	taken reaches
	why   [numWorlds]string
	// misrouted is the comparison on the flag that never matches (or
	// always does) that decides where streaming requests go.
	misrouted *constCmp
}

// constCmp is a comparison on the stream flag that gives one answer
// whatever the request says.
type constCmp struct {
	at      *apimpolicy.Element // the <when> or set-variable that holds it
	attr    *apimpolicy.Attr
	result  bool
	compare []comparison
	// chooses are the <choose> elements whose branches it decides.
	chooses []*apimpolicy.Element
}

// pathState is the state of every world at one point of the pipeline.
type pathState struct {
	run  reaches
	why  [numWorlds]string
	vars varTable
	// setAbove says why a variable not set here may still be set
	// (a <base /> of a scope not given, an unknown fragment).
	setAbove above
	// forwarded says whether each world has called a backend.
	forwarded reaches
	stop      [numWorlds]*apimpolicy.Element
	stopWhy   [numWorlds]string
	// section is the section being run.
	section sections
	// constVars are the variables that hold a constant comparison.
	constVars map[string]*constCmp
}

func (s *pathState) clone() *pathState {
	c := *s
	c.vars = s.vars.clone()
	c.constVars = maps.Clone(s.constVars)
	return &c
}

// above is why a variable not set on the path may still be set. Its words
// are made when a message needs them: most never do.
type above struct {
	kind aboveKind
	text string              // aboveSaid: the words; aboveFragment: the id
	base *apimpolicy.Element // aboveBase
}

type aboveKind uint8

const (
	aboveNone     aboveKind = iota
	aboveSaid               // set where the path starts (newState)
	aboveBase               // a <base /> of a scope not given
	aboveFragment           // a fragment sseready cannot see
)

func (a above) set() bool { return a.kind != aboveNone }

func (f *flow) aboveWhy(a above) string {
	switch a.kind {
	case aboveBase:
		return fmt.Sprintf("it may be set at a scope above (the <base /> at %s)", f.c.where(a.base))
	case aboveFragment:
		return fmt.Sprintf("it may be set in the fragment %q, which sseready cannot see", a.text)
	}
	return a.text
}

// flow is the flow pass over one document.
type flow struct {
	c *checker
	// records are the elements reached, in order, flows what they learnt,
	// and index what they say merged per element (see info).
	records  []elemRecord
	flows    []elemFlow
	index    map[*apimpolicy.Element]*elemFlow
	branches map[*apimpolicy.Element]*branchFlow
	consts   []*constCmp
	parsed   map[*apimpolicy.Attr]parsedCode
	// acceptKnown: the path reads no body flag, so a request that asks
	// for a stream is one that sends Accept: text/event-stream.
	acceptKnown bool
	// bodyFlag: some expression names the body's stream key; codeText
	// holds every condition and variable value (see prescan).
	bodyFlag bool
	codeText string
	// forwardedEnd says, per world, whether <backend> called a backend.
	forwardedEnd reaches
	// including are the include-fragment elements being followed.
	including []*apimpolicy.Element
}

// newFlow starts the flow pass of c's document, in c's own storage: a
// checker runs it once.
func newFlow(c *checker) *flow {
	c.ownFlow = flow{c: c}
	return &c.ownFlow
}

func newState(setAbove string) *pathState {
	st := &pathState{run: allReach(rYes)}
	if setAbove != "" {
		st.setAbove = above{kind: aboveSaid, text: setAbove}
	}
	return st
}

// document runs a whole document.
func (f *flow) document(doc *apimpolicy.Document) {
	f.prescan(doc.Nodes)
	f.acceptKnown = !f.bodyFlag
	root := doc.Root()
	switch {
	case root == nil:
		f.nodes(doc.Nodes, newState("it may be set by the policy that includes these policies"))
	case root.Name == "fragment":
		f.nodes(root.Children, newState("it may be set by the policy that includes this fragment"))
	default:
		st := newState("")
		var ends []varTable // the variables at each section's end, for on-error
		onErr := root.Child("on-error")
		runsOnError := onErr != nil && hasElement(onErr)
		if runsOnError {
			ends = make([]varTable, 0, 3)
		}
		for _, name := range []string{"inbound", "backend", "outbound"} {
			sec := root.Child(name)
			st.section = sectionOf(name)
			if name == "outbound" {
				f.enterOutbound(st, root.Child("backend"))
			}
			if sec != nil {
				f.record(sec, st)
				f.nodes(sec.Children, st)
			}
			if runsOnError {
				ends = append(ends, st.vars.clone())
			}
			if name == "backend" {
				f.forwardedEnd = st.forwarded
			}
		}
		if runsOnError {
			// on-error runs after an error anywhere: the variables are
			// those every section end agrees on.
			es := st.clone()
			es.vars = mergeEnds(ends)
			es.section = secOnError
			es.run = allReach(rMaybe)
			f.record(onErr, es)
			f.nodes(onErr.Children, es)
		}
	}
}

func hasElement(e *apimpolicy.Element) bool {
	for _, c := range e.Children {
		if _, ok := c.(*apimpolicy.Element); ok {
			return true
		}
	}
	return false
}

// enterOutbound ends, for <outbound>, the worlds no backend answered: no
// stream comes back to relay.
func (f *flow) enterOutbound(st *pathState, backend *apimpolicy.Element) {
	if backend == nil {
		return
	}
	for w := range st.run {
		if st.run[w] != rNo && st.forwarded[w] == rNo && st.stop[w] == nil {
			st.stop[w], st.stopWhy[w] = backend, "noBackend"
		}
	}
}

// record notes that st reaches e. Another way to reach it (a fragment
// included twice) is another record, merged with this one by info.
func (f *flow) record(e *apimpolicy.Element, st *pathState) {
	ef := st.reached()
	if n := len(f.flows); n == 0 || f.flows[n-1] != ef {
		f.flows = append(f.flows, ef)
	}
	f.records = append(f.records, elemRecord{e, int32(len(f.flows) - 1)})
	f.index = nil
}

// reached is what st says of an element it reaches.
func (st *pathState) reached() (ef elemFlow) {
	for w := range st.run {
		r := st.run[w]
		if st.section == secOutbound && st.forwarded[w] == rNo {
			r = rNo // no backend: nothing streams here
		} else if st.section == secOutbound {
			r = minReach(r, max(st.forwarded[w], rMaybe))
		}
		if r > ef.reach[w] {
			ef.reach[w] = r
		}
	}
	if st.run[wStream] == rNo || (st.section == secOutbound && st.forwarded[wStream] == rNo) {
		if ef.stop == nil && st.stopWhy[wStream] != "noBackend" {
			ef.stop, ef.stopWhy, ef.stopSet = st.stop[wStream], st.stopWhy[wStream], true
		}
		ef.noBackend = ef.noBackend || (st.section == secOutbound && st.stopWhy[wStream] == "noBackend")
	}
	return ef
}

// info is what the flow pass learnt of e, every way it reached e merged;
// nil when it never got there. The pass records every element and few are
// asked about: a short list is searched, a long one indexed when first
// asked.
func (f *flow) info(e *apimpolicy.Element) *elemFlow {
	if len(f.records) <= 64 {
		var out *elemFlow
		for _, r := range f.records {
			if r.e == e {
				out = f.merged(out, r)
			}
		}
		return out
	}
	if f.index == nil {
		f.index = make(map[*apimpolicy.Element]*elemFlow, len(f.records))
		for _, r := range f.records {
			f.index[r.e] = f.merged(f.index[r.e], r)
		}
	}
	return f.index[e]
}

// merged is acc (nil: nothing yet) merged with what r says, in a copy:
// the flows are shared.
func (f *flow) merged(acc *elemFlow, r elemRecord) *elemFlow {
	if acc == nil {
		return &f.flows[r.flow]
	}
	m := new(elemFlow)
	*m = *acc
	m.merge(&f.flows[r.flow])
	return m
}

// nodes runs the elements of nodes in order.
func (f *flow) nodes(nodes []apimpolicy.Node, st *pathState) {
	for _, n := range nodes {
		if e, ok := n.(*apimpolicy.Element); ok {
			f.element(e, st)
		}
	}
}

func (f *flow) element(e *apimpolicy.Element, st *pathState) {
	f.record(e, st)
	f.otherSetters(e, st)
	switch e.Name {
	case "set-variable":
		f.setVariable(e, st)
	case "choose":
		f.choose(e, st)
		return
	case "include-fragment":
		f.include(e, st)
		return
	case "base":
		if f.c.scope != Global {
			st.setAbove = above{kind: aboveBase, base: e}
			if st.section == secBackend {
				for w := range st.forwarded {
					st.forwarded[w] = max(st.forwarded[w], minReach(st.run[w], rMaybe))
				}
			}
		}
		return
	case "forward-request":
		for w := range st.forwarded {
			st.forwarded[w] = max(st.forwarded[w], st.run[w])
		}
		return
	case "return-response", "mock-response":
		f.children(e, st)
		if st.section == secInbound || st.section == secBackend {
			for w := range st.run {
				switch st.run[w] {
				case rYes:
					st.run[w], st.stop[w], st.stopWhy[w] = rNo, e, "answered"
				case rMaybe:
					if st.stop[w] == nil {
						st.stop[w], st.stopWhy[w] = e, "answered"
					}
				}
			}
		}
		return
	}
	f.children(e, st)
}

// otherSetters notes the variables policies other than set-variable
// set (cache-lookup-value's variable-name, send-request's
// response-variable-name, validate-jwt's output-token-variable-name...):
// sseready does not compute what they hold.
func (f *flow) otherSetters(e *apimpolicy.Element, st *pathState) {
	for _, a := range e.Attrs {
		if !strings.HasSuffix(a.Name, "variable-name") || a.Kind() != apimpolicy.Literal {
			continue
		}
		name := strings.TrimSpace(a.Value())
		if !f.named(name) {
			continue // no expression reads it (see setVariable)
		}
		v := unknown("context.Variables[" + strconv.Quote(name) + "] (set by the <" + e.Name + "> at " + f.c.where(e) + ")")
		var vals [numWorlds]value
		for w := range vals {
			vals[w] = v
		}
		st.vars.set(name, vals, st.run)
	}
}

// children runs what e holds, for the record: policies inside a policy
// (send-request, retry, wait) run where it runs.
func (f *flow) children(e *apimpolicy.Element, st *pathState) {
	if len(e.Children) > 0 {
		f.nodes(e.Children, st)
	}
}

func (f *flow) include(e *apimpolicy.Element, st *pathState) {
	id := fragmentID(e)
	doc, ok := f.c.opts.Fragments[id]
	if !ok || slices.Contains(f.including, e) || len(f.including) >= apimpolicy.MaxDepth {
		st.setAbove = above{kind: aboveFragment, text: id}
		if st.section == secBackend {
			for w := range st.forwarded {
				st.forwarded[w] = max(st.forwarded[w], minReach(st.run[w], rMaybe))
			}
		}
		return
	}
	nodes := doc.Nodes
	if root := doc.Root(); root != nil {
		f.record(root, st)
		nodes = root.Children
	}
	f.including = append(f.including, e)
	f.nodes(nodes, st)
	f.including = f.including[:len(f.including)-1]
}

// env builds the evaluation environment of world w at st.
func (f *flow) env(st *pathState, w world, reads *[]string) *evalEnv {
	return &evalEnv{w: w, acceptKnown: f.acceptKnown, vars: func(name string) (value, bool) {
		if reads != nil {
			*reads = append(*reads, name)
		}
		if v, ok := st.vars.get(int(w), name); ok {
			return v, true
		}
		if st.setAbove.set() {
			return unknown(fmt.Sprintf("context.Variables[%q]: %s", name, f.aboveWhy(st.setAbove))), true
		}
		return value{}, false
	}}
}

// code is the parsed code of an attribute's single policy expression.
func (f *flow) code(a *apimpolicy.Attr) (parsedCode, bool) {
	if a == nil || len(a.Exprs) != 1 || a.Exprs[0].Err != "" {
		return parsedCode{}, false
	}
	p, ok := f.parsed[a]
	if !ok {
		p = parseCode(a.ExprCode(0).Text)
		if f.parsed == nil {
			f.parsed = map[*apimpolicy.Attr]parsedCode{}
		}
		f.parsed[a] = p
	}
	return p, p.ok
}

// eval evaluates attribute a in every world st reaches. A literal value
// is the string it holds.
func (f *flow) eval(a *apimpolicy.Attr, st *pathState, mask reaches, reads *[]string, cmps *[numWorlds][]comparison) (out [numWorlds]value) {
	if a != nil && len(a.Exprs) == 0 {
		for w := range out {
			out[w] = strVal(a.Value())
		}
		return out
	}
	p, ok := f.code(a)
	var once *value // the value, when it does not depend on the world
	for w := range out {
		if mask[w] == rNo {
			continue
		}
		switch {
		case !ok:
			out[w] = unknown("a policy expression sseready cannot read")
			continue
		case once != nil:
			out[w] = *once
			continue
		}
		env := f.env(st, world(w), reads)
		if cmps != nil {
			env.compared = &cmps[w]
		}
		out[w] = env.evaluate(p)
		if !env.worldly {
			once = &out[w]
		}
	}
	return out
}
