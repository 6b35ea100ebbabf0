package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

const lintUsage = `Usage: sseready lint [flags] FILE|DIR...

Checks APIM policy documents for what breaks Server-Sent Events streams.
FILE may be - for standard input. A DIR is an APIOps tree (the folders the
APIOps extractor writes): every request path in it is checked as APIM runs
it, the global, workspace, product, API and operation policies composed,
fragments from its "policy fragments", its diagnostics with them; each
file gets its scope from its place, and a finding names the file that
holds it and the paths it holds on. In a DIR each API's findings follow
whether it streams (--streaming, --stream-api): errors on an API whose
sources do not say are warnings, on one that does not stream info. A
FILE may be a <policies> document, a <fragment>, or a snippet of policies
with no root (checked as a fragment, with a warning). Findings print as
  file:line:column: severity RULE: message
(a finding inside a fragment given with --fragment names the fragment's
file). Exit status: 0 when every file is ready, 1 when any has an error
finding, 2 when any input cannot be read or parsed.

--format json prints one object per FILE (for a DIR, one per file with
findings and last one for the DIR, whose "paths" list the request paths
checked with "streaming" and "streaming_evidence"); --format sarif prints
a SARIF 2.1.0 log for code scanning (GitHub's upload-sarif): one rule per
entry of the catalogue, accepted findings as suppressed results, inputs
that cannot be read or parsed as notifications of an unsuccessful run
(exit status 2).

An API's policy whose <backend> only says <base /> is right when the
global policy streams: --global FILE (and --product FILE) check each FILE
composed under those policies, as a tree's request path is, and report
their findings at their own files.

Accept a known finding with --accept, or in the policy itself with
  <!-- sseready:accept SSE103 the health endpoint answers itself -->
before the element it is about (at the top: the whole document). Accepted
findings are still printed, with severity "accepted" and the reason.

Flags:
`

// jsonFinding is one finding in --format json.
type jsonFinding struct {
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Element   string `json:"element"`
	Attribute string `json:"attribute,omitempty"`
	Hop       string `json:"hop"`
	// Fragment is the fragment-id and FragmentFile its file, for a finding
	// inside a fragment given with --fragment (Line and Column are there).
	Fragment     string `json:"fragment,omitempty"`
	FragmentFile string `json:"fragment_file,omitempty"`
	// Reason is why the finding was accepted (severity "accepted").
	Reason string `json:"reason,omitempty"`
	// Paths are, in an APIOps tree, the request paths the finding was
	// found on ("product starter > api chat > operation stream").
	Paths []string `json:"paths,omitempty"`
	// acceptedBy says, for SARIF, whether an accepted finding was accepted
	// in the document (an inline comment) or by --accept.
	acceptedBy sarifreport.Suppression
	// streams are, in an APIOps tree, Paths with their APIs' verdicts, for
	// SARIF.
	streams []sarifreport.PathStreaming
}

// jsonFile is one input in --format json.
type jsonFile struct {
	File     string        `json:"file"`
	Ready    bool          `json:"ready"`
	Findings []jsonFinding `json:"findings"`
	// Error is set when the file cannot be read or parsed.
	Error string `json:"error,omitempty"`
	// errPos and errMsg place a parse error for the text format.
	errPos apimpolicy.Pos
	errMsg string
	// path is the file as given (- for standard input), for SARIF.
	path string
	// applied counts the safe fixes --fix or -w applied.
	applied int
	// Paths are, for an APIOps tree (the object of the DIR itself), the
	// request paths checked, each with whether its API streams.
	Paths []jsonPath `json:"paths,omitempty"`
}

type lintOptions struct {
	scope  apimcheck.Scope
	format string
	fix    bool
	write  bool
	check  apimcheck.Options
	// fragmentFiles maps a fragment-id to the file it was read from.
	fragmentFiles map[string]string
	// fragmentProblems are the fragments that cannot be read or parsed,
	// for SARIF.
	fragmentProblems []sarifreport.Problem
	// acceptedByFlag holds the rules given with --accept: an accepted
	// finding of another rule was accepted by a comment in the document.
	acceptedByFlag map[string]bool
	// above are the --global and --product policies each FILE is
	// composed under.
	above scopesAbove
	// streaming says which APIs of a DIR stream (--streaming, --stream-api).
	streaming streamapi.Options
}

func runLint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scope := fs.String("scope", "api", "where the policies are attached: global, workspace, product, api or operation")
	format := fs.String("format", "text", "output format: text, json or sarif (SARIF 2.1.0, for code scanning)")
	fix := fs.Bool("fix", false, "print the document with the safe fixes applied (one FILE; findings go to standard error)")
	write := fs.Bool("w", false, "write the safe fixes back to each FILE")
	var above scopesAbove
	fs.StringVar(&above.global, "global", "", "the global (All APIs) policy `FILE`: each FILE is checked composed under it, as APIM runs it")
	fs.StringVar(&above.product, "product", "", "a product's policy `FILE`: each FILE (an API's policy) is checked composed under it (and --global)")
	var fragments, accepts stringList
	fs.Var(&fragments, "fragment", "a policy fragment's document, as `NAME=FILE` (NAME is its fragment-id): include-fragment of it is checked as if its policies stood there (repeatable)")
	fs.Var(&accepts, "accept", "accept a rule's findings in every FILE, as `RULE` or \"RULE: reason\" (repeatable); they print as accepted, with the reason")
	streaming := addStreamingFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, lintUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitInput
	}
	var opts lintOptions
	opts.fix, opts.write, opts.format = *fix, *write, *format
	if opts.scope, err = apimcheck.ParseScope(*scope); err != nil {
		return usageError(stderr, "--scope: %v", err)
	}
	if opts.streaming, err = streaming.options(); err != nil {
		return usageError(stderr, "--streaming: %v", err)
	}
	noteStreamingFlags(fs, files, stderr)
	opts.check = apimcheck.Options{Scope: opts.scope, AcceptedFrom: "by --accept"}
	opts.above = above
	if err := opts.above.load(opts.scope); err != nil {
		return usageError(stderr, "%v", err)
	}
	opts.acceptedByFlag = map[string]bool{}
	for _, a := range accepts {
		acc, err := rules.ParseAcceptance(a)
		if err != nil {
			return usageError(stderr, "--accept %q: %v", a, err)
		}
		opts.check.Accepted = append(opts.check.Accepted, acc)
		opts.acceptedByFlag[acc.Rule] = true
	}
	if code := readFragments(fragments, &opts, stderr); code != exitOK {
		if opts.format == "sarif" && len(opts.fragmentProblems) > 0 {
			// The run failed on its inputs: say so where code scanning looks.
			w := stdout
			if opts.fix { // with --fix the document owns standard output
				w = stderr
			}
			if err := writeSARIF(w, nil, opts.fragmentProblems); err != nil {
				fmt.Fprintf(stderr, "sseready: %v\n", err)
			}
		}
		return code
	}
	switch {
	case opts.format != "text" && opts.format != "json" && opts.format != "sarif":
		return usageError(stderr, "--format must be text, json or sarif, not %q", opts.format)
	case len(files) == 0:
		return usageError(stderr, "no FILE given (use - for standard input)")
	case opts.fix && opts.write:
		return usageError(stderr, "--fix and -w exclude each other")
	case opts.fix && len(files) > 1:
		return usageError(stderr, "--fix prints one document: give one FILE, or use -w to fix several in place")
	case opts.write && count(files, "-") > 0:
		return usageError(stderr, "-w cannot write back to standard input: use --fix")
	case count(files, "-") > 1:
		return usageError(stderr, "standard input (-) can be read once")
	}
	for _, name := range files {
		if name != "-" && isDir(name) && (opts.fix || opts.write) {
			return usageError(stderr, "%s is an APIOps tree, checked path by path: --fix and -w take files; fix the files the findings name", name)
		}
		if name != "-" && isDir(name) && opts.above.given() {
			return usageError(stderr, "%s is an APIOps tree, which holds its own global and product policies: --global and --product take files", name)
		}
	}
	if opts.above.given() && (opts.fix || opts.write) {
		return usageError(stderr, "--fix and -w fix one document on its own: run them without --global and --product")
	}

	// With --fix the document owns standard output.
	report := stdout
	if opts.fix {
		report = stderr
	}
	var results []jsonFile
	code := exitOK
	for _, name := range files {
		var batch []jsonFile
		var fixed []byte
		switch {
		case name != "-" && isDir(name):
			batch = lintTree(name, opts, stderr)
		case opts.above.given():
			batch = opts.above.dedupe(lintComposed(name, stdin, opts))
		default:
			var res jsonFile
			res, fixed = lintFile(name, stdin, opts)
			batch = []jsonFile{res}
		}
		for _, res := range batch {
			results = append(results, res)
			switch {
			case res.Error != "":
				code = exitInput
			case !res.Ready && code == exitOK:
				code = exitFindings
			}
			if opts.format == "text" {
				printText(report, res)
				if (opts.fix || opts.write) && res.Error == "" {
					printFixSummary(report, res, opts.write)
				}
			}
		}
		if fixed != nil && opts.fix {
			if _, err := stdout.Write(fixed); err != nil {
				fmt.Fprintf(stderr, "sseready: writing the fixed document: %v\n", err)
				return exitInput
			}
		}
	}
	if opts.format == "sarif" {
		if err := writeSARIF(report, results, nil); err != nil {
			fmt.Fprintf(stderr, "sseready: %v\n", err)
			return exitInput
		}
	}
	if opts.format == "json" {
		enc := json.NewEncoder(report)
		enc.SetEscapeHTML(false) // keep <, > and & as written: pipelines grep for them
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintf(stderr, "sseready: %v\n", err)
			return exitInput
		}
	}
	return code
}

// lintFile checks one input. With --fix or -w it reports the findings
// left after fixing and returns the fixed bytes.
func lintFile(name string, stdin io.Reader, opts lintOptions) (jsonFile, []byte) {
	display := name
	var src []byte
	var err error
	if name == "-" {
		display = "<stdin>"
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	res := jsonFile{File: display, Findings: []jsonFinding{}, path: name}
	if err != nil {
		res.Error = "cannot read: " + err.Error()
		return res, nil
	}
	copts := opts.check
	var findings []rules.Finding
	var fixedSrc []byte
	if opts.fix || opts.write {
		fx, ferr := apimcheck.Fix(src, copts)
		err = ferr
		findings, fixedSrc = fx.Remaining.Findings, fx.Source
		res.applied = len(fx.Applied)
	} else {
		var cr apimcheck.Result
		cr, err = apimcheck.CheckSource(src, copts)
		findings = cr.Findings
	}
	if err != nil {
		res.Error = err.Error()
		var se *apimpolicy.SyntaxError
		if errors.As(err, &se) {
			res.errPos, res.errMsg = se.Pos, se.Msg
		}
		return res, nil
	}
	if opts.write && string(fixedSrc) != string(src) {
		if werr := writeFileAtomic(name, fixedSrc); werr != nil {
			res.Error = "cannot write the fixes: " + werr.Error()
			return res, nil
		}
	}
	res.Ready = rules.Ready(findings)
	for _, f := range findings {
		jf := findingJSON(f, opts)
		res.Findings = append(res.Findings, jf)
	}
	return res, fixedSrc
}

// printFixSummary says what --fix or -w did to a file and whether the
// fixed document is ready.
func printFixSummary(w io.Writer, res jsonFile, wrote bool) {
	errs := 0
	for _, f := range res.Findings {
		if f.Severity == string(rules.Error) {
			errs++
		}
	}
	done := fmt.Sprintf("%d safe %s applied", res.applied, pluralOf(res.applied, "fix", "fixes"))
	switch {
	case res.applied == 0:
		done = "no safe fix to apply"
	case wrote:
		done += " and written back"
	}
	doc := "the fixed document"
	if res.applied == 0 {
		doc = "the document"
	}
	verdict := doc + " is ready"
	if errs > 0 {
		verdict = fmt.Sprintf("%d %s %s, with no safe fix (listed above): %s is not ready", errs, pluralOf(errs, "error", "errors"), pluralOf(errs, "remains", "remain"), doc)
	}
	fmt.Fprintf(w, "sseready lint: %s: %s; %s\n", res.File, done, verdict)
}

// pluralOf picks the word for n.
func pluralOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func printText(w io.Writer, res jsonFile) {
	switch {
	case res.Error != "" && res.errPos.IsValid():
		fmt.Fprintf(w, "%s:%d:%d: error: %s\n", res.File, res.errPos.Line, res.errPos.Column, res.errMsg)
		return
	case res.Error != "":
		fmt.Fprintf(w, "%s: error: %s\n", res.File, res.Error)
		return
	}
	for _, f := range res.Findings {
		file := res.File
		if f.FragmentFile != "" {
			file = f.FragmentFile
		}
		reason := ""
		if f.Reason != "" {
			reason = " (accepted: " + f.Reason + ")"
		}
		if len(f.Paths) > 0 {
			reason += " [on " + f.Paths[0]
			if more := len(f.Paths) - 1; more > 0 {
				reason += fmt.Sprintf(", and %d more path", more)
				if more > 1 {
					reason += "s"
				}
			}
			reason += "]"
		}
		fmt.Fprintf(w, "%s:%d:%d: %s %s: %s%s\n", file, f.Line, f.Column, f.Severity, f.Rule, f.Message, reason)
	}
}

// writeSARIF writes the findings of every file, and the inputs that could
// not be read or parsed (each file's error, and problems), as one SARIF
// log. Paths inside the working directory are written relative to it.
func writeSARIF(w io.Writer, files []jsonFile, problems []sarifreport.Problem) error {
	wd, _ := os.Getwd() // empty on error: paths are written as given
	l := sarifreport.Log{ToolName: "sseready", Version: version, WorkDir: wd, Problems: problems}
	for _, res := range files {
		if res.Error != "" {
			p := sarifreport.Problem{At: sarifreport.Location{File: res.path}, Message: res.Error}
			if res.errPos.IsValid() {
				p.At.Line, p.At.Column, p.Message = res.errPos.Line, res.errPos.Column, res.errMsg
			}
			l.Problems = append(l.Problems, p)
			continue
		}
		for _, f := range res.Findings {
			r := sarifreport.Result{
				Finding: rules.Finding{
					Rule: f.Rule, Severity: rules.Severity(f.Severity), Message: f.Message,
					Line: f.Line, Column: f.Column, Element: f.Element, Attribute: f.Attribute,
					Fragment: f.Fragment, Hop: f.Hop, Reason: f.Reason,
				},
				At:         sarifreport.Location{File: res.path, Line: f.Line, Column: f.Column},
				AcceptedBy: f.acceptedBy,
				Paths:      f.streams,
			}
			if f.FragmentFile != "" {
				// The place is in the fragment's file; the document that
				// includes it is a related location.
				r.At.File = f.FragmentFile
				r.Related = []sarifreport.Location{{File: res.path, Note: fmt.Sprintf("the policy that includes fragment %q", f.Fragment)}}
			}
			l.Results = append(l.Results, r)
		}
	}
	rep, err := sarifreport.Build(l)
	if err != nil {
		return err
	}
	return sarifreport.Write(w, rep)
}

// readFragments reads the --fragment NAME=FILE documents into opts. A
// fragment that cannot be read or parsed is an input error naming its
// file, line and column.
func readFragments(specs []string, opts *lintOptions, stderr io.Writer) int {
	if len(specs) == 0 {
		return exitOK
	}
	src := map[string]string{}
	opts.fragmentFiles = map[string]string{}
	for _, spec := range specs {
		name, file, ok := strings.Cut(spec, "=")
		switch {
		case !ok || name == "" || file == "":
			return usageError(stderr, "--fragment %q: write NAME=FILE, NAME being the fragment-id that include-fragment names", spec)
		case opts.fragmentFiles[name] != "":
			return usageError(stderr, "--fragment: %q is given twice (%s and %s)", name, opts.fragmentFiles[name], file)
		case file == "-":
			return usageError(stderr, "--fragment %s: a fragment cannot be read from standard input; give its file", name)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "%s: error: cannot read fragment %q: %v\n", file, name, err)
			opts.fragmentProblems = append(opts.fragmentProblems, sarifreport.Problem{
				At: sarifreport.Location{File: file}, Message: fmt.Sprintf("cannot read fragment %q: %v", name, err)})
			return exitInput
		}
		src[name], opts.fragmentFiles[name] = string(data), file
	}
	docs, errs := apimcheck.ParseFragments(src)
	for _, err := range errs {
		var fe *apimcheck.FragmentError
		var se *apimpolicy.SyntaxError
		switch {
		case errors.As(err, &fe) && errors.As(err, &se):
			fmt.Fprintf(stderr, "%s:%d:%d: error: fragment %q: %s\n", opts.fragmentFiles[fe.ID], se.Pos.Line, se.Pos.Column, fe.ID, se.Msg)
			opts.fragmentProblems = append(opts.fragmentProblems, sarifreport.Problem{
				At:      sarifreport.Location{File: opts.fragmentFiles[fe.ID], Line: se.Pos.Line, Column: se.Pos.Column},
				Message: fmt.Sprintf("fragment %q: %s", fe.ID, se.Msg)})
		case errors.As(err, &fe):
			fmt.Fprintf(stderr, "%s: error: %v\n", opts.fragmentFiles[fe.ID], err)
			opts.fragmentProblems = append(opts.fragmentProblems, sarifreport.Problem{
				At: sarifreport.Location{File: opts.fragmentFiles[fe.ID]}, Message: err.Error()})
		default:
			fmt.Fprintf(stderr, "sseready lint: %v\n", err)
			opts.fragmentProblems = append(opts.fragmentProblems, sarifreport.Problem{Message: err.Error()})
		}
	}
	if len(errs) > 0 {
		return exitInput
	}
	opts.check.Fragments = docs
	return exitOK
}

// parseInterspersed parses flags that may come before, between or after
// the file names, as users type them. After "--" every argument is a file.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(files, rest...), nil
		}
		if len(rest) == 0 {
			return files, nil
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
}

// writeFileAtomic replaces name with data through a temporary file in the
// same directory, keeping the file's mode, so an interrupted write cannot
// leave a truncated policy behind.
func writeFileAtomic(name string, data []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".sseready-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "sseready lint: "+format+"\n", args...)
	return exitInput
}

func count(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}
