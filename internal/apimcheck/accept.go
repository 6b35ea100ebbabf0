package apimcheck

import (
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// acceptPrefix starts an inline acceptance, as in
// "<!-- sseready:accept SSE103 the health endpoint answers itself -->".
const acceptPrefix = "sseready:accept"

// inlineAccept is an acceptance written in the document, and where.
type inlineAccept struct {
	rules.Acceptance
	at apimpolicy.Pos
}

// acceptComments reads the inline acceptances among nodes. A comment
// applies to the element that follows it (over whitespace and other
// comments); one with no element after it applies to outer, the element
// that holds the nodes (nil: the whole document). A comment that names no
// rule is reported on the element it stands before (or outer, or the
// element before it).
func (c *checker) acceptComments(nodes []apimpolicy.Node, outer *apimpolicy.Element) {
	var pending []inlineAccept
	var invalid []*apimpolicy.Comment
	var errs []error
	var last *apimpolicy.Element
	flushInvalid := func(about *apimpolicy.Element) {
		for i, n := range invalid {
			c.report(rules.AcceptCommentInvalid, n.Pos, place{plain: true}, about, "",
				"this sseready:accept comment accepts nothing: %v", errs[i])
		}
		invalid, errs = nil, nil
	}
	for _, n := range nodes {
		switch n := n.(type) {
		case *apimpolicy.Comment:
			text := strings.TrimSpace(n.Raw)
			if !strings.HasPrefix(text, acceptPrefix) {
				continue
			}
			a, err := rules.ParseAcceptance(strings.TrimPrefix(text, acceptPrefix))
			if err != nil {
				invalid, errs = append(invalid, n), append(errs, err)
				continue
			}
			pending = append(pending, inlineAccept{a, n.Pos})
		case *apimpolicy.Element:
			last = n
			flushInvalid(n)
			if outer == nil && len(pending) > 0 && c.accepts[nil] == nil {
				// At the top of the document, before its first element: the
				// whole document.
				c.addAccepts(nil, pending)
				pending = nil
				continue
			}
			if len(pending) > 0 {
				c.addAccepts(n, pending)
				pending = nil
			}
		}
	}
	if outer != nil {
		last = outer
	}
	flushInvalid(last)
	if len(pending) > 0 {
		c.addAccepts(outer, pending)
	}
}

func (c *checker) addAccepts(target *apimpolicy.Element, as []inlineAccept) {
	if c.accepts == nil {
		c.accepts = map[*apimpolicy.Element][]inlineAccept{}
	}
	c.accepts[target] = append(c.accepts[target], as...)
}
