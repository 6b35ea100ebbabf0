package gateway

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

// Answer is a response the hop sends itself instead of the backend's.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	// AfterBackend: the answer stands in <outbound>, so the hop calls the
	// backend first, waits for its response head, and drops the response.
	AfterBackend bool
	// Why says what answers.
	Why string
}

// HeaderEdit is one set-header of <outbound> on the response.
type HeaderEdit struct {
	Name string
	// Action is exists-action: override, skip, append or delete.
	Action string
	Values []string
}

// fixedHeaders cannot be appended, overridden or deleted by set-header
// (FACTS.md, set-header).
var fixedHeaders = []string{"Connection", "Content-Length", "Keep-Alive", "Transfer-Encoding"}

func (e HeaderEdit) apply(h http.Header) {
	switch e.Action {
	case "delete":
		h.Del(e.Name)
	case "append":
		for _, v := range e.Values {
			h.Add(e.Name, v)
		}
	case "skip":
		if h.Get(e.Name) == "" {
			h[http.CanonicalHeaderKey(e.Name)] = e.Values
		}
	default:
		h[http.CanonicalHeaderKey(e.Name)] = e.Values
	}
}

func textPlain() http.Header {
	return http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
}

// answerOf builds the response of a return-response or mock-response
// for the request's path; what the hop cannot compute becomes a note.
func answerOf(e *apimpolicy.Element, p apimcheck.Path, b *Behavior) *Answer {
	a := &Answer{Status: http.StatusOK, Header: http.Header{}, Why: fmt.Sprintf("the <%s> at line %d, column %d", e.Name, e.Pos.Line, e.Pos.Column)}
	if e.Name == "mock-response" {
		// No examples or schemas here: the response has no content
		// (FACTS.md, mock-response).
		if c := e.Attr("status-code"); c != nil {
			setStatus(a, c.Value(), e, b)
		}
		if ct := e.Attr("content-type"); ct != nil && strings.TrimSpace(ct.Value()) != "" {
			a.Header.Set("Content-Type", strings.TrimSpace(ct.Value()))
		}
		return a
	}
	if v := e.Attr("response-variable-name"); v != nil {
		note(b, e, fmt.Sprintf("it returns the response held in the variable %q", v.Value()),
			"the hop does not hold that response: it answers 200 with no body, changed by the policies inside")
	}
	shape(a, e.Elements(), p, b)
	return a
}

// shape applies set-status, set-header and set-body to the answer, in
// order.
func shape(a *Answer, policies []*apimpolicy.Element, p apimcheck.Path, b *Behavior) {
	for _, s := range policies {
		switch s.Name {
		case "set-status":
			if c := s.Attr("code"); c != nil {
				setStatus(a, c.Value(), s, b)
			}
		case "set-header":
			if e, ok := headerEdit(s, p, b); ok {
				e.apply(a.Header)
			}
		case "set-body":
			if body, ok := p.Text(s); ok {
				a.Body = []byte(body)
			} else {
				a.Body = nil
				note(b, s, "set-body computes the body with a policy expression sseready does not run", "the hop answers with no body")
			}
		}
	}
}

func setStatus(a *Answer, code string, e *apimpolicy.Element, b *Behavior) {
	n, err := strconv.Atoi(strings.TrimSpace(code))
	if err != nil || n < 100 || n > 999 {
		note(b, e, fmt.Sprintf("the status %q is not a status code the hop can send", code), fmt.Sprintf("the hop sends %d", a.Status))
		return
	}
	a.Status = n
}

// headerEdit reads a set-header for the request's path; ok is false when
// it changes nothing the hop can compute.
func headerEdit(s *apimpolicy.Element, p apimcheck.Path, b *Behavior) (HeaderEdit, bool) {
	name := s.Attr("name")
	if name == nil || name.Kind() != apimpolicy.Literal {
		return HeaderEdit{}, false
	}
	e := HeaderEdit{Name: strings.TrimSpace(name.Value()), Action: "override"}
	for _, f := range fixedHeaders {
		if strings.EqualFold(e.Name, f) {
			return e, false
		}
	}
	if a := s.Attr("exists-action"); a != nil {
		if a.Kind() != apimpolicy.Literal {
			return e, false // the checker's warning says so
		}
		e.Action = strings.ToLower(strings.TrimSpace(a.Value()))
	}
	for _, v := range s.Elements() {
		if v.Name != "value" {
			continue
		}
		text, ok := p.Text(v)
		if !ok {
			note(b, s, fmt.Sprintf("the value of %s is computed by a policy expression sseready does not run", e.Name), "the hop leaves the header as it is")
			return e, false
		}
		e.Values = append(e.Values, text)
	}
	return e, true
}

// note adds a warning about a policy the hop cannot fully act out.
func note(b *Behavior, e *apimpolicy.Element, msg, emulator string) {
	b.Warnings = append(b.Warnings, PolicyNote{
		Message:  fmt.Sprintf("the <%s> at line %d, column %d: %s", e.Name, e.Pos.Line, e.Pos.Column, msg),
		Emulator: emulator,
	})
}

// writeAnswer sends the hop's own answer.
func writeAnswer(w http.ResponseWriter, b Behavior) {
	a := b.Answer
	h := w.Header()
	for k, vs := range a.Header {
		h[k] = append([]string(nil), vs...)
	}
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // no type the policy did not set: no sniffing
	}
	h.Add("X-Sseready-Gateway", b.String())
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}
