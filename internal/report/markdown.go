package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Section is one part of a markdown summary: a file (lint), the chain
// (check-chain) or a request path (check-plan), with whether its API
// streams when that is known, and what was found there.
type Section struct {
	// Name names it: the file, the chain's file, the path's label.
	Name string
	// Streaming is yes, no or unknown ("" when no verdict applies);
	// StreamingEvidence says why, first reason first.
	Streaming         string
	StreamingEvidence []string
	// Ready is false when a finding is an error or an input is wrong.
	Ready    bool
	Findings []Finding
	Problems []Problem
}

// MaxMarkdownRows bounds the findings table: a GitHub job summary holds
// at most 1 MiB, and a comment 64 KiB. The rest are counted.
const MaxMarkdownRows = 150

// Markdown writes a summary for a pull request comment or a GitHub job
// summary: a heading with the verdict, a table of the sections (those
// whose API streams first, then those that may, then the ones with no
// verdict; the APIs that do not stream in a table of their own), then the
// errors and warnings, one row each, and the info and accepted findings
// folded in a <details> block. Text from policies is escaped, so a
// message that quotes <base /> or a | stays in its cell.
func Markdown(w io.Writer, title string, sections []Section) error {
	var b strings.Builder
	sections = slices.Clone(sections)
	slices.SortStableFunc(sections, func(a, b Section) int { return streamingRank(a.Streaming) - streamingRank(b.Streaming) })
	errs, warns, infos, problems, ready := 0, 0, 0, 0, 0
	for _, s := range sections {
		e, w, i := counts(s.Findings)
		errs, warns, infos, problems = errs+e, warns+w, infos+i, problems+len(s.Problems)
		if s.Ready && len(s.Problems) == 0 {
			ready++
		}
	}
	verdict := "✅ ready"
	switch {
	case problems > 0:
		verdict = "⛔ not checked: " + plural(problems, "input error", "input errors")
	case errs > 0:
		verdict = "❌ not ready"
	}
	fmt.Fprintf(&b, "### %s\n\n**%s**: %s, %s, %s", mdText(title), verdict, plural(errs, "error", "errors"),
		plural(warns, "warning", "warnings"), plural(infos, "info", "info"))
	if len(sections) > 1 {
		fmt.Fprintf(&b, " on %d %s, %d ready", len(sections), pluralWord(len(sections), "part", "parts"), ready)
	}
	b.WriteString(".\n\n")

	var streaming, notStreaming []Section
	for _, s := range sections {
		if s.Streaming == "no" {
			notStreaming = append(notStreaming, s)
		} else {
			streaming = append(streaming, s)
		}
	}
	if len(sections) > 1 || len(sections) == 1 && sections[0].Streaming != "" {
		sectionTable(&b, streaming)
		if len(notStreaming) > 0 {
			b.WriteString("APIs that do not stream (their findings are info):\n\n")
			sectionTable(&b, notStreaming)
		}
	}

	var main, folded []row
	for _, s := range sections {
		for _, p := range s.Problems {
			main = append(main, row{"⛔ input error", "", p.Where(), p.Message, s.Name})
		}
		for _, f := range s.Findings {
			r := row{severityMark(f.Severity), f.Rule, f.Where(), f.Message, onOf(f, s.Name)}
			if f.Reason != "" {
				r.message += " (accepted: " + f.Reason + ")"
			}
			if f.Severity == rules.Error || f.Severity == rules.Warning {
				main = append(main, r)
			} else {
				folded = append(folded, r)
			}
		}
	}
	named := false
	for _, r := range slices.Concat(main, folded) {
		named = named || r.section != ""
	}
	if len(main) > 0 {
		findingTable(&b, main, named)
	}
	if len(folded) > 0 {
		fmt.Fprintf(&b, "<details><summary>%s (info and accepted)</summary>\n\n", plural(len(folded), "more finding", "more findings"))
		findingTable(&b, folded, named)
		b.WriteString("</details>\n\n")
	}
	if len(main)+len(folded) == 0 {
		b.WriteString("No findings.\n\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type row struct{ severity, rule, where, message, section string }

// onOf says what a finding holds on: its request paths (lint DIR), else
// its section when the place does not already name it (a path of
// check-plan); "" when there is nothing more to say.
func onOf(f Finding, section string) string {
	switch n := len(f.Paths); {
	case n == 1:
		return f.Paths[0]
	case n > 1:
		return fmt.Sprintf("%s (+%d more)", f.Paths[0], n-1)
	case strings.HasPrefix(f.Where(), section):
		return ""
	}
	return section
}

func sectionTable(b *strings.Builder, ss []Section) {
	if len(ss) == 0 {
		return
	}
	b.WriteString("| | Streams | Errors | Warnings | Info |\n|---|---|--:|--:|--:|\n")
	for _, s := range ss {
		e, w, i := counts(s.Findings)
		mark := "✅"
		switch {
		case len(s.Problems) > 0:
			mark = "⛔"
		case !s.Ready:
			mark = "❌"
		}
		streams := s.Streaming
		if streams == "" {
			streams = "–"
		}
		if len(s.StreamingEvidence) > 0 {
			streams += ": " + mdText(s.StreamingEvidence[0])
			if n := len(s.StreamingEvidence) - 1; n > 0 {
				streams += fmt.Sprintf(" (+%d more)", n)
			}
		}
		fmt.Fprintf(b, "| %s %s | %s | %d | %d | %d |\n", mark, mdCode(s.Name), streams, e, w, i)
	}
	b.WriteString("\n")
}

func findingTable(b *strings.Builder, rows []row, named bool) {
	if named {
		b.WriteString("| | Rule | Where | Message | On |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| | Rule | Where | Message |\n|---|---|---|---|\n")
	}
	for i, r := range rows {
		if i == MaxMarkdownRows {
			fmt.Fprintf(b, "\n…and %d more: see the text, JSON or SARIF output.\n", len(rows)-i)
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |", r.severity, mdText(r.rule), mdCode(r.where), mdText(r.message))
		if named {
			fmt.Fprintf(b, " %s |", mdText(r.section))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

func counts(fs []Finding) (errs, warns, infos int) {
	for _, f := range fs {
		switch f.Severity {
		case rules.Error:
			errs++
		case rules.Warning:
			warns++
		case rules.Info:
			infos++
		}
	}
	return errs, warns, infos
}

// streamingRank orders sections: the APIs that stream, then those that
// may, then those with no verdict, then those that do not.
func streamingRank(v string) int {
	switch v {
	case "yes":
		return 0
	case "unknown":
		return 1
	case "no":
		return 3
	}
	return 2
}

func severityMark(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "❌ error"
	case rules.Warning:
		return "⚠️ warning"
	case rules.Accepted:
		return "☑️ accepted"
	}
	return "ℹ️ info"
}

func plural(n int, one, many string) string { return fmt.Sprintf("%d %s", n, pluralWord(n, one, many)) }

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// mdEscaper keeps text in its table cell and out of GitHub's HTML: the
// pipe ends a cell, a newline a row, < and & start HTML, and the
// characters markdown gives meaning to are taken literally.
var mdEscaper = strings.NewReplacer(
	"|", `\|`, "\r", " ", "\n", " ", "&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
)

func mdText(s string) string { return mdEscaper.Replace(s) }

// mdCode writes s as inline code: in a code span nothing but the
// backtick and the pipe need care (GitHub reads \| as | inside a table
// even in code), and a newline ends the row.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
