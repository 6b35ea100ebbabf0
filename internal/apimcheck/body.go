package apimcheck

import (
	"fmt"
	"mime"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Policies that rewrite the body, and so read all of it (FACTS.md, "APIM
// policy documents"). validate-content has a rule of its own. (Switches,
// not maps: they run on every element.)
func bodyTransform(name string) bool {
	switch name {
	case "set-body", "find-and-replace", "xml-to-json", "json-to-xml",
		"xsl-transform", "redirect-content-urls", "jsonp":
		return true
	}
	return false
}

// Policies that store or replay whole responses. cache-lookup-value and
// cache-store-value cache single values and are not among them.
func responseCache(name string) bool {
	switch name {
	case "cache-lookup", "cache-store",
		"llm-semantic-cache-lookup", "llm-semantic-cache-store",
		"azure-openai-semantic-cache-lookup", "azure-openai-semantic-cache-store":
		return true
	}
	return false
}

func tokenPolicy(name string) bool {
	switch name {
	case "llm-token-limit", "azure-openai-token-limit",
		"llm-emit-token-metric", "azure-openai-emit-token-metric":
		return true
	}
	return false
}

// The sections where a response exists, and where it is the backend's.
const (
	afterBackend = secBackend | secOutbound | secOnError
	responsePath = secOutbound
)

// defaultContentSafetyWindow is llm-content-safety's window-size default,
// in characters (FACTS.md).
const defaultContentSafetyWindow = 10000

// element applies the rules about one element where it stands.
func (c *checker) element(e *apimpolicy.Element, at place) {
	switch {
	case e.Name == "forward-request":
		if at.sections&secBackend == 0 {
			c.report(rules.ForwardRequestOutsideBackend, e.Pos, at, e, "",
				"forward-request stands in %s, and it belongs in <backend> only: move it there", at.sections)
			return
		}
		c.forwardRequest(e, at)
	case answersItself(e.Name):
		c.answer(e, at)
	case e.Name == "validate-content":
		c.inResponsePath(rules.ValidateContent, e, at,
			"validate-content reads the whole response to validate it, so the stream is held until it ends: remove it from SSE APIs")
	case bodyTransform(e.Name) && !at.buildsOtherMessage():
		c.inResponsePath(rules.BodyTransform, e, at,
			"%s rewrites the response body, so it reads the stream to its end before sending anything: remove it from SSE APIs", e.Name)
	case responseCache(e.Name):
		c.report(rules.ResponseCaching, e.Pos, at, e, "",
			"%s caches whole responses, so a client may get a stored stream instead of live events: remove it from SSE APIs", e.Name)
	case tokenPolicy(e.Name):
		c.report(rules.TokenEstimate, e.Pos, at, e, "", "%s works with streamed responses but only estimates their tokens", e.Name)
	case e.Name == "llm-content-safety":
		c.contentSafety(e, at)
	case e.Name == "set-header" && !at.buildsOtherMessage():
		c.responseHeader(e, at)
	case e.Name == "log-to-eventhub":
		c.eventHub(e, at)
		return // its body reads are the Event Hubs rule's
	}
	c.responseBodyReads(e, at)
}

// inResponsePath reports a policy that buffers when it runs on the
// response: in <outbound> an error; in a fragment that may be included
// there a warning. Elsewhere it acts on the request and is left alone.
func (c *checker) inResponsePath(id string, e *apimpolicy.Element, at place, format string, args ...any) {
	ok, definite, hedge := at.applies(responsePath)
	if !ok {
		return
	}
	f := c.report(id, e.Pos, at, e, "", hedge+format, args...)
	c.fragmentVerdict(f, at, definite)
}

// fragmentVerdict makes a finding in a fragment checked on its own a
// warning when the fragment may run elsewhere, and says why sseready knows
// where it runs when it does.
func (c *checker) fragmentVerdict(f *found, at place, definite bool) {
	switch {
	case !definite:
		lowerToWarning(f)
	case at.inferred != "":
		f.Message += fmt.Sprintf(" (this fragment can only stand in %s: %s)", at.sections, at.inferred)
	}
}

// responseBodyReads reports an element whose own expressions read
// context.Response.Body (directly or through an alias) where a response
// exists, on the attribute and token that read it.
func (c *checker) responseBodyReads(e *apimpolicy.Element, at place) {
	ok, definite, hedge := at.applies(afterBackend)
	if !ok {
		return
	}
	for _, x := range ownCode(e, "Body") {
		off, read := bodyRead(x.Text, "Response")
		if !read {
			continue
		}
		if hedge != "" {
			hedge = "if this fragment runs after the backend answered: "
		}
		f := c.report(rules.ResponseBodyRead, x.Pos(off), at, e, x.attr,
			"%s%s reads context.Response.Body in %s, which holds the stream until it ends: do not read the response body in SSE APIs", hedge, e.Name, where(x.attr))
		c.fragmentVerdict(f, at, definite)
		return
	}
}

func where(attr string) string {
	if attr == "" {
		return "its text"
	}
	return attr
}

func (c *checker) eventHub(e *apimpolicy.Element, at place) {
	if ok, definite, _ := at.applies(afterBackend); ok {
		for _, x := range ownCode(e, "Body") {
			if off, read := bodyRead(x.Text, "Response"); read {
				hedge := ""
				if !definite {
					hedge = "if this fragment runs after the backend answered: "
				}
				f := c.report(rules.EventHubBodyLogging, x.Pos(off), at, e, x.attr,
					"%slog-to-eventhub logs the response body, which holds the stream until it ends: log headers, status and timings only", hedge)
				c.fragmentVerdict(f, at, definite)
				break
			}
		}
	}
	for _, x := range ownCode(e, "Body") {
		if off, read := bodyRead(x.Text, "Request"); read {
			f := c.report(rules.EventHubBodyLogging, x.Pos(off), at, e, x.attr,
				"log-to-eventhub logs the request body; Microsoft's SSE guidance is to turn body logging off for Event Hubs")
			lowerToWarning(f)
			break
		}
	}
}

// contentSafety reports llm-content-safety where it checks completions: in
// <outbound>, or anywhere with enforce-on-completions="true".
func (c *checker) contentSafety(e *apimpolicy.Element, at place) {
	definite, hedge := true, ""
	if a := e.Attr("enforce-on-completions"); a == nil || a.Kind() != apimpolicy.Literal || !isTrue(a.Value()) {
		var ok bool
		if ok, definite, hedge = at.applies(responsePath); !ok {
			return // it checks the prompt only
		}
	}
	window := fmt.Sprintf("%d characters (the default window-size)", defaultContentSafetyWindow)
	attr := ""
	if a := e.Attr("window-size"); a != nil {
		attr = a.Name
		if a.Kind() == apimpolicy.Literal {
			window = fmt.Sprintf("%s characters (window-size)", strings.TrimSpace(a.Value()))
		} else {
			window = fmt.Sprintf("the window-size computed when the policy runs (%s)", a.Value())
		}
	}
	f := c.report(rules.ContentSafetyWindow, e.Pos, at, e, attr,
		"%sllm-content-safety checks the streamed completion in a sliding window of %s, so events are held until the window fills; on a violation the stream stops with no error status", hedge, window)
	c.fragmentVerdict(f, at, definite)
}

func isTrue(s string) bool { v, ok := parseBool(s); return v && ok }

// responseHeader reports a set-header on the response that removes or
// overrides Content-Type, or tries to set Content-Length.
func (c *checker) responseHeader(e *apimpolicy.Element, at place) {
	name := e.Attr("name")
	if name == nil || name.Kind() != apimpolicy.Literal {
		return
	}
	header := strings.ToLower(strings.TrimSpace(name.Value()))
	if header != "content-type" && header != "content-length" {
		return
	}
	ok, definite, hedge := at.applies(responsePath)
	if !ok {
		return
	}
	action, actionAttr := "override", ""
	if a := e.Attr("exists-action"); a != nil {
		actionAttr = a.Name
		if a.Kind() != apimpolicy.Literal {
			f := c.report(rules.ResponseHeadersChanged, a.Pos, at, e, a.Name,
				"%sset-header on %s takes its exists-action from %s, which sseready cannot read: make sure it does not remove or replace the stream's text/event-stream", hedge, name.Value(), a.Value())
			lowerToWarning(f)
			return
		}
		action = strings.ToLower(strings.TrimSpace(a.Value()))
	}
	var f *found
	switch {
	case header == "content-length":
		f = c.report(rules.ResponseHeadersChanged, name.Pos, at, e, name.Name,
			"%sset-header cannot append, override or delete Content-Length, so this policy does nothing for the stream (a stream has no length): remove it", hedge)
		lowerToWarning(f)
	case action == "skip":
		return // sets Content-Type only where the backend sent none
	case action == "delete":
		f = c.report(rules.ResponseHeadersChanged, e.Pos, at, e, actionAttr,
			`%sset-header deletes the response's Content-Type, and a client fails an EventSource that is not text/event-stream: remove this set-header`, hedge)
	case action == "append":
		f = c.report(rules.ResponseHeadersChanged, e.Pos, at, e, actionAttr,
			`%sset-header appends to the response's Content-Type, so it is no longer text/event-stream and a client fails the EventSource: remove this set-header`, hedge)
	default:
		v, known := headerValue(e)
		switch {
		case !known:
			f = c.report(rules.ResponseHeadersChanged, e.Pos, at, e, "",
				"%sset-header overrides the response's Content-Type with a value sseready cannot read (%s): make sure it is text/event-stream for streams", hedge, v)
			lowerToWarning(f)
		case isEventStream(v):
			return
		default:
			f = c.report(rules.ResponseHeadersChanged, e.Pos, at, e, "",
				`%sset-header overrides the response's Content-Type with %q, and a client fails an EventSource that is not text/event-stream: remove it, or use exists-action="skip"`, hedge, v)
		}
	}
	c.fragmentVerdict(f, at, definite)
}

// headerValue returns set-header's value: its <value> elements' text,
// and whether every one is a literal.
func headerValue(e *apimpolicy.Element) (string, bool) {
	var vals []string
	known := true
	for _, v := range e.Elements() {
		if v.Name != "value" {
			continue
		}
		for _, ch := range v.Children {
			if t, ok := ch.(*apimpolicy.Text); ok && t.Kind() != apimpolicy.Literal {
				known = false
			}
			if cd, ok := ch.(*apimpolicy.CData); ok && len(cd.Exprs) > 0 {
				known = false
			}
		}
		vals = append(vals, v.TextValue())
	}
	return strings.Join(vals, ","), known
}

func isEventStream(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && mt == "text/event-stream"
}
