package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

const backendUsage = `Usage: sseready backend [flags]

A test SSE origin. Each event's data is JSON with seq and sent_unix_nano;
the id is the sequence number, and a Last-Event-ID resumes after it. The
response carries Content-Type: text/event-stream, Cache-Control: no-cache,
Connection: keep-alive and X-Accel-Buffering: no unless --omit-header.

With --chat-completions it answers as an Azure OpenAI chat completions
deployment instead, on any path: a POST whose JSON body has messages and
"stream": true gets data-only chat.completion.chunk events (the role, then
--events content chunks, default 12, --interval apart, then the finish
reason, the usage when stream_options.include_usage asks for it) and a
final data: [DONE]; each chunk also carries seq and sent_unix_nano, which
clients ignore. Without "stream": true the answer is one JSON completion,
once generated. Another method or body gets a 4xx with an OpenAI-style
error.

--responses answers as the OpenAI Responses API (a POST with input and
"stream": true gets response.created ... one response.output_text.delta
per token ... response.completed), --messages as Anthropic's Messages API
(max_tokens and messages; message_start ... content_block_delta ...
message_stop), both on any path and timed as --chat-completions is.
--mcp serves an MCP server (protocol 2025-06-18): the Streamable HTTP
transport on any path but /sse and /messages, which serve the 2024-11-05
HTTP+SSE transport (GET /sse opens the stream, whose endpoint event names
/messages?sessionId=... to POST to). Its tool count sends one
notifications/progress per step (--events, default 5, or the call's
{"steps": N}) --interval apart, then its result. Every event carries
sent_unix_nano: in the JSON object, or in _meta for MCP.

--ending says how a dialect's stream ends: final (its final event), error
(its error event: response.failed, Anthropic's error, a JSON-RPC error, a
chat completions {"error": {...}} object in place of the next chunk),
incomplete (Responses: response.incomplete) or none (no final event: the
connection closes cleanly, which a client must count as a cut).

--first-event-delay keeps every stream silent after its response headers
before the first event, as a model that thinks before its first token;
--heartbeat fills that silence, as any other, with comments.

--compress gzip|br|deflate compresses the answers of requests that accept
the coding; --compress-mode flush flushes the compressor after each event
(the stream still streams), whole never does (it leaves in one piece).

Flags:
`

const gatewayUsage = `Usage: sseready gateway --upstream URL (--apim-policy [SCOPE=]FILE... | --appgw-settings FILE) [flags]

A local stand-in for one API Management or Application Gateway hop, which
treats the stream as the settings you deploy say. Chain hops by pointing one
gateway's --upstream at the next: client, App Gateway, APIM, origin.

API Management: --apim-policy (the API-scope policy; with global=FILE,
product=FILE... the policies above or below it too; with no global=FILE
the hop composes them over APIM's global default, whose forward-request
buffers), --apim-fragment (the fragments they include), --apim-sku,
--apim-diagnostic (the JSON of sseready_apim_diagnostic or azurerm's
blocks; repeatable). The hop runs the policy for each request it
receives: its set-variable values and <choose> conditions are evaluated
on the request's body, headers and method (a chat completions request's
"stream": true takes the branch streams take); --method, --data and
--header describe a request for the line printed at start.

Application Gateway: --appgw-settings (the JSON of
sseready_appgw_settings, or a global block and request_timeout).

Assumptions, where the sources do not say:
%s
Flags:
`

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runBackend(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "address to listen on (loopback by default)")
	var cfg origin.Config
	fs.IntVar(&cfg.Events, "events", 0, "end each stream after N events (0: never)")
	durationVar(fs, &cfg.Interval, "interval", time.Second, "time between events")
	durationVar(fs, &cfg.Heartbeat, "heartbeat", 0, "send a comment heartbeat after this long without output (0: none)")
	fs.IntVar(&cfg.SilenceAfter, "silence-after", 0, "after event N, stay silent for --silence (0: never)")
	durationVar(fs, &cfg.Silence, "silence", 0, "how long the silence after --silence-after lasts")
	fs.IntVar(&cfg.Padding, "padding", 0, "bytes of padding in each event's data")
	fs.BoolVar(&cfg.ChatCompletions, "chat-completions", false, "answer POST chat completions requests as Azure OpenAI does (see above)")
	fs.BoolVar(&cfg.Responses, "responses", false, "answer POST Responses API requests as OpenAI does (see above)")
	fs.BoolVar(&cfg.Messages, "messages", false, "answer POST Messages API requests as Anthropic does (see above)")
	fs.BoolVar(&cfg.MCP, "mcp", false, "serve an MCP server over Streamable HTTP and, at /sse and /messages, HTTP+SSE (see above)")
	fs.StringVar(&cfg.Ending, "ending", "final", "how a dialect's stream ends: final, error, incomplete (--responses) or none")
	durationVar(fs, &cfg.FirstEventDelay, "first-event-delay", 0, "stay silent this long after the response headers before the first event (--heartbeat fills it)")
	fs.StringVar(&cfg.Compress, "compress", "", "compress answers with this coding when the request accepts it: gzip, br or deflate")
	fs.StringVar(&cfg.CompressMode, "compress-mode", "", "with --compress: flush (the compressor after each event; the default) or whole (never: one piece)")
	fs.StringVar(&cfg.AllowOrigin, "allow-origin", "", "send Access-Control-Allow-Origin with this value (* or an origin), for browser pages served elsewhere")
	var omit stringList
	fs.Var(&omit, "omit-header", "a recommended response header not to send (repeatable)")
	fs.Usage = func() { fmt.Fprint(stderr, backendUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "sseready backend: unexpected argument %q: the settings come as flags (see --help)\n", fs.Arg(0))
		return exitInput
	case cfg.Interval <= 0:
		fmt.Fprintln(stderr, "sseready backend: --interval must be positive, such as 1s")
		return exitInput
	}
	cfg.OmitHeaders = omit
	h, err := origin.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sseready backend: %v\n", err)
		return exitInput
	}
	return serve(ctx, "backend", *listen, h, stderr)
}

// hopFlags are the settings of the emulated hops, shared by gateway and
// prove.
type hopFlags struct {
	sku, appgw                 string
	policies, diags, fragments stringList
	// block is --content-safety-block, a test device.
	block           string
	bufSize, bufCap int
	// filterChunk is prove's --content-filter-chunk (0: the default).
	filterChunk int
	scale       float64
}

func (h *hopFlags) register(fs *flag.FlagSet, defaultScale float64) {
	fs.Var(&h.policies, "apim-policy", "API Management: a policy document at SCOPE: global, workspace, product, api (the default) or operation, as `[SCOPE=]FILE`; repeat it for each scope (each <base /> takes the section of the scope above; above the highest scope given stands APIM's global default, a <forward-request/> that buffers)")
	fs.StringVar(&h.sku, "apim-sku", "", "API Management: sku_name, such as StandardV2_1")
	fs.Var(&h.diags, "apim-diagnostic", "API Management: a diagnostic's settings as JSON (repeatable)")
	fs.Var(&h.fragments, "apim-fragment", "API Management: a policy fragment the policies include, as `NAME=FILE` (NAME is its fragment-id): its policies run where include-fragment names it (repeatable)")
	fs.StringVar(&h.block, "content-safety-block", "", "API Management: a test device, not Azure behaviour: an event whose data holds this `WORD` (case-insensitive) violates an llm-content-safety that checks completions, so the hop stops the stream; without it the window only holds events")
	fs.StringVar(&h.appgw, "appgw-settings", "", "Application Gateway: the settings as JSON")
	fs.Float64Var(&h.scale, "time-scale", defaultScale, "run every gateway clock this many times faster")
	fs.IntVar(&h.bufSize, "appgw-buffer-size", gateway.DefaultAppGWBufferSize, "Application Gateway: bytes held before sending when response buffering is on (an assumption)")
	fs.IntVar(&h.bufCap, "buffer-cap", gateway.DefaultBufferCap, "the most held for one response; past it the response fails")
}

// check rejects numbers the hop cannot run with.
func (h *hopFlags) check() error {
	switch {
	case !(h.scale > 0 && h.scale <= gateway.MaxTimeScale):
		return fmt.Errorf("--time-scale must be more than 0 and at most %d, not %g", gateway.MaxTimeScale, h.scale)
	case h.bufSize < 1:
		return fmt.Errorf("--appgw-buffer-size must be 1 byte or more, not %d", h.bufSize)
	case h.bufCap < 1:
		return fmt.Errorf("--buffer-cap must be 1 byte or more, not %d", h.bufCap)
	}
	return nil
}

func (h *hopFlags) base() gateway.Config {
	return gateway.Config{TimeScale: h.scale, AppGWBufferSize: h.bufSize, BufferCap: h.bufCap, ContentFilterChunk: h.filterChunk, ContentSafetyBlock: h.block}
}

// apim reads the API Management hop's files (nil without --apim-policy).
func (h *hopFlags) apim() (*gateway.APIM, error) {
	if len(h.policies) == 0 {
		if h.sku != "" || len(h.diags) > 0 || len(h.fragments) > 0 {
			return nil, fmt.Errorf("--apim-sku, --apim-diagnostic and --apim-fragment go with --apim-policy")
		}
		return nil, nil
	}
	a := &gateway.APIM{SKU: h.sku}
	var err error
	if a.Fragments, err = fragmentArgs(h.fragments); err != nil {
		return nil, err
	}
	for _, arg := range h.policies {
		p, err := policyArg(arg)
		if err != nil {
			return nil, err
		}
		a.Policies = append(a.Policies, p)
	}
	for _, f := range h.diags {
		d, err := gateway.DiagnosticFile(f)
		if err != nil {
			return nil, err
		}
		a.Diagnostics = append(a.Diagnostics, d)
	}
	return a, nil
}

// policyArg reads --apim-policy [SCOPE=]FILE. A prefix before "=" that is
// not a scope is part of the file name.
func policyArg(arg string) (gateway.Policy, error) {
	p := gateway.Policy{Scope: apimcheck.API, Source: arg}
	if pre, file, ok := strings.Cut(arg, "="); ok {
		scope, err := apimcheck.ParseScope(pre)
		switch {
		case err == nil && pre != "":
			p.Scope, p.Source = scope, file
		case !exists(arg) && exists(file):
			return p, fmt.Errorf("--apim-policy %s: %v", arg, err)
		}
	}
	xml, err := os.ReadFile(p.Source)
	if err != nil {
		return p, fmt.Errorf("--apim-policy: %w", err)
	}
	p.XML = xml
	return p, nil
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

// fragmentArgs reads --apim-fragment NAME=FILE into the fragments the
// policies include (apimcheck.ParseFragments, as the provider reads
// them).
func fragmentArgs(args []string) (map[string]*apimpolicy.Document, error) {
	if len(args) == 0 {
		return nil, nil
	}
	src, files := map[string]string{}, map[string]string{}
	for _, arg := range args {
		name, file, ok := strings.Cut(arg, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "" || file == "":
			return nil, fmt.Errorf("--apim-fragment %q: write NAME=FILE, NAME being the fragment-id that include-fragment names", arg)
		case files[name] != "":
			return nil, fmt.Errorf("--apim-fragment: %q is given twice (%s and %s)", name, files[name], file)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--apim-fragment %s: %w", name, err)
		}
		src[name], files[name] = string(data), file
	}
	docs, errs := apimcheck.ParseFragments(src)
	if len(errs) > 0 {
		var fe *apimcheck.FragmentError
		if errors.As(errs[0], &fe) {
			return nil, fmt.Errorf("--apim-fragment %s (%s): %v", fe.ID, files[fe.ID], fe.Err)
		}
		return nil, fmt.Errorf("--apim-fragment: %v", errs[0])
	}
	return docs, nil
}

// appGW reads the Application Gateway hop's settings (nil without
// --appgw-settings).
func (h *hopFlags) appGW() (*gateway.AppGW, error) {
	if h.appgw == "" {
		return nil, nil
	}
	return gateway.AppGWSettingsFile(h.appgw)
}

// upstreamTLS verifies an https upstream against the CA certificates in
// file only, as a private or test origin needs.
func upstreamTLS(file string) (*tls.Config, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--upstream-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--upstream-ca %s: no PEM certificate in the file; give the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----)", file)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func assumptionsHelp() string {
	return "  - " + strings.Join(gateway.Assumptions, "\n  - ") + "\n"
}

func runGateway(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) int {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (loopback by default)")
	upstream := fs.String("upstream", "", "where requests go: the origin or the next hop (required)")
	upstreamCA := fs.String("upstream-ca", "", "PEM file of the CA certificates that an https --upstream is verified against (default: the system's)")
	var hf hopFlags
	hf.register(fs, 1)
	var rf requestFlags
	rf.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, gatewayUsage, assumptionsHelp())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	fail := func(format string, a ...any) int {
		msg := strings.TrimPrefix(fmt.Sprintf(format, a...), "gateway: ")
		fmt.Fprintf(stderr, "sseready gateway: %s\n", msg)
		return exitInput
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q: the settings come as flags (see --help)", fs.Arg(0))
	}
	if err := hf.check(); err != nil {
		return fail("%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	req, err := rf.request(set, func() ([]byte, error) { return io.ReadAll(stdin) })
	if err != nil {
		return fail("%v", err)
	}
	u, err := url.Parse(*upstream)
	if *upstream == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail("--upstream must be an http(s) URL, such as http://127.0.0.1:8081")
	}
	switch {
	case len(hf.policies) > 0 && hf.appgw != "":
		return fail("one hop is API Management or Application Gateway, not both: run two gateways")
	case len(hf.policies) == 0 && hf.appgw == "":
		return fail("give --apim-policy FILE or --appgw-settings FILE")
	}
	cfg := hf.base()
	cfg.Upstream = u
	if *upstreamCA != "" {
		if u.Scheme != "https" {
			return fail("--upstream-ca is for an https --upstream; %s is %s", u, u.Scheme)
		}
		if cfg.TLSConfig, err = upstreamTLS(*upstreamCA); err != nil {
			return fail("%v", err)
		}
	}
	if cfg.APIM, err = hf.apim(); err != nil {
		return fail("%v", err)
	}
	if cfg.AppGW, err = hf.appGW(); err != nil {
		return fail("%v", err)
	}
	g, err := gateway.New(cfg)
	if err != nil {
		return fail("%v", err)
	}
	defer g.Close()
	b := g.BehaviorFor(chainrun.APIMRequest(req))
	fmt.Fprintf(stderr, "sseready gateway: %s -> %s: %s for %s\n", *listen, u, b, describeRequest(req))
	if cfg.APIM != nil {
		fmt.Fprintf(stderr, "sseready gateway: the hop runs the policy for each request it receives; --method, --data and --header choose the one described here\n")
	}
	for _, w := range b.Warnings {
		fmt.Fprintf(stderr, "sseready gateway: note: %s\n", w)
	}
	for _, e := range b.Invalid {
		fmt.Fprintf(stderr, "sseready gateway: error, not valid as written: %s\n", e)
	}
	for _, e := range b.NotEnacted {
		fmt.Fprintf(stderr, "sseready gateway: error: %s (not emulated: the hop relays the stream, the real gateway would not)\n", e)
	}
	return serve(ctx, "gateway", *listen, g, stderr)
}

// describeRequest names a request without its headers' values, which
// may be secrets.
func describeRequest(r probe.Request) string {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	if len(r.Body) == 0 {
		return "a " + method + " without a body"
	}
	return fmt.Sprintf("a %s with a %d-byte body", method, len(r.Body))
}

// serve runs h on addr until ctx ends, then shuts down.
func serve(ctx context.Context, name, addr string, h http.Handler, stderr io.Writer) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "sseready %s: %v\n", name, err)
		return exitInput
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "sseready %s: listening on http://%s\n", name, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "sseready %s: %v\n", name, err)
		return exitInput
	case <-ctx.Done():
	}
	// Streams do not end by themselves: close them after a short grace.
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "sseready %s: %v\n", name, err)
	}
	srv.Close()
	return exitOK
}

func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitInput
}
