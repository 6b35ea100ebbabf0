package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/openapi"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
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
(exit status 2); --format markdown a summary table for a pull request
comment or a GitHub job summary (the GitHub Action writes it to
$GITHUB_STEP_SUMMARY).

--report FILE.html draws each request path of each DIR: the client, API
Management with the policies its path composes and the elements the
findings are about, the backend, and the API Management hop's own clock;
each finding at its hop with its fix; the APIs that stream first, the
others apart. It takes DIRs only: a FILE is a policy on no path of hops.

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

// jsonFile is one input in --format json: its findings in package
// report's shape.
type jsonFile struct {
	File     string           `json:"file"`
	Ready    bool             `json:"ready"`
	Findings []report.Finding `json:"findings"`
	// Error is set when the file cannot be read or parsed; problem says
	// where, for text and SARIF.
	Error   string `json:"error,omitempty"`
	problem report.Problem
	// applied counts the safe fixes --fix or -w applied.
	applied int
	// Paths are, for an APIOps tree (the object of the DIR itself), the
	// request paths checked, each with whether its API streams.
	Paths []report.Path `json:"paths,omitempty"`
}

// fail records that the file cannot be read or parsed: err, placed at
// its line and column where it has them.
func (res *jsonFile) fail(err error) {
	res.Error = err.Error()
	res.problem = report.Problem{File: res.File, Message: res.Error}
	var se *apimpolicy.SyntaxError
	var oe *openapi.SyntaxError
	switch {
	case errors.As(err, &se):
		res.problem.Line, res.problem.Column, res.problem.Message = se.Pos.Line, se.Pos.Column, se.Msg
	case errors.As(err, &oe) && oe.Line > 0 && oe.Column > 0:
		// A place with no column stays in the message ("line 4: ..."):
		// file:line:column is what editors jump to.
		res.problem.Line, res.problem.Column, res.problem.Message = oe.Line, oe.Column, oe.Msg
	}
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
	fragmentProblems []report.Problem
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
	format := fs.String("format", "text", formatsHelp)
	reportFile := addReportFlag(fs)
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
			if err := report.SARIF(w, version, nil, opts.fragmentProblems); err != nil {
				fmt.Fprintf(stderr, "sseready: %v\n", err)
			}
		}
		return code
	}
	switch {
	case !knownFormat(opts.format):
		return usageError(stderr, "--format must be text, json, sarif or markdown, not %q", opts.format)
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
		if *reportFile != "" && (name == "-" || !isDir(name)) {
			return usageError(stderr, "--report draws the request paths of APIOps trees: give DIRs only (%s is a file, a policy on no path of hops)", name)
		}
	}
	if opts.above.given() && (opts.fix || opts.write) {
		return usageError(stderr, "--fix and -w fix one document on its own: run them without --global and --product")
	}

	// With --fix the document owns standard output.
	out := stdout
	if opts.fix {
		out = stderr
	}
	var results []jsonFile
	var trees []lintedTree
	code := exitOK
	for _, name := range files {
		var batch []jsonFile
		var fixed []byte
		switch {
		case name != "-" && isDir(name):
			var rep *apiops.Report
			batch, rep = lintTreeReport(name, opts, stderr)
			trees = append(trees, lintedTree{dir: name, rep: rep, files: batch})
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
				printText(out, res)
				if (opts.fix || opts.write) && res.Error == "" {
					printFixSummary(out, res, opts.write)
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
	var werr error
	switch opts.format {
	case "sarif":
		werr = writeSARIF(out, results)
	case "json":
		werr = report.JSON(out, results)
	case "markdown":
		werr = writeMarkdown(out, "sseready lint", lintSections(results))
	}
	if werr == nil && *reportFile != "" {
		werr = writePage(*reportFile, lintPage(trees))
	}
	if werr != nil {
		fmt.Fprintf(stderr, "sseready: %v\n", werr)
		return exitInput
	}
	return code
}

// lintFile checks one input. With --fix or -w it reports the findings
// left after fixing and returns the fixed bytes.
func lintFile(name string, stdin io.Reader, opts lintOptions) (jsonFile, []byte) {
	display, src, err := readInput(name, stdin)
	res := jsonFile{File: display, Findings: []report.Finding{}}
	if err != nil {
		res.fail(fmt.Errorf("cannot read: %w", err))
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
		res.fail(err)
		return res, nil
	}
	if opts.write && string(fixedSrc) != string(src) {
		if werr := writeFileAtomic(name, fixedSrc); werr != nil {
			res.fail(fmt.Errorf("cannot write the fixes: %w", werr))
			return res, nil
		}
	}
	res.Ready = rules.Ready(findings)
	for _, f := range findings {
		res.Findings = append(res.Findings, lintFinding(f, display, opts))
	}
	return res, fixedSrc
}

// printFixSummary says what --fix or -w did to a file and whether the
// fixed document is ready.
func printFixSummary(w io.Writer, res jsonFile, wrote bool) {
	errs := 0
	for _, f := range res.Findings {
		if f.Severity == rules.Error {
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

// printText writes a file's findings, or why it cannot be checked, one
// line each.
func printText(w io.Writer, res jsonFile) {
	if res.Error != "" {
		_ = report.ProblemText(w, res.problem)
		return
	}
	for _, f := range res.Findings {
		_ = report.Text(w, f)
	}
}

// writeSARIF writes the findings of every file, and the files that could
// not be read or parsed, as one SARIF log.
func writeSARIF(w io.Writer, files []jsonFile) error {
	var findings []report.Finding
	var problems []report.Problem
	for _, res := range files {
		if res.Error != "" {
			problems = append(problems, res.problem)
			continue
		}
		findings = append(findings, res.Findings...)
	}
	return report.SARIF(w, version, findings, problems)
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
			p := report.Problem{File: file, Message: fmt.Sprintf("cannot read fragment %q: %v", name, err)}
			_ = report.ProblemText(stderr, p)
			opts.fragmentProblems = append(opts.fragmentProblems, p)
			return exitInput
		}
		src[name], opts.fragmentFiles[name] = string(data), file
	}
	docs, errs := apimcheck.ParseFragments(src)
	for _, err := range errs {
		var fe *apimcheck.FragmentError
		var se *apimpolicy.SyntaxError
		var p report.Problem
		switch {
		case errors.As(err, &fe) && errors.As(err, &se):
			p = report.Problem{File: opts.fragmentFiles[fe.ID], Line: se.Pos.Line, Column: se.Pos.Column, Message: fmt.Sprintf("fragment %q: %s", fe.ID, se.Msg)}
			_ = report.ProblemText(stderr, p)
		case errors.As(err, &fe):
			p = report.Problem{File: opts.fragmentFiles[fe.ID], Message: err.Error()}
			_ = report.ProblemText(stderr, p)
		default:
			p = report.Problem{Message: err.Error()}
			fmt.Fprintf(stderr, "sseready lint: %v\n", err)
		}
		opts.fragmentProblems = append(opts.fragmentProblems, p)
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
