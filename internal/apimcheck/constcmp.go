package apimcheck

import (
	"fmt"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// constComparisons reports each comparison on the stream flag that gives
// one answer whatever the request asks (SSE153): an error when streaming
// requests end up, because of it, in a branch that breaks the stream.
func (c *checker) constComparisons(at place) {
	if c.flow == nil {
		return
	}
	for _, cc := range c.flow.consts {
		if len(cc.chooses) == 0 {
			continue // it decides no branch
		}
		var breaks *found
		for _, f := range c.found {
			if f.misrouted == cc && f.Severity == rules.Error && !f.unreached {
				breaks = f
				break
			}
		}
		where := at
		where.plain = true
		fd := c.report(rules.StreamFlagConstant, cc.attr.Pos, where, cc.at, cc.attr.Name, "%s", c.constMessage(cc, breaks))
		if breaks == nil {
			fd.Severity = rules.Warning
		}
	}
}

func (c *checker) constMessage(cc *constCmp, breaks *found) string {
	var b strings.Builder
	answer := "never matches"
	if cc.result {
		answer = "always matches"
	}
	if len(cc.compare) > 0 {
		cmp := cc.compare[0]
		how := "case-sensitively"
		if cmp.ignoreCase {
			how = "without case"
		}
		fmt.Fprintf(&b, "this compares the stream flag's text with %q %s, but for a request that asks for a stream the text is %q", cmp.with, how, cmp.got)
		if cmp.got == "True" || cmp.got == "False" {
			b.WriteString(" (.NET writes a JSON boolean as \"True\" or \"False\")")
		}
		fmt.Fprintf(&b, ", so the comparison %s whatever the request asks", answer)
	} else {
		fmt.Fprintf(&b, "this condition on the stream flag is %v whatever the request asks", cc.result)
	}
	if cc.at.Name == "set-variable" {
		if name := cc.at.Attr("name"); name != nil {
			fmt.Fprintf(&b, ": the variable %q cannot tell streaming requests from the others", name.Value())
		}
	}
	ch := cc.chooses[0]
	fmt.Fprintf(&b, ", and the <choose> at %s sends every request down the same branch", c.where(ch))
	if breaks != nil {
		fmt.Fprintf(&b, "; there streaming requests meet %s at line %d, column %d, which breaks the stream", breaks.Rule, breaks.Line, breaks.Column)
	}
	b.WriteString(`: compare with .Equals("true", StringComparison.OrdinalIgnoreCase), or lower-case the text where the flag is set (.ToString().ToLower()), or read the flag as a bool (.Value<bool?>() ?? false)`)
	return b.String()
}
