package apimcheck

import (
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// LLM gateways route on the request's stream flag ("stream": true in the
// JSON body, or an EventSource's Accept: text/event-stream): a <choose>
// branch for streaming requests, another for the rest. The flow pass
// (flow.go) evaluates the conditions and the variables they read in each
// world (value.go, eval.go); this file holds the token helpers they share.

// readsStreamFlag reports whether e's own expressions read the request's
// stream flag: the body's "stream" key (directly or through a local), or
// the Accept header compared with text/event-stream.
func readsStreamFlag(e *apimpolicy.Element) bool {
	for _, code := range ownCode(e, "stream") {
		toks := tokenize(code.Text)
		body, key, accept, sse := false, false, false, false
		for i, t := range toks {
			switch {
			case t.kind == tokString && (t.text == "stream" || t.text == "$.stream"):
				key = true
			case t.kind == tokString && strings.EqualFold(t.text, "Accept"):
				accept = true
			case t.kind == tokString && strings.Contains(strings.ToLower(t.text), "text/event-stream"):
				sse = true
			}
			if _, ok := memberChain(toks, i, "context", "Request", "Body"); ok {
				body = true
			}
		}
		if (body && key) || (accept && sse) {
			return true
		}
	}
	return false
}

// matching returns the index of the bracket that closes toks[i], or -1.
func matching(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case opens(toks[j]):
			depth++
		case toks[j].is(")") || toks[j].is("]") || toks[j].is("}"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func opens(t token) bool { return t.is("(") || t.is("[") || t.is("{") || t.is("?[") }

// splitTop splits toks at op where it stands outside brackets.
func splitTop(toks []token, op string) [][]token {
	var parts [][]token
	depth, start := 0, 0
	for j, t := range toks {
		switch {
		case opens(t):
			depth++
		case t.is(")") || t.is("]") || t.is("}"):
			depth--
		case depth == 0 && t.is(op):
			parts = append(parts, toks[start:j])
			start = j + 1
		}
	}
	return append(parts, toks[start:])
}
