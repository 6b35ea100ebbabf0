// Package streamcheck probes a deployed SSE endpoint and judges the stream
// against what its owner expects: enough content events, the first event
// soon enough, no cut within the time read (a stream whose protocol has a
// final event must end with it), nothing held or buffered. The stream is
// read in its protocol (forced, or recognised from its events), decoded
// when compressed, or is the stream of one MCP tool call. A missed
// expectation says what happened and which settings to look at, by rule.
// The provider's sseready_stream_check and sseready_stream_probe, and the
// CLI, run it.
package streamcheck

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// Attribute names, as the provider takes them and input errors name them.
const (
	FieldURL           = "url"
	FieldMethod        = "method"
	FieldDuration      = "duration"
	FieldMaxFirstEvent = "max_first_event"
	FieldMinEvents     = "min_events"
	FieldProtocol      = "protocol"
	FieldCompressed    = "compressed"
	FieldMCPTool       = "mcp_tool"
	FieldMCPArgs       = "mcp_args"
	FieldMCPTransport  = "mcp_transport"
)

// Defaults.
const (
	// DefaultDuration is how long a check reads the stream: long enough
	// for a chat answer's first tokens, short enough for an apply.
	DefaultDuration = 30 * time.Second
	// MaxDuration bounds one check: an apply waits for it.
	MaxDuration = 30 * time.Minute
	// DefaultMinEvents: a stream with no event is not a stream.
	DefaultMinEvents = 1
)

// Spec is one check: where, what to send, what to expect.
type Spec struct {
	URL     string
	Request probe.Request
	// Protocol forces the stream's protocol ("": recognised from its
	// events); MCP, when set, makes the read one MCP tools/call.
	Protocol probe.Protocol
	MCP      *probe.MCPCall
	Expect   Expect
	// headerEnv and queryEnv name, for each header and query parameter,
	// the environment variable WithEnv reads its value from.
	headerEnv, queryEnv map[string]string
}

// Expect is what the stream must do.
type Expect struct {
	// MinEvents is the fewest content events the stream must deliver
	// (events that carry output in its protocol: every event of a plain
	// stream).
	MinEvents int
	// MaxFirstEvent bounds the time to the first event (0: no bound).
	MaxFirstEvent time.Duration
	// Duration is how long the stream is read. It may end sooner (a chat
	// answer ends), but must not be cut within it.
	Duration time.Duration
}

// Raw is a check as users write it: strings and numbers, validated by
// Parse with messages that name the attribute.
type Raw struct {
	URL, Method, Body string
	// Header (headers), HeaderWO (headers_wo) and HeaderFromEnv
	// (headers_from_env: header name to environment variable name) are
	// the request's headers; each header in one of them only.
	Header, HeaderWO, HeaderFromEnv map[string]string
	// QueryFromEnv (query_from_env: query parameter name to environment
	// variable name) adds query parameters after the URL's own.
	QueryFromEnv            map[string]string
	Duration, MaxFirstEvent string // Go durations; "" for the default
	MinEvents               *int64 // nil for the default
	// Protocol is a probe.Protocol's name ("": recognised; auto is
	// refused, as the attribute then holds the protocol recognised);
	// Compressed asks for gzip, deflate, br.
	Protocol   string
	Compressed bool
	// MCPTool makes the read one MCP tools/call of that tool, with
	// MCPArgs (a JSON object; "" for none) over MCPTransport ("" for
	// auto).
	MCPTool, MCPArgs, MCPTransport string
}

// Parse validates a check. Every problem is an *input.Error naming its
// attribute.
func Parse(r Raw) (Spec, []*input.Error) {
	var errs []*input.Error
	s := Spec{URL: r.URL, Expect: Expect{MinEvents: DefaultMinEvents, Duration: DefaultDuration}}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, input.Errorf(FieldURL, "%q is not an http(s) URL, such as https://apim-chat.azure-api.net/chat/completions", probe.RedactURL(r.URL, nil)))
	}
	s.Request.Method = r.Method
	if r.Body != "" {
		s.Request.Body = []byte(r.Body)
		if s.Request.Method == "" {
			s.Request.Method = "POST"
		}
	}
	if s.Request.Method != "" && !probe.ValidMethod(s.Request.Method) {
		errs = append(errs, input.Errorf(FieldMethod, "%q is not an HTTP method, such as GET or POST", r.Method))
	}
	h, herrs := mergeHeaders(headerSource{FieldHeaders, r.Header}, headerSource{FieldHeadersWO, r.HeaderWO}, headerSource{FieldHeadersFromEnv, r.HeaderFromEnv})
	errs = append(errs, herrs...)
	if len(h) > 0 {
		s.Request.Header = h
	}
	if len(r.HeaderFromEnv) > 0 {
		s.headerEnv = r.HeaderFromEnv
	}
	errs = append(errs, parseQueryEnv(r.URL, r.QueryFromEnv)...)
	if len(r.QueryFromEnv) > 0 {
		s.queryEnv = r.QueryFromEnv
	}
	if r.Duration != "" {
		d, err := input.Duration(FieldDuration, r.Duration)
		switch {
		case err != nil:
			errs = append(errs, err)
		case d > MaxDuration:
			errs = append(errs, input.Errorf(FieldDuration, "%s is longer than %s: an apply waits for the whole check", d, MaxDuration))
		default:
			s.Expect.Duration = d
		}
	}
	if r.MaxFirstEvent != "" {
		d, err := input.Duration(FieldMaxFirstEvent, r.MaxFirstEvent)
		if err != nil {
			errs = append(errs, err)
		} else {
			s.Expect.MaxFirstEvent = d
		}
	}
	if r.MinEvents != nil {
		if *r.MinEvents < 1 {
			errs = append(errs, input.Errorf(FieldMinEvents, "%d: a stream must deliver at least 1 event", *r.MinEvents))
		} else {
			s.Expect.MinEvents = int(*r.MinEvents)
		}
	}
	s.Request.Compressed = r.Compressed
	errs = append(errs, s.parseProtocol(r)...)
	if len(errs) == 0 && s.Expect.MaxFirstEvent > s.Expect.Duration {
		errs = append(errs, input.Errorf(FieldMaxFirstEvent, "%s is longer than duration (%s): the check stops reading before the first event may come", s.Expect.MaxFirstEvent, s.Expect.Duration))
	}
	return s, errs
}

// Result is a check's probe and its verdict.
type Result struct {
	Report probe.Report
	// Problems are the expectations the stream missed; none when it
	// passed.
	Problems []Problem
}

// OK reports whether the stream met every expectation.
func (r Result) OK() bool { return len(r.Problems) == 0 }

// Run probes the endpoint and judges the stream. A check with headers or
// query parameters from the environment runs once WithEnv has read them:
// never without.
func Run(ctx context.Context, s Spec) Result {
	if s.headerEnv != nil || s.queryEnv != nil {
		panic("streamcheck: Run before WithEnv read " + FieldHeadersFromEnv + " and " + FieldQueryFromEnv)
	}
	rep := probe.Run(ctx, s.URL, probe.Options{Duration: s.Expect.Duration, Request: s.Request, Protocol: s.Protocol, MCP: s.MCP})
	return Result{Report: rep, Problems: Judge(rep, s.Expect)}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func msText(v float64) string {
	return fmt.Sprint(time.Duration(v * float64(time.Millisecond)).Round(time.Millisecond))
}
