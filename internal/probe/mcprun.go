package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// runMCP probes one MCP tools/call: it sets the session up, calls the
// tool with a progress token, and judges the call's stream as any other,
// its progress notifications being its content and the response its
// final event. The times count from the call.
func (rep *Report) runMCP(ctx context.Context, url string, opts Options) {
	call := opts.MCP
	rep.Protocol = MCP
	start := time.Now()
	sess, err := OpenMCP(ctx, opts.Client, url, opts.Request, call.Transport)
	if err != nil {
		rep.setupFailed(ctx, err, opts.Request.Query, start)
		return
	}
	defer sess.Close()
	info := sess.Info
	info.Tool = call.Tool
	rep.MCP = &info
	start = time.Now()
	st, err := sess.Call(ctx, call.Tool, call.Args)
	if err != nil {
		rep.setupFailed(ctx, err, opts.Request.Query, start)
		return
	}
	defer st.Close()
	resp := st.Response
	if sess.stream == nil { // Streamable HTTP: the answer is the stream
		if resp.StatusCode == http.StatusOK && mediaType(resp.Header.Get("Content-Type")) == "application/json" {
			rep.head(resp, float64(time.Since(start).Microseconds())/1000)
			if r, err := decodeResponse(resp); err == nil {
				rep.MCP.Result, rep.MCP.CallError = r.Result, r.Error
			}
			rep.DurationMS = float64(time.Since(start).Microseconds()) / 1000
			rep.finish(NotSSE, nil, "the server answered tools/call with one JSON body, not an event stream: no progress could arrive before the result")
			return
		}
		rep.receive(ctx, resp, st.Dialect, opts, start)
		return
	}
	// HTTP+SSE: the POST is accepted; the call's messages arrive on the
	// session's stream, whose headers are the stream's.
	since := func(t time.Time) float64 { return float64(t.Sub(start).Microseconds()) / 1000 }
	accepted := time.Now()
	rep.head(sess.stream.resp, since(accepted))
	if resp.StatusCode/100 != 2 {
		rep.Status = resp.StatusCode
		rep.DurationMS = since(time.Now())
		rep.finish(Refused, nil, fmt.Sprintf("the POST of tools/call got status %d, not 202", resp.StatusCode))
		return
	}
	rep.judge(ctx, st, st.Dialect, opts, since, accepted)
}

// setupFailed records a session that could not be set up, or a call
// that could not be sent.
func (rep *Report) setupFailed(ctx context.Context, err error, query url.Values, start time.Time) {
	var se *SetupError
	if !errors.As(err, &se) {
		rep.failed(ctx, err, query, start)
		return
	}
	rep.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	rep.Status = se.Status
	rep.finish(se.Outcome, se.Fault, se.Message)
}
