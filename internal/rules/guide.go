package rules

import (
	"fmt"
	"strings"
)

//go:generate go run ./rulesguide -o ../../templates/guides/sse-rules.md.tmpl

// Guide renders the rules guide (templates/guides/sse-rules.md.tmpl, which
// tfplugindocs copies to docs/guides/sse-rules.md) from the catalogue, so
// the documentation cannot say something the rules do not.
func Guide() string {
	var b strings.Builder
	b.WriteString(`---
page_title: "SSE rules"
subcategory: ""
description: |-
  The rules sseready checks APIM policies against: what each one means, why it breaks a Server-Sent Events stream, and how to fix it.
---

# SSE rules

Every finding of ` + "`sseready_apim_policy_check`" + `, ` + "`check_apim_policy`" + `, ` + "`sseready_apim_policy`" + ` and
` + "`sseready lint`" + ` names one of these rules by its ID. IDs are stable: match them in scripts and list them in
` + "`accepted_rules`" + `.

- **error**: the stream will not work as a stream (events held, cached, or never forwarded). An error makes
  ` + "`ready`" + ` false and fails ` + "`sseready lint`" + ` with exit status 1.
- **warning**: the answer is in a document sseready cannot see (a parent scope, a policy fragment, a named value),
  or the setting may not be honored. Check what the message names.
- **info**: a fact worth knowing; nothing to change.

Where a rule's severity depends on where the policy is attached (its *scope*: global, product, api or operation),
the rule says so. Rules marked *auto-fix* are repaired by ` + "`fixed_xml`" + `, ` + "`fix_apim_policy`" + ` and
` + "`sseready lint --fix`" + `, which change only the bytes of the fix.

| Rule | Severity | Auto-fix | What breaks |
|------|----------|----------|-------------|
`)
	for _, r := range All() {
		fix := ""
		if r.AutoFix {
			fix = "yes"
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, anchor(r.ID), r.Severity, fix, mdEscape(r.Summary))
	}
	for _, r := range All() {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n## %s: %s\n\n", anchor(r.ID), r.ID, r.Name)
		fmt.Fprintf(&b, "**Severity:** %s. **Gateway:** %s. **Automatic fix:** %s.\n\n", r.Severity, r.Hop, yesNo(r.AutoFix))
		fmt.Fprintf(&b, "%s\n\n", mdEscape(r.Summary))
		fmt.Fprintf(&b, "**Why.** %s\n\n", mdEscape(r.Why))
		fmt.Fprintf(&b, "**Fix.** %s\n\n", mdEscape(r.Fix))
		b.WriteString("**Sources.**\n\n")
		for _, s := range r.Sources {
			text := strings.Join(strings.Fields(s.Facts), " ")
			if s.Assumption != "" {
				text = "*Assumption:* " + s.Assumption
			}
			if s.URL != "" {
				text += " (" + s.URL + ")"
			}
			fmt.Fprintf(&b, "- %s\n", text)
		}
	}
	// The guide is a tfplugindocs template: keep literal braces literal.
	return strings.ReplaceAll(b.String(), "{{", `{{"{{"}}`)
}

func anchor(id string) string { return strings.ToLower(id) }

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// mdEscape keeps element names such as <base /> visible in Markdown and
// table cells intact.
func mdEscape(s string) string {
	r := strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", `\|`)
	return r.Replace(s)
}
