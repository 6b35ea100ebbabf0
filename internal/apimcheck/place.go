package apimcheck

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// placeFinding adds to f what its place changes: what no streaming
// request reaches (a branch only other requests take, code after an
// answer, an outbound with no backend before it) is info, with why; a
// fragment names itself. chain is the finding's element and the elements
// around it, outermost first.
func (c *checker) placeFinding(f *found, at place, chain []*apimpolicy.Element) {
	if at.fragment != "" {
		f.Fragment = at.fragment
		f.Message += fmt.Sprintf(" (in fragment %q, included at line %d, column %d)", at.fragment, at.includedAt.Line, at.includedAt.Column)
	}
	if at.plain || c.flow == nil {
		return
	}
	info := c.flowOf(chain)
	if info == nil {
		return
	}
	if info.reach[wStream] == rNo {
		if f.Severity == rules.Error || f.Severity == rules.Warning {
			f.Severity = rules.Info
		}
		f.Message += c.unreachedNote(chain, info)
		f.unreached = true
		return
	}
	f.Message += c.branchNote(chain)
	f.misrouted = c.misroutedIn(chain)
}

// flowOf is what the flow pass learnt of the innermost element of chain
// it reached.
func (c *checker) flowOf(chain []*apimpolicy.Element) *elemFlow {
	for i := len(chain) - 1; i >= 0; i-- {
		if info := c.flow.info(chain[i]); info != nil {
			return info
		}
	}
	return nil
}

// unreachedNote says why no streaming request gets to the end of chain:
// the outermost element on it that they do not reach decides.
func (c *checker) unreachedNote(chain []*apimpolicy.Element, last *elemFlow) string {
	for i, e := range chain {
		info := c.flow.info(e)
		if info == nil || info.reach[wStream] != rNo {
			continue
		}
		if (e.Name == "when" || e.Name == "otherwise") && i > 0 && chain[i-1].Name == "choose" && c.flow.info(chain[i-1]).reach[wStream] != rNo {
			if info.reach.none() {
				return " (no request takes this branch: " + c.describeBranch(chain[i-1], e) + ")"
			}
			return " (only requests that do not ask for a stream take this branch: " + c.describeBranch(chain[i-1], e) + ")"
		}
		return c.stopNote(info)
	}
	return c.stopNote(last)
}

// stopNote says what ended the stream world before an element.
func (c *checker) stopNote(info *elemFlow) string {
	every := info.reach.none()
	s := info.stop
	switch {
	case info.noBackend && every:
		return " (no backend is called on this path, so nothing streams here)"
	case info.noBackend:
		return " (no backend is called for requests that ask for a stream, so nothing streams here)"
	case s == nil:
		return " (no request that asks for a stream gets here)"
	case strings.HasPrefix(info.stopWhy, "threw: "):
		return fmt.Sprintf(" (no request that asks for a stream gets here: the <%s> at %s throws for them: %s)",
			s.Name, c.where(s), strings.TrimPrefix(info.stopWhy, "threw: "))
	case every:
		return fmt.Sprintf(" (this never runs: the <%s> in <inbound> at %s answers every request first)", s.Name, c.where(s))
	}
	return fmt.Sprintf(" (no request that asks for a stream gets here: the <%s> at %s answers them first)", s.Name, c.where(s))
}

// branchNote says which requests take the innermost branch around chain
// when streaming requests may.
func (c *checker) branchNote(chain []*apimpolicy.Element) string {
	for i := len(chain) - 1; i > 0; i-- {
		b := chain[i]
		if (b.Name != "when" && b.Name != "otherwise") || chain[i-1].Name != "choose" {
			continue
		}
		bf := c.flow.branches[b]
		if bf == nil {
			return ""
		}
		others := rNo
		for _, w := range flagWorlds[1:] {
			others = max(others, bf.taken[w])
		}
		switch {
		case bf.taken[wStream] == rYes || others == rNo:
			return " (streaming requests take this branch: " + c.describeBranch(chain[i-1], b) + ")"
		case bf.why[wStream] != "":
			return fmt.Sprintf(" (inside %s: whether streaming requests take it depends on %s, which sseready cannot evaluate; this applies when they do)",
				c.describeBranch(chain[i-1], b), bf.why[wStream])
		}
		return ""
	}
	return ""
}

// misroutedIn returns the comparison that never matches (or always does)
// that decides a branch around chain.
func (c *checker) misroutedIn(chain []*apimpolicy.Element) *constCmp {
	for i := len(chain) - 1; i >= 0; i-- {
		if bf := c.flow.branches[chain[i]]; bf != nil && bf.misrouted != nil {
			return bf.misrouted
		}
	}
	return nil
}

// describeBranch names a branch of choose and its condition for a message.
func (c *checker) describeBranch(choose, b *apimpolicy.Element) string {
	if b.Name == "when" {
		cond := ""
		if a := b.Attr("condition"); a != nil {
			cond = a.Raw
		}
		if len(cond) > 100 {
			cond = cond[:97] + "..."
		}
		return fmt.Sprintf(`<when condition="%s"> at %s`, cond, c.where(b))
	}
	return fmt.Sprintf("the <otherwise> of the <choose> at %s (taken when no <when> matches)", c.where(choose))
}

// where names an element's place: "line L, column C", and in a
// composition "of FILE" too, since the element may stand in another
// scope's policy than the finding.
func (c *checker) where(e *apimpolicy.Element) string {
	s := "line " + strconv.Itoa(e.Pos.Line) + ", column " + strconv.Itoa(e.Pos.Column)
	if c.sourceOf != nil {
		if name, ok := c.sourceOf(e); ok {
			s += " of " + name
		}
	}
	return s
}
