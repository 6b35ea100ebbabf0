package probe

import (
	"bytes"
	"context"
	"io"
	"net/http"
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
	// Compressed asks for the codings StreamReader decodes
	// (AcceptCompressed). Without it, and without an Accept-Encoding in
	// Header, the request asks for identity, so that Go's client neither
	// asks for gzip itself nor decodes it: whatever coding arrives, the
	// probe decodes it, once (StreamReader).
	Compressed bool
}

// HTTP builds the request for url.
func (r Request) HTTP(ctx context.Context, url string) (*http.Request, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader // nil, not a nil *bytes.Reader: no body at all
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
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
