package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/loadgen"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

const loadUsage = `Usage: sseready load [flags] URL
       sseready load merge [--format text|json] [--report FILE.html] RESULT.json...

Opens many streams at once against an SSE endpoint, each its own HTTP/1.1
connection sending the probe's request (--method, --data, --header...),
and measures how they arrive: each event's latency when its data carries
sent_unix_nano (sseready backend's does), the gaps between content events,
the time to the first event and to the first content, events per second,
each stream's content events per second, the streams that completed,
failed or were cut by kind, and the streams that look buffered.

Each stream is read in its protocol, recognised from its events as sseready
probe recognises it or forced with --protocol: chat completions, the
Responses API, Anthropic Messages, MCP or plain SSE. Content is what the
protocol says carries output (a delta, a progress notification; every
event of a plain stream); keep-alives and opening events are not. A
stream ends at its protocol's final event (completed); one that ends
without it is cut (cut_no_final_<protocol>), one that sends its error
event is error_event. --events counts content events.

--mcp-tool NAME makes each stream one MCP session (initialize,
notifications/initialized) and one tools/call of NAME with --mcp-args, over
--mcp-transport; sessions are not reused. Times count from the tools/call.

--compressed asks for gzip, deflate, br (an Accept-Encoding given with
--header is honoured too) and decodes what arrives; a compressor that
flushes per event streams, one that sends the answer in one piece looks
buffered.

--warmup D opens the streams scheduled within the run's first D (stream i
opens at i/--rate seconds) as any other and counts none of them, not
their events, cuts or first content: the figures are those of the
streams opened after it, each counted whole, and events/s is over the
time after it. It needs a --rate at which streams open after it.

Bounded by default: at most --max-streams streams (100) for at most
--max-duration (60s); raise them to go further. Against a host other than
loopback it first prints what it is about to do.

--shard i/n opens one part of the streams (those whose index is i modulo
n, i from 0) on the run's schedule, so n processes, on one machine or many
(examples/load has a Kubernetes Indexed Job), make the load of one run;
'sseready load merge' adds their --format json results up exactly.

Outcome: streamed, buffered, cut, not_sse, refused or error (the worst
that applies). Exit status: 0 streamed, 1 any other outcome, 2 for a
wrong command line or unreadable input.

Flags:
`

// loadFlags are load's own flags; the request's are requestFlags.
type loadFlags struct {
	opts        loadgen.Options
	shard       string
	maxStreams  int
	maxDuration time.Duration
	format      string
	report      string
	protocol    string
	compressed  bool
	mcpTool     string
	mcpArgs     string
	mcpTrans    string
}

func runLoad(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return runLoadMerge(args[1:], stdout, stderr)
	}
	f, code := parseLoad(args, stdin, stderr)
	if f == nil {
		return code
	}
	o := &f.opts
	if limit := loadgen.RaiseOpenFileLimit(); limit > 0 && uint64(o.Planned())+64 > limit {
		fmt.Fprintf(stderr, "sseready load: --streams %d: this shard would open %d streams, and the open-file limit is %d (ulimit -n): split the run with --shard\n", o.Streams, o.Planned(), limit)
		return exitInput
	}
	if host := loadHost(o.URL); !isLoopback(host) {
		fmt.Fprintf(stderr, "sseready load: %s to %s\n", describeLoad(*o), host)
	}
	if p := progressWriter(stderr); p != nil {
		o.Progress = p.show
		defer p.done()
	}
	res, err := loadgen.Run(ctx, *o)
	if err != nil {
		fmt.Fprintf(stderr, "sseready load: %v\n", err)
		return exitInput
	}
	return printLoad(res, f.format, f.report, stdout, stderr)
}

// parseLoad reads load's command line, or says what is wrong with it and
// returns the exit code.
func parseLoad(args []string, stdin io.Reader, stderr io.Writer) (*loadFlags, int) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f loadFlags
	o := &f.opts
	fs.IntVar(&o.Streams, "streams", 10, "streams to open, over all shards")
	fs.Float64Var(&o.Rate, "rate", 100, "streams opened per second, over all shards (0: all at once)")
	durationVar(fs, &o.Duration, "duration", 10*time.Second, "how long the run lasts")
	fs.IntVar(&o.Events, "events", 0, "end each stream after N content events (0: at its protocol's final event or the end of the run); a stream that ends before is cut")
	durationVar(fs, &o.Warmup, "warmup", 0, "open the streams scheduled within this first part of the run without counting them (0: none)")
	fs.StringVar(&f.protocol, "protocol", "auto", "the streams' protocol: auto (each recognised from its events), chat_completions, responses, anthropic_messages, mcp or sse")
	fs.BoolVar(&f.compressed, "compressed", false, "ask for compressed responses (Accept-Encoding: gzip, deflate, br) and decode them")
	fs.StringVar(&f.mcpTool, "mcp-tool", "", "make each stream one MCP session and one tools/call of this `TOOL` at URL")
	fs.StringVar(&f.mcpArgs, "mcp-args", "", "the tool's arguments, a JSON object (with --mcp-tool)")
	fs.StringVar(&f.mcpTrans, "mcp-transport", "auto", "the MCP transport: auto, streamable_http or http_sse (with --mcp-tool)")
	fs.StringVar(&f.shard, "shard", "", "run part i of n (`i/n`, i from 0 to n-1), for one process of many")
	fs.IntVar(&f.maxStreams, "max-streams", 100, "the most streams --streams may ask for: raise it for a bigger load")
	durationVar(fs, &f.maxDuration, "max-duration", time.Minute, "the longest --duration may be: raise it for a longer run")
	durationVar(fs, &o.MaxLatency, "max-latency", 500*time.Millisecond, "latency above which an event counts as held (the stream looks buffered)")
	durationVar(fs, &o.IdleTimeout, "idle-timeout", time.Minute, "a stream on which nothing arrives for this long is cut (cut_silent)")
	durationVar(fs, &o.HeadersTimeout, "headers-timeout", 30*time.Second, "time to connect and get the response headers (headers_timeout)")
	fs.StringVar(&f.format, "format", "text", "output format: text or json (one object, mergeable)")
	fs.StringVar(&f.report, "report", "", "write an HTML report (one self-contained page) to this `file`")
	var rf requestFlags
	rf.register(fs)
	fs.Usage = func() { fmt.Fprint(stderr, loadUsage); fs.PrintDefaults() }
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, flagExit(err)
	}
	if msg := f.check(rest); msg != "" {
		fmt.Fprintln(stderr, "sseready load: "+msg)
		return nil, exitInput
	}
	o.URL = rest[0]
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if o.Request, err = rf.request(set, func() ([]byte, error) { return io.ReadAll(stdin) }); err == nil {
		err = givenOnce(o.URL, o.Request)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sseready load: %v\n", err)
		return nil, exitInput
	}
	o.Request.Compressed = f.compressed
	if o.Protocol, err = probe.ParseProtocol(f.protocol); err != nil {
		fmt.Fprintf(stderr, "sseready load: --protocol: %v\n", err)
		return nil, exitInput
	}
	if o.MCP, err = mcpCall(f.mcpTool, f.mcpArgs, f.mcpTrans, set, o.Protocol); err != nil {
		fmt.Fprintf(stderr, "sseready load: %v\n", err)
		return nil, exitInput
	}
	return &f, exitOK
}

// check validates the flags and names the one that is wrong.
func (f *loadFlags) check(rest []string) string {
	o := &f.opts
	switch {
	case len(rest) != 1:
		return "give one URL"
	case f.format != "text" && f.format != "json":
		return fmt.Sprintf("--format must be text or json, not %q", f.format)
	case o.Streams < 1:
		return "--streams must be 1 or more"
	case o.Streams > f.maxStreams:
		return fmt.Sprintf("--streams %d is over --max-streams %d: raise --max-streams to open that many", o.Streams, f.maxStreams)
	case o.Duration <= 0:
		return "--duration must be positive, such as 30s"
	case o.Duration > f.maxDuration:
		return fmt.Sprintf("--duration %s is over --max-duration %s: raise --max-duration to run that long", o.Duration, f.maxDuration)
	case o.Rate < 0:
		return "--rate cannot be negative (0 opens every stream at once)"
	case o.Events < 0:
		return "--events cannot be negative"
	case o.MaxLatency <= 0:
		return "--max-latency must be positive, such as 500ms"
	case o.IdleTimeout <= 0:
		return "--idle-timeout must be positive, such as 60s"
	case o.HeadersTimeout <= 0:
		return "--headers-timeout must be positive, such as 30s"
	case o.Warmup > 0 && o.Warmup >= o.Duration:
		return fmt.Sprintf("--warmup %s must end before --duration %s", o.Warmup, o.Duration)
	case o.Warmup > 0 && o.Rate == 0:
		return "--warmup needs a --rate: at --rate 0 every stream opens at once, within the warmup, and none would count"
	case o.Warmup > 0 && float64(o.Streams-1)/o.Rate < o.Warmup.Seconds():
		return fmt.Sprintf("--warmup %s: every stream opens within it (the last at %.3gs at --rate %g), so none would count: lower --warmup or --rate, or raise --streams",
			o.Warmup, float64(o.Streams-1)/o.Rate, o.Rate)
	}
	if u, err := url.Parse(rest[0]); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL, such as http://127.0.0.1:8080/", probe.RedactURL(rest[0], nil))
	}
	if f.shard != "" {
		i, n, ok := strings.Cut(f.shard, "/")
		si, err1 := strconv.Atoi(i)
		sn, err2 := strconv.Atoi(n)
		switch {
		case !ok || err1 != nil || err2 != nil || sn < 1 || si < 0 || si >= sn:
			return fmt.Sprintf("--shard %q is not i/n with 0 <= i < n, such as 0/4", f.shard)
		case si >= o.Streams:
			return fmt.Sprintf("--shard %s has none of the %d streams: give --streams %d or more", f.shard, o.Streams, sn)
		}
		o.Shard = loadgen.Shard{Index: si, Count: sn}
	}
	return ""
}

func loadHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Hostname()
}

// isLoopback is true for localhost and loopback addresses: load on them
// starts without a word.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// describeLoad says what the run is about to do.
func describeLoad(o loadgen.Options) string {
	s := fmt.Sprintf("opening %d streams", o.Streams)
	if o.Shard.Count > 1 {
		s += fmt.Sprintf(" (this shard, %s: %d)", o.Shard, o.Planned())
	}
	if o.Rate > 0 {
		s += fmt.Sprintf(" at %g per second", o.Rate)
	} else {
		s += " at once"
	}
	s += fmt.Sprintf(" for %s", o.Duration)
	if o.Warmup > 0 {
		s += fmt.Sprintf(" (the first %s a warmup)", o.Warmup)
	}
	if o.Events > 0 {
		s += fmt.Sprintf(", each until %d content events", o.Events)
	}
	if o.MCP != nil {
		return s + ", each one MCP session calling " + o.MCP.Tool + " at " + loadHostPath(o.URL)
	}
	return s + ", " + o.Request.Method + " " + loadHostPath(o.URL)
}

func loadHostPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

func printLoad(res *loadgen.Result, format, report string, stdout, stderr io.Writer) int {
	if report != "" {
		if err := writeReport(report, res); err != nil {
			fmt.Fprintf(stderr, "sseready load: --report: %v\n", err)
			return exitInput
		}
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		printLoadText(stdout, res)
	}
	if !res.Outcome.OK() {
		return exitFindings
	}
	return exitOK
}

func writeReport(path string, res *loadgen.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := loadgen.WriteReport(f, res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
