package gateway

import (
	"fmt"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Guide renders the streaming test proxy guide
// (templates/guides/streaming-test-proxy.md.tmpl) from the tables the
// emulator runs on: ruleEffects, clocks and Assumptions.
func Guide() string {
	var b strings.Builder
	b.WriteString(`---
page_title: "The streaming test proxy"
subcategory: ""
description: |-
  How sseready's emulated API Management and Application Gateway hops treat a Server-Sent Events stream, which rule each behaviour comes from, and what is assumed.
---

# The streaming test proxy

` + "`sseready gateway`" + ` is a local stand-in for one API Management or Application Gateway hop. It reads the
settings you deploy (the policy documents along the scope chain, an SKU, diagnostic settings; an App Gateway ` + "`global`" + `
block and ` + "`request_timeout`" + `) with the same rules as the provider, and treats a real stream on real
sockets as those settings say. ` + "`sseready prove`" + ` runs a test stream through both hops and reports each
event and which hop held or cut the stream. Nothing here talks to Azure.

` + "```sh" + `
# The whole path on loopback, every clock 60 times faster:
sseready prove --appgw-settings appgw.json --apim-policy policy.xml --apim-sku StandardV2_1 \
  --apim-diagnostic diagnostic.json

# Or hop by hop: client -> App Gateway -> APIM -> origin.
sseready backend --listen 127.0.0.1:8081 --heartbeat 20s
sseready gateway --listen 127.0.0.1:8082 --upstream http://127.0.0.1:8081 --apim-policy policy.xml
sseready gateway --listen 127.0.0.1:8080 --upstream http://127.0.0.1:8082 --appgw-settings appgw.json
sseready probe http://127.0.0.1:8080/
` + "```" + `

` + "`appgw.json`" + ` is ` + "`jsonencode()`" + ` of ` + "`sseready_appgw_settings`" + `' outputs, or of azurerm's ` + "`global`" + ` block and
` + "`request_timeout`" + ` (no ` + "`global`" + ` block means the gateway's default: buffering on). A diagnostic file is
` + "`jsonencode()`" + ` of ` + "`sseready_apim_diagnostic`" + `' outputs, or of azurerm's four blocks with ` + "`identifier`" + `
(and ` + "`\"scope\": \"global\"`" + ` for the All APIs diagnostic).

` + "`--apim-policy FILE`" + ` is the API-scope policy. Give the other scopes as ` + "`--apim-policy global=FILE`" + `,
` + "`workspace=`" + `, ` + "`product=`" + ` or ` + "`operation=`" + `: the hop runs them composed as APIM composes them, each
` + "`<base />`" + ` taking the section of the scope above, and a ` + "`<backend>`" + ` that inherits from above the highest
scope given gets APIM's global default ` + "`<forward-request/>`" + `, which buffers, whichever scope that is: an
operation-scope policy alone whose ` + "`<backend>`" + ` only says ` + "`<base />`" + ` buffers (rule SSE102) unless a policy
above it forwards with ` + "`buffer-response=\"false\"`" + `. ` + "`--apim-fragment NAME=FILE`" + ` gives a fragment the policies
include (` + "`<include-fragment fragment-id=\"NAME\"/>`" + `): its policies run where it is included. A global (All APIs)
diagnostic counts unless an API diagnostic for the same logger overrides it.

## Each request takes its own path

The hop runs the policy for every request it receives, as APIM does: it reads the request's body, stores what each
` + "`set-variable`" + ` computes, and sends the request down the first ` + "`<when>`" + ` whose condition holds for it. The
conditions are evaluated by the checker's own evaluator (C# and Newtonsoft.Json semantics: ` + "`\"stream\": true`" + ` in
the body, a header, the method, the variables set on the way), so a chat completions request with ` + "`\"stream\": true`" + `
takes the branch a streaming request takes, one with ` + "`\"stream\": false`" + ` the other, and a comparison that never
matches in C# (SSE153) sends streams where the real gateway sends them. The rules below then apply to what that
request runs. ` + "`sseready prove`" + ` sends the probe's request (` + "`--method`" + `, ` + "`--data`" + `, ` + "`--data-file`" + `,
` + "`--header`" + `); without ` + "`--data`" + ` it is an EventSource's GET, which has no body, so a policy that reads the body's
flag fails for it as APIM fails it. ` + "`sseready gateway`" + ` takes the same flags to print what it does with such a
request when it starts.

` + "```sh" + `
sseready prove --apim-policy llm-gateway.xml --data '{"stream": true, "messages": []}'   # the streaming branch
sseready prove --apim-policy llm-gateway.xml --data '{"stream": false, "messages": []}'  # the other one
` + "```" + `

A condition that reads what the emulator does not hold (the subscription, the URL, a named value, the response's
body) is not decided for the request: its ` + "`<choose>`" + ` is read as lint reads it, and the hop says so. A condition
in ` + "`<outbound>`" + ` on the response's status code, reason or headers (` + "`context.Response.StatusCode >= 400`" + `) is
decided for each response once the backend's headers came, as APIM runs ` + "`<outbound>`" + ` after the backend
answered: a branch that only error responses take does not touch a stream that the backend answered with 200.

` + "`sseready prove --chain FILE`" + ` runs the whole path of a ` + "`sseready_chain_check`" + ` input: its App Gateway and
API Management hops as above, and the other hops it gives (Front Door, App Gateway for Containers, your Load
Balancer rule, Container Apps, App Service, the Azure OpenAI content filter) as relays that pass the stream
on as it comes and act on it only through the clocks and the rule below, client side first in the order the
chain check lists its findings.

` + "`sseready prove --report FILE.html`" + ` draws the proof: each event's passage through each hop over time, on
Azure's clock (an event held at a hop leans there, one a hop never passed stops there), each cut on its hop's
lane, and the latency each hop added to each event. To know when an event passed a hop, the hops' sockets are
written through a tap that reads each response as it goes out; the hops themselves are unchanged.

## What each setting does

When a rule's finding applies to the hop's settings and to what a request runs of the policy, the hop does
this to that request's response. Each rule's page in the [SSE rules](sse-rules.md) guide gives its sources.

| Rule | When | The emulated hop |
|------|------|------------------|
`)
	for _, e := range ruleEffects {
		r, _ := rules.Lookup(e.rule)
		fmt.Fprintf(&b, "| [%s](sse-rules.md#%s) | %s | %s |\n", r.ID, strings.ToLower(r.ID), strings.ReplaceAll(r.Summary, "|", `\|`), e.does)
	}
	b.WriteString(`
` + "`llm-content-safety`" + `'s violations are a test device, not Azure's categories: ` + "`--content-safety-block WORD`" + `
(` + "`prove`" + ` and ` + "`gateway`" + `) makes an event whose data holds WORD a violation, so a test can watch the stream stop;
without it the window only holds events back.

Every other policy rule has no runtime effect on the stream, for this reason (a syntax rule fails a proof: the
document is not one APIM runs as written):

| Rule | When | The emulated hop |
|------|------|------------------|
`)
	for _, in := range inertRules {
		r, _ := rules.Lookup(in.rule)
		fmt.Fprintf(&b, "| [%s](sse-rules.md#%s) | %s | %s |\n", r.ID, strings.ToLower(r.ID), strings.ReplaceAll(r.Summary, "|", `\|`), in.why)
	}
	b.WriteString(`
A hop whose settings break no rule relays each read at once. A hop holds at most ` + "`--buffer-cap`" + `
(default 16 MiB) of one response; past it the response fails, so memory stays bounded whatever the stream.

## Clocks

` + "`--time-scale F`" + ` runs every clock F times faster, so a 4-minute idle cut takes 4 s at 60.

| Hop | Clock | Rule | The emulated hop |
|-----|-------|------|------------------|
`)
	for _, c := range clocks {
		fmt.Fprintf(&b, "| %s | %s | [%s](sse-rules.md#%s) | %s |\n", c.hop, c.name, c.rule, strings.ToLower(c.rule), c.does)
	}
	b.WriteString(`
A cut leaves the response unended: the client sees the connection drop, as from a gateway that cuts it;
a Load Balancer rule without ` + "`tcp_reset_enabled`" + ` sends nothing at all, and the client waits on an open
connection that will never carry another byte.

## Assumptions

Where Microsoft does not document what the gateway does, the emulator assumes this, and says so in
` + "`sseready gateway --help`" + `:

`)
	for _, a := range Assumptions {
		fmt.Fprintf(&b, "- %s\n", a)
	}
	b.WriteString(`
## What the emulator is not

It emulates the behaviours above and nothing else: no authentication, rate limits, routing, TLS
termination or HTTP/2 towards the client. It relays HTTP/1.x, opens one upstream connection per request
and closes the client's connection after the response. An ` + "`https`" + ` upstream is verified against the
system's CA certificates, or only against those in ` + "`--upstream-ca FILE`" + ` (PEM) for a private origin.
`)
	return b.String()
}
