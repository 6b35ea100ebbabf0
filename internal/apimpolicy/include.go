package apimpolicy

import "strings"

// Include is one <include-fragment> of a document.
type Include struct {
	// ID is the fragment-id as APIM reads it (surrounding spaces dropped);
	// "" when the element has no fragment-id.
	ID      string
	Element *Element
}

// Includes returns the include-fragment elements of nodes, in document
// order. It reads the parsed document, so an include-fragment inside a
// comment or a CDATA section is not one: this is the one answer to "which
// fragments does this document include" for every front end (the checker,
// APIOps trees, plans, the module generator).
func Includes(nodes []Node) []Include {
	var out []Include
	Walk(nodes, func(n Node, _ []*Element) bool {
		e, ok := n.(*Element)
		if !ok {
			return true
		}
		if e.Name == "include-fragment" {
			out = append(out, Include{ID: FragmentID(e), Element: e})
		}
		return true
	})
	return out
}

// FragmentID is the fragment-id an include-fragment names, trimmed as APIM
// trims it; "" when it names none.
func FragmentID(e *Element) string {
	if a := e.Attr("fragment-id"); a != nil {
		return strings.TrimSpace(a.Value())
	}
	return ""
}

// IncludedIDs returns the fragment-ids that docs include, directly or
// through the fragments they include (lookup returns a fragment's
// document, or nil when it is not known), each once, in the order first
// met. Missing lists the ids included but not known, in the same order.
func IncludedIDs(docs []*Document, lookup func(id string) *Document) (ids, missing []string) {
	seen := map[string]bool{}
	queue := append([]*Document(nil), docs...)
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if d == nil {
			continue
		}
		for _, inc := range Includes(d.Nodes) {
			if inc.ID == "" || seen[inc.ID] {
				continue
			}
			seen[inc.ID] = true
			frag := lookup(inc.ID)
			if frag == nil {
				missing = append(missing, inc.ID)
				continue
			}
			ids = append(ids, inc.ID)
			queue = append(queue, frag)
		}
	}
	return ids, missing
}
