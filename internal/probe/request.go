package probe

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Request is what a client of the stream sends: an EventSource's GET by
// default, or an LLM API's POST with a JSON body that asks for
// "stream": true. The probe and the load generator send the same.
type Request struct {
	// Method is the HTTP method (default GET).
	Method string
	// Body is sent as is; Content-Type defaults to application/json when
	// the body looks like JSON and none is given.
	Body []byte
	// Header is sent with the request. Accept: text/event-stream is set
	// unless given. Values may be secrets (api-key): nothing here prints
	// them.
	Header http.Header
	// Query holds query parameters added to the URL's own when the
	// request is sent, such as a subscription key read from the
	// environment. Values are secrets: every message the probe writes
	// redacts them (RedactURL).
	Query url.Values
	// Compressed asks for the codings StreamReader decodes
	// (AcceptCompressed). Without it, and without an Accept-Encoding in
	// Header, the request asks for identity, so that Go's client neither
	// asks for gzip itself nor decodes it: whatever coding arrives, the
	// probe decodes it, once (StreamReader).
	Compressed bool
}

// HTTP builds the request for rawURL, with Query after the URL's own
// query, which is sent as given.
func (r Request) HTTP(ctx context.Context, rawURL string) (*http.Request, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader // nil, not a nil *bytes.Reader: no body at all
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	addQuery(req.URL, r.Query)
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/event-stream")
	}
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
		if r.Compressed {
			req.Header.Set("Accept-Encoding", AcceptCompressed)
		}
	}
	if len(r.Body) > 0 && req.Header.Get("Content-Type") == "" {
		if t := strings.TrimSpace(string(r.Body)); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	return req, nil
}

// addQuery puts q after u's own query, which stays as given.
func addQuery(u *url.URL, q url.Values) {
	if len(q) == 0 {
		return
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += q.Encode()
}
