package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/origin"
	"github.com/sseready/terraform-provider-sseready/internal/pathview"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

const proveUsage = `Usage: sseready prove (--chain FILE | --appgw-settings FILE | --apim-policy [SCOPE=]FILE ...) [flags]

Runs a test stream through the settings you deploy, on loopback: the test
origin, an emulated API Management hop (with --apim-policy) and an emulated
Application Gateway in front of it (with --appgw-settings), every clock
--time-scale times faster. --chain reads the whole path instead, as JSON of
sseready_chain_check's input (what sseready check-chain reads): every hop
it gives (Front Door, App Gateway, App Gateway for Containers, API
Management, your Load Balancer rule, Container Apps, App Service, the
Azure OpenAI content filter) with its clocks, and the backend's longest
silence and heartbeat for the test stream unless --silence or --heartbeat
say otherwise. The probe sends what sseready probe sends (--method,
--data, --data-file, --header: an EventSource's GET without them), and
the API Management hop runs its policy for that request: with --data
'{"stream": true}' a chat completions request takes the branch streams
take, return-response answers, an empty <backend> answers with what
<outbound> builds. It reports how each event arrived and, when the
stream failed, which hop cut it and why. Durations are on Azure's clock:
the default stream has a 6-minute silence, longer than the load balancer's
4-minute idle cut, bridged by 20-second heartbeats. --report FILE.html
also draws the proof: each event's passage through each hop over time
(where it was held, where it was cut) and the latency each hop added to
each event; the hops' sockets are then written through a tap that notes
when each event passes (see chainrun.Trace). Exit status: 0 when
the stream arrived as a stream, 1 when it did not, 2 for a wrong command
line or unreadable settings.

Assumptions, where the sources do not say:
%s
Flags:
`

// proveResult is the JSON output of prove.
type proveResult struct {
	// Outcome is the probe's, with what the chain knows (chainrun Blame):
	// the hop that cut, held or buffered is in Probe.Fault.
	Outcome   probe.Outcome  `json:"outcome"`
	OK        bool           `json:"ok"`
	Error     string         `json:"error"`
	Hops      []proveHop     `json:"hops"`
	Cuts      []chainrun.Cut `json:"cuts"`
	TimeScale float64        `json:"time_scale"`
	Probe     probe.Report   `json:"probe"`
}

type proveHop struct {
	Name     string `json:"name"`
	Behavior string `json:"behavior"`
	// Answer is the response the hop sent itself (a return-response, an
	// <outbound> after a <backend> that forwards nothing...), if any.
	Answer *proveAnswer `json:"answer,omitempty"`
	// Warnings are the policy's other findings on the request's path and
	// the conditions it leaves undecided, each with what the hop does.
	Warnings []gateway.PolicyNote `json:"warnings"`
	// Invalid are the policy's syntax errors: APIM does not run the
	// document as written, so the run does not pass.
	Invalid []gateway.PolicyNote `json:"invalid"`
	// NotEmulated are the policy's errors the emulator has no behaviour
	// for (none: every rule has one or a reason to have none).
	NotEmulated []gateway.PolicyNote `json:"not_emulated"`
}

type proveAnswer struct {
	Status int    `json:"status"`
	Why    string `json:"why"`
}

func runProve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var hf hopFlags
	hf.register(fs, chainrun.DefaultTimeScale)
	var o origin.Config
	fs.IntVar(&o.Events, "events", chainrun.DefaultEvents, "events in the stream")
	durationVar(fs, &o.Interval, "interval", chainrun.DefaultInterval, "time between events (Azure's clock)")
	durationVar(fs, &o.Heartbeat, "heartbeat", chainrun.DefaultHeartbeat, "comment heartbeat after this long without output (Azure's clock; 0: none)")
	fs.IntVar(&o.SilenceAfter, "silence-after", chainrun.DefaultSilenceAfter, "after event N, stay silent for --silence (0: never)")
	durationVar(fs, &o.Silence, "silence", chainrun.DefaultSilence, "how long the silence lasts (Azure's clock)")
	var maxLatency time.Duration
	durationVar(fs, &maxLatency, "max-latency", chainrun.DefaultMaxLatency, "relay latency above which an event counts as held (real time)")
	format := fs.String("format", "text", "output format: text or json")
	reportFile := fs.String("report", "", "also write the proof drawn as one self-contained HTML `FILE`: each event's passage through each hop over time, where it was held and where it was cut")
	chainFile := fs.String("chain", "", "the whole path as JSON of sseready_chain_check's input (instead of --apim-policy, --appgw-settings and the rest)")
	fs.IntVar(&hf.filterChunk, "content-filter-chunk", gateway.DefaultContentFilterChunk, "Azure OpenAI content filter (--chain): bytes held before sending in its default mode (an assumption)")
	var rf requestFlags
	rf.register(fs)
	fs.Usage = func() { fmt.Fprintf(stderr, proveUsage, assumptionsHelp()); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fail := func(format string, a ...any) int {
		msg := strings.TrimPrefix(fmt.Sprintf(format, a...), "gateway: ")
		fmt.Fprintf(stderr, "sseready prove: %s\n", msg)
		return exitInput
	}
	switch {
	case fs.NArg() > 0:
		return fail("unexpected argument %q: the settings come as flags", fs.Arg(0))
	case *format != "text" && *format != "json":
		return fail("--format must be text or json, not %q", *format)
	case *chainFile != "" && (len(hf.policies) > 0 || hf.appgw != "" || hf.sku != "" || len(hf.diags) > 0 || len(hf.fragments) > 0):
		return fail("--chain holds every hop's settings: leave out --apim-policy, --apim-fragment, --apim-sku, --apim-diagnostic and --appgw-settings")
	case *chainFile == "" && len(hf.policies) == 0 && hf.appgw == "":
		return fail("give the settings of at least one hop: --chain FILE, --appgw-settings FILE, --apim-policy FILE")
	case hf.scale < 1:
		return fail("--time-scale must be 1 or more, not %g", hf.scale)
	case hf.check() != nil:
		return fail("%v", hf.check())
	case o.Interval <= 0:
		return fail("--interval must be positive")
	case o.Events < 1:
		return fail("--events must be 1 or more")
	case maxLatency <= 0:
		return fail("--max-latency must be positive")
	case hf.filterChunk < 1:
		return fail("--content-filter-chunk must be 1 byte or more, not %d", hf.filterChunk)
	case set["content-filter-chunk"] && *chainFile == "":
		return fail("--content-filter-chunk goes with --chain: only a chain gives an azure_openai hop")
	}
	req, err := rf.request(set, func() ([]byte, error) { return io.ReadAll(stdin) })
	if err != nil {
		return fail("%v", err)
	}
	var hops []chainrun.Hop
	var notes []string
	if *chainFile != "" {
		var err error
		if hops, notes, err = chainHops(*chainFile, &o, set, hf.base()); err != nil {
			return fail("%v", err)
		}
		if len(hops) == 0 {
			return fail("%s gives no hop: there is nothing to emulate (check it with sseready check-chain)", *chainFile)
		}
	} else {
		apim, err := hf.apim()
		if err != nil {
			return fail("%v", err)
		}
		appgw, err := hf.appGW()
		if err != nil {
			return fail("%v", err)
		}
		if appgw != nil {
			cfg := hf.base()
			cfg.AppGW = appgw
			hops = append(hops, chainrun.Hop{Name: "app_gateway", Config: cfg})
		}
		if apim != nil {
			cfg := hf.base()
			cfg.APIM = apim
			hops = append(hops, chainrun.Hop{Name: "apim", Config: cfg})
		}
	}
	out, err := chainrun.Prove(ctx, chainrun.Run{Hops: hops, Stream: o, TimeScale: hf.scale, MaxLatency: maxLatency, Request: req, Trace: *reportFile != ""})
	if err != nil {
		return fail("%v", err)
	}
	if *reportFile != "" {
		if err := writeProof(*reportFile, out, o, req, hf.scale, maxLatency, notes); err != nil {
			fmt.Fprintf(stderr, "sseready prove: %v\n", err)
			return exitInput
		}
	}
	res := proveResult{Outcome: out.Outcome, OK: out.OK, Error: out.Error, Cuts: out.Cuts, TimeScale: hf.scale, Probe: out.Probe}
	if res.Cuts == nil {
		res.Cuts = []chainrun.Cut{}
	}
	for _, h := range out.Hops {
		ph := proveHop{Name: h.Name, Behavior: h.Behavior.String(), Warnings: append([]gateway.PolicyNote{}, h.Behavior.Warnings...),
			Invalid: append([]gateway.PolicyNote{}, h.Behavior.Invalid...), NotEmulated: append([]gateway.PolicyNote{}, h.Behavior.NotEnacted...)}
		if a := h.Behavior.Answer; a != nil && h.Behavior.Refuse == "" {
			ph.Answer = &proveAnswer{Status: a.Status, Why: a.Why}
		}
		res.Hops = append(res.Hops, ph)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false) // keep <, > and & as written: pipelines grep for them
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		for _, n := range notes {
			fmt.Fprintln(stdout, n)
		}
		printProve(stdout, res, o, req)
	}
	if !res.OK {
		return exitFindings
	}
	return exitOK
}

// printProve prints the result in lines of at most about 60 characters,
// so two fit side by side.
func printProve(w io.Writer, res proveResult, azure origin.Config, req probe.Request) {
	fmt.Fprintf(w, "request: %s\n", describeRequest(req))
	for _, h := range res.Hops {
		fmt.Fprintf(w, "%s: %s\n", h.Name, wrap(h.Behavior, 60-len(h.Name)-2))
		if h.Answer != nil {
			fmt.Fprintf(w, "  %s\n", wrap(fmt.Sprintf("answers %d itself: %s", h.Answer.Status, h.Answer.Why), 58))
		}
		for _, n := range h.Warnings {
			fmt.Fprintf(w, "  %s\n", wrap("note: "+n.String(), 58))
		}
		for _, e := range h.Invalid {
			fmt.Fprintf(w, "  %s\n", wrap("error, not valid as written: "+e.String(), 58))
		}
		for _, e := range h.NotEmulated {
			fmt.Fprintf(w, "  %s\n", wrap("error, not emulated: "+e.String(), 58))
		}
	}
	fmt.Fprintf(w, "clocks %gx: the 4-minute idle cut takes %s\n", res.TimeScale,
		time.Duration(float64(gateway.LoadBalancerIdle)/res.TimeScale).Round(time.Millisecond))
	fmt.Fprintf(w, "stream: %d events %s apart, heartbeat %s,\n", azure.Events, azure.Interval, orNone(azure.Heartbeat))
	if azure.SilenceAfter > 0 {
		fmt.Fprintf(w, "  %s of silence after event %d\n", azure.Silence, azure.SilenceAfter)
	}
	rep := res.Probe
	if rep.Status != 0 {
		fmt.Fprintf(w, "status %d, headers after %.1f ms\n", rep.Status, rep.HeadersMS)
	}
	for i, e := range rep.Events {
		lat := "-"
		if e.LatencyMS != nil {
			lat = fmt.Sprintf("%.1f ms", *e.LatencyMS)
		}
		fmt.Fprintf(w, "event %-2d at %8.1f ms, latency %s\n", i+1, e.ArrivalMS, lat)
	}
	fmt.Fprintf(w, "%d events, %d heartbeats\n", len(rep.Events), rep.Heartbeats)
	if g := rep.GapMS; g != nil {
		fmt.Fprintf(w, "gaps p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", g.P50, g.P95, g.Max)
	}
	for _, c := range res.Cuts {
		line := c.Hop + " cut the stream: " + c.Reason
		if c.Silent {
			line = c.Hop + " dropped the stream silently: " + c.Reason + "; the client's connection stays open and hears nothing more"
		}
		fmt.Fprintf(w, "%s\n", wrap(line, 60))
	}
	fmt.Fprintf(w, "%s\n", wrap(outcomeLine(rep), 60))
	if res.OK {
		fmt.Fprintln(w, "ok: every event arrived as it was sent")
	} else {
		fmt.Fprintf(w, "not ok: %s\n", wrap(res.Error, 52))
	}
}

func orNone(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	return d.String()
}

// wrap breaks s at spaces into lines of about width, indenting the rest.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && line+1+len(word) > width {
			b.WriteString("\n  ")
			line = 2
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

// chainHops reads --chain FILE (chaincheck.Decode, as check-chain and the
// provider read it) into the emulated hops (chainrun.FromChain), and the
// backend's timings into the test stream unless their flags were given.
func chainHops(file string, o *origin.Config, set map[string]bool, base gateway.Config) ([]chainrun.Hop, []string, error) {
	c, errs, err := readChain(file, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("--chain %s: %w", file, err)
	}
	if len(errs) == 0 {
		// The documents parse and one policy stands per scope: the
		// chain check's own reading of them.
		_, errs = chaincheck.Check(c)
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("--chain %s: %s", file, errs[0])
	}
	hops, notes, err := chainrun.FromChain(&c, base)
	if err != nil {
		return nil, nil, fmt.Errorf("--chain %s: %w", file, err)
	}
	chainrun.BackendStream(&c, o, set["silence"], set["heartbeat"])
	return hops, notes, nil
}

// writeProof draws the proof into file (--report), through a temporary
// file beside it.
func writeProof(file string, res chainrun.Result, azure origin.Config, req probe.Request, scale float64, maxLatency time.Duration, notes []string) error {
	stream := fmt.Sprintf("The test stream: %d events %s apart, heartbeat %s", azure.Events, azure.Interval, orNone(azure.Heartbeat))
	if azure.SilenceAfter > 0 {
		stream += fmt.Sprintf(", %s of silence after event %d", azure.Silence, azure.SilenceAfter)
	}
	pr := pathview.Proof{Title: "sseready prove", Result: res, TimeScale: scale, MaxLatency: maxLatency, Stream: stream,
		Request: describeRequest(req), Notes: notes}
	return writeFileVia(file, func(w io.Writer) error { return pathview.WriteProof(w, pr) })
}
