package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// The summary puts the APIs that stream first and those that do not in a
// table of their own, counts by severity, folds info away, and keeps a
// message that quotes policy XML or a pipe inside its cell.
func TestMarkdown(t *testing.T) {
	quoting := lintFinding
	quoting.Message = "a <backend> that says <base /> | inherits"
	info := backendFinding
	sections := []Section{
		{Name: "api echo", Streaming: "no", StreamingEvidence: []string{"JSON only"}, Ready: true},
		{Name: "api orders", Streaming: "unknown", Ready: true, Findings: []Finding{info}},
		{Name: "api chat", Streaming: "yes", StreamingEvidence: []string{"route", "spec"}, Findings: []Finding{quoting, chainFinding}},
	}
	var b bytes.Buffer
	if err := Markdown(&b, "sseready check-plan: plan.json", sections); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "### sseready check-plan: plan.json\n\n**❌ not ready**: 2 errors, 0 warnings, 1 info on 3 parts, 2 ready.") {
		t.Errorf("heading:\n%s", out)
	}
	chat, orders, apart, echo := strings.Index(out, "`api chat`"), strings.Index(out, "`api orders`"),
		strings.Index(out, "APIs that do not stream"), strings.Index(out, "`api echo`")
	if chat < 0 || orders < chat || apart < orders || echo < apart {
		t.Errorf("streaming first, the others apart: chat %d, orders %d, apart %d, echo %d\n%s", chat, orders, apart, echo, out)
	}
	if !strings.Contains(out, "| ❌ `api chat` | yes: route (+1 more) | 2 | 0 | 0 |") {
		t.Errorf("chat's row:\n%s", out)
	}
	row := "| ❌ error | SSE101 | `apis/chat/policy.xml:3:12` | a &lt;backend&gt; that says &lt;base /&gt; \\| inherits | api chat |"
	if !strings.Contains(out, row) {
		t.Errorf("want the row\n%s\nin\n%s", row, out)
	}
	// Every row of a table has its cells: no pipe or newline leaked.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ❌ error") || strings.HasPrefix(line, "| ℹ️ info") {
			if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 6 {
				t.Errorf("%d cell borders in %q", n, line)
			}
		}
	}
	details := strings.Index(out, "<details><summary>1 more finding (info and accepted)</summary>")
	if details < strings.Index(out, "SSE301") || !strings.Contains(out[details:], "SSE402") {
		t.Errorf("info is folded after the errors:\n%s", out)
	}
}

// One chain with no findings says it is ready, with no tables of parts.
func TestMarkdownReady(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, "sseready check-chain: chain.json", []Section{{Name: "chain.json", Ready: true}}); err != nil {
		t.Fatal(err)
	}
	want := "### sseready check-chain: chain.json\n\n**✅ ready**: 0 errors, 0 warnings, 0 info.\n\nNo findings.\n\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// A file that cannot be read is an input error in the summary.
func TestMarkdownProblems(t *testing.T) {
	var b bytes.Buffer
	p := Problem{File: "broken.xml", Line: 2, Column: 3, Message: "unexpected EOF"}
	if err := Markdown(&b, "sseready lint", []Section{{Name: "broken.xml", Problems: []Problem{p}}}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "**⛔ not checked: 1 input error**") || !strings.Contains(out, "| ⛔ input error |  | `broken.xml:2:3` | unexpected EOF |") {
		t.Errorf("%s", out)
	}
}

// The table stops at MaxMarkdownRows and counts the rest.
func TestMarkdownBounded(t *testing.T) {
	var fs []Finding
	for range MaxMarkdownRows + 7 {
		f := lintFinding
		f.Severity = rules.Warning
		fs = append(fs, f)
	}
	var b bytes.Buffer
	if err := Markdown(&b, "t", []Section{{Name: "f", Ready: true, Findings: fs}}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "| ⚠️ warning |"); n != MaxMarkdownRows || !strings.Contains(b.String(), "…and 7 more") {
		t.Errorf("%d rows", n)
	}
}
