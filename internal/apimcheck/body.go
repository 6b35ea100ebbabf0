package apimcheck

import (
	"regexp"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Policies that rewrite the body, and so read all of it (FACTS.md, "APIM
// policy documents"). validate-content has a rule of its own.
var bodyTransforms = map[string]bool{
	"set-body": true, "find-and-replace": true, "xml-to-json": true, "json-to-xml": true,
	"xsl-transform": true, "redirect-content-urls": true, "jsonp": true,
}

// Policies that store or replay whole responses. cache-lookup-value and
// cache-store-value cache single values and are not among them.
var responseCaches = map[string]bool{
	"cache-lookup": true, "cache-store": true,
	"llm-semantic-cache-lookup": true, "llm-semantic-cache-store": true,
	"azure-openai-semantic-cache-lookup": true, "azure-openai-semantic-cache-store": true,
}

var tokenPolicies = map[string]bool{
	"llm-token-limit": true, "azure-openai-token-limit": true,
	"llm-emit-token-metric": true, "azure-openai-emit-token-metric": true,
}

var (
	readsResponseBody = regexp.MustCompile(`\bcontext\s*\.\s*Response\s*\??\s*\.\s*Body\b`)
	readsRequestBody  = regexp.MustCompile(`\bcontext\s*\.\s*Request\s*\??\s*\.\s*Body\b`)
)

// bodyRules applies the rules about policies that hold the response.
func (c *checker) bodyRules(e *apimpolicy.Element, at place) {
	note := at.branchNote()
	switch {
	case e.Name == "validate-content":
		c.inResponsePath(rules.ValidateContent, e, at,
			"validate-content reads the whole response to validate it, so the stream is held until it ends: remove it from SSE APIs")
	case bodyTransforms[e.Name] && !at.buildsOtherMessage():
		c.inResponsePath(rules.BodyTransform, e, at,
			"%s rewrites the response body, so it reads the stream to its end before sending anything: remove it from SSE APIs", e.Name)
	case responseCaches[e.Name]:
		c.report(rules.ResponseCaching, e.Pos, e.Name,
			"%s caches whole responses, so a client may get a stored stream instead of live events: remove it from SSE APIs%s", e.Name, note)
	case tokenPolicies[e.Name]:
		c.report(rules.TokenEstimate, e.Pos, e.Name,
			"%s works with streamed responses but only estimates their tokens%s", e.Name, note)
	case e.Name == "log-to-eventhub":
		c.eventHub(e, at)
		return // its body reads are the Event Hubs rule's
	}
	c.responseBodyReads(e, at)
}

// inResponsePath reports a policy that buffers when it runs on the
// response: in <outbound> an error, in a fragment (section unknown) a
// warning. Elsewhere it acts on the request and is left alone.
func (c *checker) inResponsePath(id string, e *apimpolicy.Element, at place, format string, args ...any) {
	switch at.section {
	case "outbound":
		c.report(id, e.Pos, e.Name, format+"%s", append(args, at.branchNote())...)
	case "":
		f := c.report(id, e.Pos, e.Name, "if this fragment is included in <outbound>: "+format+"%s", append(args, at.branchNote())...)
		f.Severity = rules.Warning
	}
}

// responseBodyReads reports an element whose own expressions (attributes,
// text, CDATA; not its children's) read context.Response.Body where a
// response exists.
func (c *checker) responseBodyReads(e *apimpolicy.Element, at place) {
	if at.section == "inbound" {
		return // there is no response yet
	}
	x, attr := firstExprMatching(e, readsResponseBody)
	if x == nil {
		return
	}
	where := "its text"
	if attr != "" {
		where = attr
	}
	if at.section == "" {
		f := c.report(rules.ResponseBodyRead, x.Pos, e.Name,
			"if this fragment runs after the backend answered: %s reads context.Response.Body in %s, which holds the stream until it ends%s", e.Name, where, at.branchNote())
		f.Severity = rules.Warning
		return
	}
	c.report(rules.ResponseBodyRead, x.Pos, e.Name,
		"%s reads context.Response.Body in %s, which holds the stream until it ends: do not read the response body in SSE APIs%s", e.Name, where, at.branchNote())
}

func (c *checker) eventHub(e *apimpolicy.Element, at place) {
	note := at.branchNote()
	if at.section != "inbound" {
		if x, _ := firstExprMatching(e, readsResponseBody); x != nil {
			f := c.report(rules.EventHubBodyLogging, x.Pos, e.Name,
				"log-to-eventhub logs the response body, which holds the stream until it ends: log headers, status and timings only%s", note)
			if at.section == "" {
				f.Severity = rules.Warning
				f.Message = "if this fragment runs after the backend answered: " + f.Message
			}
		}
	}
	if x, _ := firstExprMatching(e, readsRequestBody); x != nil {
		f := c.report(rules.EventHubBodyLogging, x.Pos, e.Name,
			"log-to-eventhub logs the request body; Microsoft's SSE guidance is to turn body logging off for Event Hubs%s", note)
		f.Severity = rules.Warning
	}
}

// firstExprMatching finds the first expression of e itself whose code
// matches re, and the attribute holding it ("" for text and CDATA). Both
// patterns end in "Body", so code without it is skipped cheaply.
func firstExprMatching(e *apimpolicy.Element, re *regexp.Regexp) (*apimpolicy.Expr, string) {
	matches := func(code string) bool { return strings.Contains(code, "Body") && re.MatchString(code) }
	for _, a := range e.Attrs {
		for i := range a.Exprs {
			if matches(a.Exprs[i].Code(a.Raw)) {
				return &a.Exprs[i], a.Name
			}
		}
	}
	for _, ch := range e.Children {
		switch ch := ch.(type) {
		case *apimpolicy.Text:
			for i := range ch.Exprs {
				if matches(ch.Exprs[i].Code(ch.Raw)) {
					return &ch.Exprs[i], ""
				}
			}
		case *apimpolicy.CData:
			for i := range ch.Exprs {
				if matches(ch.Raw[ch.Exprs[i].Offset : ch.Exprs[i].Offset+ch.Exprs[i].Len]) {
					return &ch.Exprs[i], ""
				}
			}
		}
	}
	return nil, ""
}
