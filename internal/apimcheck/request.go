package apimcheck

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// Request is one request as a gateway receives it. The checker evaluates
// policy expressions in worlds (value.go: a request that asks for a
// stream, one that says it does not, ...); Trace evaluates them for one
// Request instead, with the same evaluator, so the gateway emulator and
// the checker read a condition the same way.
type Request struct {
	// Method is the HTTP method (GET when empty).
	Method string
	// Header holds the request's headers.
	Header http.Header
	// Body is the request's body; nil or empty is no body.
	Body []byte
	// Response is the backend's response once its headers came, for
	// <outbound>: context.Response's status and headers read it. nil:
	// the request has not been forwarded yet, and conditions on
	// context.Response are undecided (Path.NeedsResponse says so).
	Response *Response
}

// Response is the backend's response as <outbound> sees it.
type Response struct {
	StatusCode   int
	StatusReason string
	Header       http.Header
}

// concrete is a Request read for evaluation: its body parsed once.
type concrete struct {
	req Request
	// obj is the body's keys when the body is a JSON object.
	obj    map[string]json.RawMessage
	isJSON bool
	// needsResponse is set when an expression read context.Response
	// before there was one.
	needsResponse bool
}

func newConcrete(r Request) *concrete {
	c := &concrete{req: r}
	if r.Method == "" {
		c.req.Method = http.MethodGet
	}
	body := bytes.TrimSpace(r.Body)
	if len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &c.obj) == nil {
		c.isJSON = true
	}
	return c
}

// body is Body.As<JObject>() (and JObject.Parse of the body's text): the
// body as an object, or the exception Newtonsoft.Json throws.
func (c *concrete) body() value {
	switch {
	case c.isJSON:
		return value{k: vJObject}
	case len(bytes.TrimSpace(c.req.Body)) == 0:
		return throws("a JsonReaderException: the request has no body")
	}
	return throws("a JsonReaderException: the body is not a JSON object")
}

// key is the body's key as a JSON token, or C# null when it is missing.
// A JSON path ("$.stream") names a top-level key only.
func (c *concrete) key(k string) value {
	k = strings.TrimPrefix(k, "$.")
	flag := k == "stream"
	raw, ok := c.obj[k]
	if !ok {
		return value{k: vNull, flag: flag}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return unknown(`the body's "` + k + `"`)
	}
	switch v := v.(type) {
	case bool:
		return value{k: vJBool, b: v, flag: flag}
	case nil:
		return value{k: vJNull, flag: flag}
	case string:
		return value{k: vJString, s: v, flag: flag}
	}
	return value{k: vJOther, why: `the body's "` + k + `"`, flag: flag}
}

// member is what a path under context holds for this request, when the
// request holds it. A request without a body has no
// context.Request.Body: it is null (an assumption the gateway emulator
// names; reading it without ?. throws).
func (c *concrete) member(path string) (value, bool) {
	switch {
	case path == "context.Request.Method":
		return strVal(c.req.Method), true
	case path == "context.Request.Body" && len(c.req.Body) == 0:
		return nullVal(), true
	case path == "context.Response.StatusCode" || path == "context.Response.StatusReason":
		resp := c.req.Response
		if resp == nil {
			c.needsResponse = true
			return value{}, false
		}
		if path == "context.Response.StatusCode" {
			return value{k: vNumber, s: itoa(resp.StatusCode)}, true
		}
		return strVal(resp.StatusReason), true
	}
	return value{}, false
}

// headerCall is a call on context.Request.Headers (or, with response,
// context.Response.Headers): GetValueOrDefault (the values joined with
// commas, as APIM gives them) and ContainsKey.
func (c *concrete) headerCall(response bool, name string, args []value) (value, bool) {
	h := c.req.Header
	if response {
		if c.req.Response == nil {
			c.needsResponse = true
			return value{}, false
		}
		h = c.req.Response.Header
	}
	if len(args) == 0 || args[0].k != vString {
		return value{}, false
	}
	vs, ok := h[http.CanonicalHeaderKey(args[0].s)]
	switch {
	case name == "ContainsKey":
		return boolVal(ok), true
	case !strings.HasPrefix(name, "GetValue"):
		return value{}, false
	case ok:
		return strVal(strings.Join(vs, ",")), true
	case len(args) >= 2:
		return args[1], true
	}
	return nullVal(), true
}

// key reads the body's key in the world or for the request evaluated.
func (env *evalEnv) key(k string) value {
	if env.req != nil {
		return env.req.key(k)
	}
	return objectKey(env.w, k)
}
