package apimcheck

// varTable holds the context variables of every world at one point of the
// pipeline. Branches copy the state, so the table is copied on write: a
// clone shares the map until one of them sets a variable.
// The zero table is empty (its map is made on the first set).
type varTable struct {
	m      map[string]*[numWorlds]value
	shared bool
}

// clone returns a table that shares t's variables until either is written.
func (t *varTable) clone() varTable {
	t.shared = true
	return varTable{m: t.m, shared: true}
}

// get returns the variable in world w, and whether it is set there.
func (t *varTable) get(w int, name string) (value, bool) {
	slot := t.m[name]
	if slot == nil || slot[w].k == vUnset {
		return value{}, false
	}
	return slot[w], true
}

// set stores vals in the worlds mask reaches; the others keep theirs.
func (t *varTable) set(name string, vals [numWorlds]value, mask reaches) {
	if t.shared || t.m == nil {
		m := make(map[string]*[numWorlds]value, len(t.m)+1)
		for k, v := range t.m {
			m[k] = v
		}
		t.m, t.shared = m, false
	}
	var slot [numWorlds]value
	if old := t.m[name]; old != nil {
		slot = *old
	} else {
		for w := range slot {
			slot[w] = value{k: vUnset}
		}
	}
	for w := range slot {
		if mask[w] != rNo {
			slot[w] = vals[w]
		}
	}
	t.m[name] = &slot
}

// mergeTables is the table after paths that may each have been taken:
// per world, the tables of the candidates (indexes into tables) for that
// world; a variable they disagree on is unknown, for why (called only
// then: most merges agree, and its words cost more than the merge).
func mergeTables(tables []*varTable, cands [numWorlds][]int, why func() string) varTable {
	// The common case: every world has one candidate, the same.
	if first := cands[0]; len(first) == 1 {
		one := true
		for w := range cands {
			one = one && len(cands[w]) <= 1 && (len(cands[w]) == 0 || cands[w][0] == first[0])
		}
		if one {
			return tables[first[0]].clone()
		}
	}
	var res varTable
	for j, t := range tables {
		for k := range t.m {
			if res.m != nil && res.m[k] != nil {
				continue // merged from an earlier table
			}
			if res.m == nil {
				res.m = make(map[string]*[numWorlds]value, len(t.m))
			}
			res.m[k] = mergeVar(tables[j:], j, k, cands, why)
		}
	}
	return res
}

// mergeVar merges variable k, which tables[0] (index first of all) holds
// and no earlier table does. A slot the candidates agree on is shared, not
// copied: slots are never written once in a table (see set).
func mergeVar(tables []*varTable, first int, k string, cands [numWorlds][]int, why func() string) *[numWorlds]value {
	var slot [numWorlds]value
	var shared *[numWorlds]value // the one slot every world's value came from, if any
	sharing := true
	var unknownWhy string
	for w := range slot {
		slot[w] = value{k: vUnset}
		var from *[numWorlds]value
		for j, i := range cands[w] {
			got := value{k: vUnset}
			var s *[numWorlds]value
			if i >= first {
				s = tables[i-first].m[k]
			}
			if s != nil {
				got = s[w]
			}
			if j == 0 {
				slot[w], from = got, s
				continue
			}
			if !same(slot[w], got) && (slot[w].k != vUnset || got.k != vUnset) {
				if unknownWhy == "" {
					unknownWhy = "context.Variables[\"" + k + "\"]: " + why()
				}
				flag := slot[w].flag || got.flag
				slot[w] = unknown(unknownWhy)
				slot[w].flag = flag
				from = nil
				break
			}
		}
		switch {
		case from == nil:
			sharing = false
		case shared == nil:
			shared = from
		case shared != from:
			sharing = false
		}
	}
	if sharing && shared != nil {
		return shared
	}
	return &slot
}
