package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
	"github.com/sseready/terraform-provider-sseready/internal/tfplan"
)

const checkPlanUsage = `Usage: sseready check-plan [flags] FILE|-

Checks the azurerm resources of a Terraform plan or state for Server-Sent
Events: FILE is the output of
  terraform show -json PLANFILE      (a saved plan: terraform plan -out=PLANFILE)
  terraform show -json               (the state)
check-plan links API Management's policies (global, product, API,
operation), fragments and diagnostics, and the Application Gateway and
Front Door in front, into each API's request paths, and checks each path
as sseready_chain_check does. A finding names the resource and attribute
that holds the setting:
  ADDRESS.attribute[:line:column]: severity RULE: message
(line and column inside the policy document) under a header line per
path. A value not known until apply is reported as unknown, not as a
failure. What a plan cannot hold (the stream's longest silence, its
heartbeat, the backend's headers) comes from the flags or --profile.

Which APIs stream is decided per API (--streaming auto, the default): from
its operations' URL templates and response media types, its backends (an
Azure OpenAI account, through a backend entity too), the LLM and
streaming policies on its paths, a <!-- sseready:streams --> or
<!-- sseready:no-stream --> comment at the top of its policy, or
--stream-api NAME. Findings on an API's paths follow it, those of a
shared Front Door, App Gateway or global policy included: errors stay
errors on an API that streams, become warnings ("if this API streams")
when nothing says, and info on one that does not stream. The path's
header says why; --streaming all holds every API to the streaming rules.

--format json prints one object per path; --format sarif a SARIF 2.1.0
log for code scanning, each result at the resource address in FILE.
Exit status: 0 when no path has an error (warnings and info do not
count), 1 when a finding is an error, 2 when FILE cannot be read, a value
is one no gateway accepts, a policy does not parse, or a flag is wrong.

Flags:
`

// planPathJSON is one path in --format json.
type planPathJSON struct {
	API       string            `json:"api"`
	Path      string            `json:"path"`
	Ready     bool              `json:"ready"`
	Complete  bool              `json:"complete"`
	Unknown   []planPlaceJSON   `json:"unknown"`
	Findings  []planFindingJSON `json:"findings"`
	Errors    []planErrorJSON   `json:"errors,omitempty"`
	Notes     []string          `json:"notes,omitempty"`
	Resources []string          `json:"resources"`
	// Streaming is whether the path's API streams (yes, no, unknown; ""
	// for a path with no API), StreamingEvidence why.
	Streaming         string   `json:"streaming"`
	StreamingEvidence []string `json:"streaming_evidence"`
}

type planPlaceJSON struct {
	Address   string `json:"address"`
	Attribute string `json:"attribute"`
	// Source says where a backend setting came from (no address).
	Source string `json:"source,omitempty"`
}

type planFindingJSON struct {
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	Hop       string `json:"hop"`
	Address   string `json:"address"`
	Attribute string `json:"attribute"`
	Source    string `json:"source,omitempty"`
	// Setting is the chain's path of the setting, as check-chain names it.
	Setting string `json:"setting"`
	// Line and Column are inside the policy document (xml_content, or the
	// fragment's value), with its Element and XMLAttribute.
	Line         int    `json:"line,omitempty"`
	Column       int    `json:"column,omitempty"`
	Element      string `json:"element,omitempty"`
	XMLAttribute string `json:"xml_attribute,omitempty"`
	Fragment     string `json:"fragment,omitempty"`
	Reason       string `json:"reason,omitempty"`
}

type planErrorJSON struct {
	Address   string `json:"address"`
	Attribute string `json:"attribute"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	Message   string `json:"message"`
}

// planBackendFlags are the flags of what a plan cannot hold, by the
// backend setting they give.
var planBackendFlags = []struct{ flag, key, usage string }{
	{"max-event-gap", "max_event_gap", "the longest silence between two events the backend sends, such as 6m"},
	{"heartbeat", "heartbeat_interval", "how often the backend sends a comment heartbeat when no event goes out, such as 20s"},
	{"max-time-to-headers", "max_time_to_headers", "the longest the backend takes to send its response headers, such as 90s"},
}

func runCheckPlan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text, json or sarif (SARIF 2.1.0, for code scanning)")
	profile := fs.String("profile", "", "a JSON `FILE` of sseready_stream_profile's inputs (max_event_gap, heartbeat_interval, max_time_to_headers, tcp_keepalive; jsonencode() of the data source reads too), and the backend's response_headers; the flags override it")
	streaming := addStreamingFlags(fs)
	durations := make([]time.Duration, len(planBackendFlags))
	for i, f := range planBackendFlags {
		durationVar(fs, &durations[i], f.flag, 0, f.usage)
	}
	fs.Usage = func() { fmt.Fprint(stderr, checkPlanUsage); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitInput
	}
	switch {
	case *format != "text" && *format != "json" && *format != "sarif":
		return planUsageError(stderr, "--format must be text, json or sarif, not %q", *format)
	case len(files) != 1:
		return planUsageError(stderr, "give one FILE (or - for standard input), not %d", len(files))
	case *profile == "-" && files[0] == "-":
		return planUsageError(stderr, "standard input (-) can be read once: give the profile as a file")
	}
	streamOpts, err := streaming.options()
	if err != nil {
		return planUsageError(stderr, "--streaming: %v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	opts := tfplan.Options{Backend: map[string]any{}, BackendSource: map[string]string{
		"max_event_gap":       "not given: use --max-event-gap or --profile",
		"heartbeat_interval":  "not given: use --heartbeat or --profile",
		"max_time_to_headers": "not given: use --max-time-to-headers or --profile",
		"tcp_keepalive":       "not given: tcp_keepalive in --profile",
		"response_headers":    "not given: response_headers in --profile",
	}, Streaming: streamOpts}
	if *profile != "" {
		data, err := planReadInput(*profile, stdin)
		if err != nil {
			return planUsageError(stderr, "--profile: %v", err)
		}
		v, err := plain.FromJSON(data)
		if err != nil {
			return planUsageError(stderr, "--profile %s: %v: give JSON of sseready_stream_profile's inputs", *profile, err)
		}
		be, errs := streamprofile.ReadProfile(v)
		if len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintf(stderr, "%s: error: %v\n", *profile, e)
			}
			return exitInput
		}
		for k, v := range be {
			opts.Backend[k], opts.BackendSource[k] = v, *profile
		}
	}
	for i, f := range planBackendFlags {
		if !set[f.flag] {
			continue
		}
		if durations[i] == 0 {
			return planUsageError(stderr, "--%s: zero is no length of time: give one such as %q, or leave the flag out", f.flag, "90s")
		}
		opts.Backend[f.key], opts.BackendSource[f.key] = durations[i].String(), "--"+f.flag
	}

	name := files[0]
	display := name
	if name == "-" {
		display = "<stdin>"
	}
	data, err := planReadInput(name, stdin)
	var plan *tfplan.Plan
	if err == nil {
		plan, err = tfplan.Read(data)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", display, err)
		if *format == "sarif" {
			problem := sarifreport.Problem{At: sarifreport.Location{File: planSarifFile(name)}, Message: err.Error()}
			if werr := writePlanSARIF(stdout, name, nil, []sarifreport.Problem{problem}); werr != nil {
				fmt.Fprintf(stderr, "sseready: %v\n", werr)
			}
		}
		return exitInput
	}
	rep := tfplan.Check(plan, opts)

	// Errors count, and only errors: a path's Ready counts the errors left
	// once its findings follow whether its API streams.
	code := exitOK
	for _, p := range rep.Paths {
		switch {
		case len(p.Errors) > 0:
			code = exitInput
		case !p.Ready && code == exitOK:
			code = exitFindings
		}
	}
	switch *format {
	case "json":
		out := make([]planPathJSON, 0, len(rep.Paths))
		for _, p := range rep.Paths {
			out = append(out, planPathToJSON(p))
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false) // keep <, > and & as written: pipelines grep for them
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "sseready: %v\n", err)
			return exitInput
		}
	case "sarif":
		if err := writePlanSARIF(stdout, name, rep.Paths, nil); err != nil {
			fmt.Fprintf(stderr, "sseready: %v\n", err)
			return exitInput
		}
	default:
		for _, p := range rep.Paths {
			printPlanPath(stdout, p)
		}
	}
	printPlanSummary(stderr, display, rep)
	return code
}

func planUsageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "sseready check-plan: "+format+"\n", args...)
	return exitInput
}

// planReadInput reads a file, or standard input for "-".
func planReadInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

func planSarifFile(name string) string {
	if name == "-" {
		return sarifreport.Stdin
	}
	return name
}

// planVerdict says how a path stands, for the header line.
func planVerdict(p tfplan.Path) string {
	errs, warns := 0, 0
	for _, f := range p.Findings {
		switch f.Severity {
		case rules.Error:
			errs++
		case rules.Warning:
			warns++
		}
	}
	var s string
	switch {
	case len(p.Errors) > 0:
		s = fmt.Sprintf("not checked: %d input %s", len(p.Errors), planPlural(len(p.Errors), "error", "errors"))
	case !p.Ready:
		s = fmt.Sprintf("not ready: %d %s", errs, planPlural(errs, "error", "errors"))
	default:
		s = "ready"
	}
	if warns > 0 && len(p.Errors) == 0 {
		s += fmt.Sprintf(", %d %s", warns, planPlural(warns, "warning", "warnings"))
	}
	if len(p.Unknown) > 0 {
		s += fmt.Sprintf(", %d %s not known until apply", len(p.Unknown), planPlural(len(p.Unknown), "value", "values"))
	}
	return s
}

func planPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// planPlaceText writes a place as the text format names it: ADDRESS.attribute,
// or backend.setting (where it came from).
func planPlaceText(at tfplan.Place) string {
	if at.Address == "" && at.Source != "" {
		return at.String() + " (" + at.Source + ")"
	}
	return at.String()
}

// planStreaming says, for the header line, whether the path's API streams
// and why: the first reason, and how many more there are.
func planStreaming(p tfplan.Path) string {
	var s string
	switch p.Streaming {
	case streamapi.Yes:
		s = "streams"
	case streamapi.No:
		s = "does not stream"
	case streamapi.Unknown:
		s = "may stream"
	default:
		return ""
	}
	if len(p.StreamingEvidence) > 0 {
		s += ": " + p.StreamingEvidence[0]
	}
	if n := len(p.StreamingEvidence) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d more)", n)
	}
	return "; " + s
}

func printPlanPath(w io.Writer, p tfplan.Path) {
	fmt.Fprintf(w, "== %s (%s): %s%s\n", p.Label, p.API, planVerdict(p), planStreaming(p))
	for _, e := range p.Errors {
		pos := ""
		if e.Line > 0 {
			pos = fmt.Sprintf(":%d:%d", e.Line, e.Column)
		}
		fmt.Fprintf(w, "%s%s: error: %s\n", planPlaceText(e.At), pos, e.Message)
	}
	for _, f := range p.Findings {
		pos := ""
		if f.Line > 0 {
			pos = fmt.Sprintf(":%d:%d", f.Line, f.Column)
		}
		reason := ""
		if f.Reason != "" {
			reason = " (accepted: " + f.Reason + ")"
		}
		fmt.Fprintf(w, "%s%s: %s %s: %s%s\n", planPlaceText(f.At), pos, f.Severity, f.Rule, f.Message, reason)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func printPlanSummary(w io.Writer, file string, rep tfplan.Report) {
	ready := 0
	for _, p := range rep.Paths {
		if p.Ready && len(p.Errors) == 0 {
			ready++
		}
	}
	if len(rep.Paths) == 0 {
		fmt.Fprintf(w, "%s: no stream path: no azurerm_api_management_api, azurerm_application_gateway or azurerm_cdn_frontdoor_profile in this %s\n", file, rep.Kind)
	} else {
		fmt.Fprintf(w, "%s: %d %s checked, %d ready\n", file, len(rep.Paths), planPlural(len(rep.Paths), "path", "paths"), ready)
	}
	if n := len(rep.NotOnPath); n > 0 {
		list := rep.NotOnPath
		more := ""
		if len(list) > 12 {
			list, more = list[:12], fmt.Sprintf(" and %d more", n-12)
		}
		fmt.Fprintf(w, "%s: %d %s not on a stream's path: %s%s\n", file, n, planPlural(n, "resource", "resources"), strings.Join(list, ", "), more)
	}
	if rep.Destroyed > 0 {
		fmt.Fprintf(w, "%s: %d %s the plan destroys not checked\n", file, rep.Destroyed, planPlural(rep.Destroyed, "resource", "resources"))
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "%s: note: %s\n", file, n)
	}
}

func planPathToJSON(p tfplan.Path) planPathJSON {
	out := planPathJSON{
		API: p.API, Path: p.Label, Ready: p.Ready && len(p.Errors) == 0, Complete: p.Complete && len(p.Errors) == 0,
		Unknown: []planPlaceJSON{}, Findings: []planFindingJSON{}, Notes: p.Notes, Resources: p.Resources,
		Streaming: string(p.Streaming), StreamingEvidence: append([]string{}, p.StreamingEvidence...),
	}
	for _, u := range p.Unknown {
		out.Unknown = append(out.Unknown, planPlaceJSON{Address: u.Address, Attribute: u.Attribute, Source: u.Source})
	}
	for _, f := range p.Findings {
		out.Findings = append(out.Findings, planFindingJSON{
			Rule: f.Rule, Severity: string(f.Severity), Message: f.Message, Hop: f.Hop,
			Address: f.At.Address, Attribute: f.At.Attribute, Source: f.At.Source, Setting: f.Setting,
			Line: f.Line, Column: f.Column, Element: planXMLElement(f), XMLAttribute: f.Attribute, // the policy's, not At.Attribute
			Fragment: f.Fragment, Reason: f.Reason,
		})
	}
	for _, e := range p.Errors {
		out.Errors = append(out.Errors, planErrorJSON{Address: e.At.Address, Attribute: e.At.Attribute, Line: e.Line, Column: e.Column, Message: e.Message})
	}
	return out
}

// planXMLElement is the policy element of a finding inside a document; the
// chain's own findings name their setting there instead.
func planXMLElement(f tfplan.Finding) string {
	if f.Line == 0 && f.Element == f.Setting {
		return ""
	}
	return f.Element
}

// writePlanSARIF writes the findings of every path as one SARIF log: a
// finding on several paths (a global policy's) is one result, with each
// path's API as a related location, once per verdict on whether the API
// streams: its properties say "streaming" (the verdict) and
// "streaming_evidence" (the reasons of the APIs it stands for).
func writePlanSARIF(w io.Writer, file string, paths []tfplan.Path, problems []sarifreport.Problem) error {
	wd, _ := os.Getwd() // empty on error: paths are written as given
	l := sarifreport.Log{ToolName: "sseready", Version: version, WorkDir: wd, Problems: problems}
	index := map[string]int{}
	related := map[string]map[string]bool{}
	type streamingProps struct {
		verdict  string
		evidence []string
		set      bool
	}
	var props []streamingProps
	for _, p := range paths {
		for _, e := range p.Errors {
			msg := e.Message
			if e.Line > 0 {
				msg = fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, msg)
			}
			l.Problems = append(l.Problems, sarifreport.Problem{At: planLocation(file, e.At), Message: fmt.Sprintf("%s: %s", p.Label, msg)})
		}
		for _, f := range p.Findings {
			key := strings.Join([]string{f.Rule, string(f.Severity), f.At.String(), fmt.Sprint(f.Line, ":", f.Column), f.Fragment, f.Message, string(p.Streaming)}, "\x00")
			i, seen := index[key]
			if !seen {
				i = len(l.Results)
				index[key] = i
				related[key] = map[string]bool{}
				props = append(props, streamingProps{verdict: string(p.Streaming)})
				fd := f.Finding
				fd.Element = planXMLElement(f)
				if f.Line > 0 {
					// The place in the document: the plan file has no line for it.
					fd.Message = fmt.Sprintf("%s:%d:%d: %s", f.At.Attribute, f.Line, f.Column, f.Message)
				}
				l.Results = append(l.Results, sarifreport.Result{Finding: fd, At: planLocation(file, f.At)})
			}
			if p.API != "" && !related[key][p.Label] {
				related[key][p.Label] = true
				l.Results[i].Related = append(l.Results[i].Related, sarifreport.Location{Address: p.API, Note: "on the path " + p.Label})
			}
			props[i].set = props[i].set || len(p.StreamingEvidence) > 0
			for _, e := range p.StreamingEvidence {
				if !slices.Contains(props[i].evidence, e) {
					props[i].evidence = append(props[i].evidence, e)
				}
			}
		}
	}
	rep, err := sarifreport.Build(l)
	if err != nil {
		return err
	}
	// sarifreport writes the finding's own properties; the verdict on the
	// API is check-plan's, added to each result built from l.Results.
	if len(rep.Runs) == 1 && len(rep.Runs[0].Results) == len(props) {
		for i, res := range rep.Runs[0].Results {
			if !props[i].set {
				continue
			}
			if res.Properties == nil {
				res.Properties = sarif.NewPropertyBag()
			}
			res.Properties.Add("streaming", props[i].verdict).Add("streaming_evidence", props[i].evidence)
		}
	}
	return sarifreport.Write(w, rep)
}

// planLocation is a place in the plan file: the resource address and
// attribute, or the backend setting (a flag or the profile).
func planLocation(file string, at tfplan.Place) sarifreport.Location {
	loc := sarifreport.Location{File: planSarifFile(file), Address: at.String()}
	if at.Address == "" {
		loc.AddressKind = "parameter"
		if at.Source != "" {
			loc.Note = at.Source
		}
	}
	return loc
}
