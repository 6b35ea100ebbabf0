package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/pathview"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/report"
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
log for code scanning, each result at the resource address in FILE;
--format markdown a summary table for a pull request comment or a GitHub
job summary. --report FILE.html also draws each path hop by hop: each
hop's resource and clocks against the stream's silence and heartbeat, the
policies API Management composes, each finding at its hop with its fix,
the APIs that stream first.
Exit status: 0 when no path has an error (warnings and info do not
count), 1 when a finding is an error, 2 when FILE cannot be read, a value
is one no gateway accepts, a policy does not parse, or a flag is wrong.

Flags:
`

// planPathJSON is one path in --format json. Its findings and errors are
// in package report's shape, placed on resource addresses and attributes;
// they hold on this path, so they do not list it.
type planPathJSON struct {
	API       string           `json:"api"`
	Path      string           `json:"path"`
	Ready     bool             `json:"ready"`
	Complete  bool             `json:"complete"`
	Unknown   []planPlaceJSON  `json:"unknown"`
	Findings  []report.Finding `json:"findings"`
	Errors    []report.Problem `json:"errors,omitempty"`
	Notes     []string         `json:"notes,omitempty"`
	Resources []string         `json:"resources"`
	// Streaming is whether the path's API streams (yes, no, unknown; ""
	// for a path with no API), StreamingEvidence why.
	Streaming         string   `json:"streaming"`
	StreamingEvidence []string `json:"streaming_evidence"`
}

// planPlaceJSON is a value not known until apply, named as a finding's
// place is.
type planPlaceJSON struct {
	Address   string `json:"address,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	// Source says where a backend setting came from (no address).
	Source string `json:"source,omitempty"`
}

// planBackendFlags are the flags of what a plan cannot hold, by the
// backend setting they give.
var planBackendFlags = []struct{ flag, key, usage string }{
	{"max-event-gap", "max_event_gap", "the longest silence the backend keeps without an event, the silence before the first event included (a reasoning model thinking), such as 6m"},
	{"heartbeat", "heartbeat_interval", "how often the backend sends a comment heartbeat when no event goes out, such as 20s"},
	{"max-time-to-headers", "max_time_to_headers", "the longest the backend takes to send its response headers, such as 90s"},
}

func runCheckPlan(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", formatsHelp)
	reportFile := addReportFlag(fs)
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
	case !knownFormat(*format):
		return planUsageError(stderr, "--format must be text, json, sarif or markdown, not %q", *format)
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
		display = report.Stdin
	}
	data, err := planReadInput(name, stdin)
	var plan *tfplan.Plan
	if err == nil {
		plan, err = tfplan.Read(data)
	}
	if err != nil {
		problem := report.Problem{File: display, Message: err.Error()}
		_ = report.ProblemText(stderr, problem)
		var werr error
		switch *format {
		case "sarif":
			werr = writePlanSARIF(stdout, display, nil, []report.Problem{problem})
		case "markdown":
			werr = writeMarkdown(stdout, "sseready check-plan: "+display, []report.Section{{Name: display, Problems: []report.Problem{problem}}})
		}
		if werr == nil && *reportFile != "" {
			werr = writePage(*reportFile, pathview.Page{Title: "sseready check-plan: " + display, Problems: []report.Problem{problem}})
		}
		if werr != nil {
			fmt.Fprintf(stderr, "sseready: %v\n", werr)
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
			out = append(out, planPathToJSON(display, p))
		}
		err = report.JSON(stdout, out)
	case "sarif":
		err = writePlanSARIF(stdout, display, rep.Paths, nil)
	case "markdown":
		err = writeMarkdown(stdout, "sseready check-plan: "+display, planSections(display, rep))
	default:
		for _, p := range rep.Paths {
			printPlanPath(stdout, display, p)
		}
	}
	if err == nil && *reportFile != "" {
		err = writePage(*reportFile, planPage(display, rep))
	}
	if err != nil {
		fmt.Fprintf(stderr, "sseready: %v\n", err)
		return exitInput
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

// printPlanPath writes a path's header line, then its input errors,
// findings and notes, one line each.
func printPlanPath(w io.Writer, file string, p tfplan.Path) {
	fmt.Fprintf(w, "== %s (%s): %s%s\n", p.Label, p.API, planVerdict(p), planStreaming(p))
	for _, e := range p.Errors {
		_ = report.ProblemText(w, planProblem(file, e))
	}
	for _, f := range p.Findings {
		_ = report.Text(w, planFinding(file, f))
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

func planPathToJSON(file string, p tfplan.Path) planPathJSON {
	out := planPathJSON{
		API: p.API, Path: p.Label, Ready: p.Ready && len(p.Errors) == 0, Complete: p.Complete && len(p.Errors) == 0,
		Unknown: []planPlaceJSON{}, Findings: []report.Finding{}, Notes: p.Notes, Resources: p.Resources,
		Streaming: string(p.Streaming), StreamingEvidence: nonNil(p.StreamingEvidence),
	}
	for _, u := range p.Unknown {
		out.Unknown = append(out.Unknown, planPlaceJSON{Address: u.Address, Attribute: u.Attribute, Source: u.Source})
	}
	for _, f := range p.Findings {
		out.Findings = append(out.Findings, planFinding(file, f))
	}
	for _, e := range p.Errors {
		out.Errors = append(out.Errors, planProblem(file, e))
	}
	return out
}

// planFinding is a finding of the plan (file) on the resource attribute
// that holds its setting; its line and column are in the document there.
func planFinding(file string, f tfplan.Finding) report.Finding {
	rf := report.FromRule(f.Finding)
	rf.File, rf.Address, rf.Attribute, rf.Source = file, f.At.Address, f.At.Attribute, f.At.Source
	return rf
}

// planProblem is an input error of the plan (file) on its resource
// attribute; a setting no resource holds is named as the chain names it.
func planProblem(file string, e tfplan.Error) report.Problem {
	p := report.Problem{File: file, Address: e.At.Address, Attribute: e.At.Attribute, Line: e.Line, Column: e.Column, Message: e.Message}
	if e.At.Address == "" {
		p.Setting = e.At.String()
	}
	return p
}

// writePlanSARIF writes the findings of every path, and the problems, as
// one SARIF log in file: a finding on several paths (a global policy's)
// is one result, with each path's API as a related location, once per
// verdict on whether the API streams (report.Merge).
func writePlanSARIF(w io.Writer, file string, paths []tfplan.Path, problems []report.Problem) error {
	var findings []report.Finding
	for _, p := range paths {
		for _, e := range p.Errors {
			problems = append(problems, planProblem(file, e))
		}
		var on []report.Path
		if p.Streaming != "" {
			on = []report.Path{{Path: p.Label, API: p.API, Streaming: string(p.Streaming), StreamingEvidence: nonNil(p.StreamingEvidence)}}
		}
		for _, f := range p.Findings {
			rf := planFinding(file, f).OnPaths(on)
			if p.API != "" {
				rf.Related = []sarifreport.Location{{Address: p.API, Note: "on the path " + p.Label}}
			}
			findings = append(findings, rf)
		}
	}
	return report.SARIF(w, version, report.Merge(findings), problems)
}

// planSections are the plan's paths for the markdown summary.
func planSections(file string, rep tfplan.Report) []report.Section {
	var out []report.Section
	for _, p := range rep.Paths {
		sec := report.Section{Name: p.Label, Streaming: string(p.Streaming), StreamingEvidence: p.StreamingEvidence,
			Ready: p.Ready && len(p.Errors) == 0, Findings: []report.Finding{}}
		for _, f := range p.Findings {
			sec.Findings = append(sec.Findings, planFinding(file, f))
		}
		for _, e := range p.Errors {
			sec.Problems = append(sec.Problems, planProblem(file, e))
		}
		out = append(out, sec)
	}
	return out
}

// planPage is the plan's paths drawn hop by hop (--report).
func planPage(file string, rep tfplan.Report) pathview.Page {
	pg := pathview.Page{Title: "sseready check-plan: " + file, Notes: rep.Notes}
	for _, p := range rep.Paths {
		var fs []report.Finding
		for _, f := range p.Findings {
			fs = append(fs, planFinding(file, f))
		}
		var problems []report.Problem
		for _, e := range p.Errors {
			problems = append(problems, planProblem(file, e))
		}
		pg.Paths = append(pg.Paths, pathview.FromPlanPath(p, fs, problems, "give the backend's max_event_gap and heartbeat with --max-event-gap and --heartbeat, or --profile"))
	}
	if n := len(rep.NotOnPath); n > 0 {
		pg.Notes = append(pg.Notes, fmt.Sprintf("%d %s on no stream's path, not checked: %s", n, planPlural(n, "resource", "resources"), strings.Join(rep.NotOnPath, ", ")))
	}
	return pg
}
