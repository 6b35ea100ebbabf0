package rules

import (
	"fmt"
	"strings"
)

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
- **accepted**: a finding you accepted, with your reason (see [Accepting a finding](#accepting-a-finding)). It stays
  in the list and does not make ` + "`ready`" + ` false.

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
	b.WriteString(guideStreaming())
	b.WriteString(guideFragments)
	b.WriteString(guideAccepting)
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

// guideStreaming explains how findings depend on the request's stream
// flag, with the patterns the checker evaluates.
func guideStreaming() string {
	var b strings.Builder
	b.WriteString(`
## Streaming and non-streaming branches

LLM gateways route on the request's stream flag (` + "`\"stream\": true`" + ` in a chat completions body): one
` + "`<choose>`" + ` branch for streaming requests, another for the rest. sseready runs the policy as APIM would for a
request that asks for a stream, one that says ` + "`\"stream\": false`" + `, one that does not say (the key is missing or
null) and one whose body is not JSON. It evaluates ` + "`set-variable`" + ` values and ` + "`<when>`" + ` conditions, expressions and
` + "`@{ }`" + ` blocks alike, with the semantics C# and Newtonsoft.Json have, following a variable from the policy
that sets it (at any scope of the request path, or in a fragment) to the one that reads it. Then:

- What **only non-streaming requests** reach (a branch they alone take, code after a ` + "`return-response`" + ` that
  answers streaming requests, an ` + "`<outbound>`" + ` after a ` + "`<backend>`" + ` that calls no backend) cannot break a stream:
  its findings are **info**, naming why, and the automatic fix leaves them (` + "`buffer-response=\"true\"`" + ` there is fine).
- In a branch **streaming requests** take, a finding stays an error and names the branch; a ` + "`return-response`" + `
  or ` + "`mock-response`" + ` there refuses streaming (` + "`SSE152`" + `), however the flag was computed.
- A condition sseready cannot evaluate (a header other than ` + "`Accept`" + `, the method, a construct outside the subset)
  keeps the finding as it is and names what stopped it.
- A comparison on the flag that gives the same answer whatever the request asks is ` + "`SSE153`" + `: an error when it
  sends streaming requests into a branch that breaks the stream. The automatic fix then leaves that branch: the fix is
  the comparison.

The subset evaluated: locals and ` + "`var`" + `; ` + "`return`" + `, ` + "`if`/`else`" + `, ` + "`try`/`catch`" + `; ` + "`?:`, `&&`, `||`, `!`, `==`/`!=`" + `,
` + "`.Equals(x[, StringComparison.*])`" + `; ` + "`?.`" + ` and ` + "`??`" + `; ` + "`.ToString()`, `.ToLower()`/`.ToUpper()`" + ` (and ` + "`…Invariant()`" + `),
` + "`bool.Parse`, `Convert.ToBoolean`, `.Value<T>()`" + `, casts; ` + "`.Type`" + ` against ` + "`JTokenType.*`" + `; ` + "`ContainsKey`" + `,
` + "`Property(...)`, `SelectToken(\"stream\")`/`(\"$.stream\")`" + `; ` + "`context.Variables[...]`, `GetValueOrDefault<T>(name, default)`" + `,
` + "`ContainsKey`" + `; the ` + "`Accept`" + ` header. Where a variable holds another type than ` + "`GetValueOrDefault<T>`" + ` asks for, what
APIM does is not in sseready's sources, so the value is unknown.

| How the flag is read | Example | Taken by |
|---|---|---|
`)
	for _, p := range StreamPatterns {
		ex := p.Example
		if p.Setup != "" {
			ex = p.Setup + " then " + ex
		}
		taken := map[string]string{"stream": "streaming requests", "others": "the others", "both": "both", "none": "no request (SSE153)"}[p.Taken]
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", strings.ReplaceAll(p.Pattern, "|", `\|`), strings.ReplaceAll(ex, "|", `\|`), taken)
	}
	return b.String()
}

const guideAccepting = `
## Accepting a finding

When a finding is known and intended (a health endpoint that answers itself, a cached route that never streams),
accept it with a reason. It is then reported with severity ` + "`accepted`" + ` and the reason, never dropped, and it
no longer fails the gate:

- inline, in the policy: ` + "`<!-- sseready:accept SSE103 the health endpoint answers itself -->`" + ` accepts the rule's
  findings on the element that follows the comment and everything inside it; at the top of the document, before its
  first element, it accepts them in the whole document;
- ` + "`accepted_rules`" + ` on ` + "`sseready_apim_policy_check`" + `, ` + "`sseready_apim_policy`" + ` and the functions' options, and
  ` + "`sseready lint --accept`" + `: ` + "`\"SSE103\"`" + ` or ` + "`\"SSE103: the reason\"`" + `, for the whole document.

A comment that names no known rule is itself reported (` + "`SSE132`" + `).
`

const guideFragments = `
## Fragments and snippets

An ` + "`include-fragment`" + ` is checked as if the fragment's policies stood in its place when you give the fragment's
document (` + "`fragments`" + ` on the data sources, the functions' options, ` + "`sseready lint --fragment NAME=FILE`" + `). A finding
inside it names the fragment in ` + "`fragment`" + `, with its line and column in the fragment's document, and is not fixed in
the policy: fix the fragment. A fragment that is not given stays a warning (` + "`SSE130`" + `).

A fragment checked on its own (a ` + "`<fragment>`" + ` document, or a snippet file with no root, which also gets ` + "`SSE131`" + `)
can stand in any section, so sseready infers where from what it holds: a ` + "`forward-request`" + ` means ` + "`<backend>`" + `; a
` + "`set-body`" + ` whose code reads ` + "`context.Request`" + ` (and not ` + "`context.Response`" + `) rewrites the request, so ` + "`<inbound>`" + ` or
` + "`<backend>`" + `; an expression that reads ` + "`context.Response`" + ` runs after the backend answered. Where the clues settle the
section, a finding is as it would be there; where they do not, a finding that depends on the section is a warning
that says "if this fragment is included in ...".
`
