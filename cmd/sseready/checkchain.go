package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/pathview"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/report"
)

const checkChainUsage = `Usage: sseready check-chain [flags] FILE|-

Checks every hop of a stream's path at once, as sseready_chain_check does:
FILE is JSON of the data source's input (in Terraform, jsonencode() of the
object you give it, or of the whole data source). Findings print as
  setting[:line:column]: severity RULE: message
naming the chain's setting ("app_gateway.global"; the line and column are
inside a policy document, "apim.policies[0].xml:3:12"). --format json
prints one object (file, ready, findings, errors); --format sarif a SARIF
2.1.0 log for code scanning, each result at its setting in FILE;
--format markdown a summary table for a pull request comment or a GitHub
job summary. --report FILE.html also draws the chain hop by hop: each
hop's clocks against the backend's silence and heartbeat, the policies
API Management composes, each finding at its hop with its fix.
Exit status: 0 when the chain is ready, 1 when a finding is an error, 2
when the file cannot be read or holds a value no gateway accepts.

Flags:
`

// chainReport is the JSON output of check-chain.
type chainReport struct {
	File     string           `json:"file"`
	Ready    bool             `json:"ready"`
	Findings []report.Finding `json:"findings"`
	// Errors are the input errors, each naming its setting.
	Errors []report.Problem `json:"errors,omitempty"`
	// chain is the chain read, for --report (nil when it could not be).
	chain *chaincheck.Chain
}

func runCheckChain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-chain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", formatsHelp)
	reportFile := addReportFlag(fs)
	fs.Usage = func() { fmt.Fprint(stderr, checkChainUsage); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitInput
	}
	switch {
	case !knownFormat(*format):
		fmt.Fprintf(stderr, "sseready check-chain: --format must be text, json, sarif or markdown, not %q\n", *format)
		return exitInput
	case len(files) != 1:
		fmt.Fprintf(stderr, "sseready check-chain: give one FILE (or - for standard input), not %d\n", len(files))
		return exitInput
	}
	rep, code := checkChainFile(files[0], stdin)
	var werr error
	switch *format {
	case "json":
		werr = report.JSON(stdout, rep)
	case "sarif":
		werr = report.SARIF(stdout, version, rep.Findings, rep.Errors)
	case "markdown":
		werr = writeMarkdown(stdout, "sseready check-chain: "+rep.File,
			[]report.Section{{Name: rep.File, Ready: rep.Ready, Findings: rep.Findings, Problems: rep.Errors}})
	default:
		for _, e := range rep.Errors {
			_ = report.ProblemText(stderr, e)
		}
		for _, f := range rep.Findings {
			_ = report.Text(stdout, f)
		}
	}
	if werr == nil && *reportFile != "" {
		p := pathview.FromChain(rep.File, rep.chain, rep.Findings)
		p.Problems = rep.Errors
		werr = writePage(*reportFile, pathview.Page{Title: "sseready check-chain: " + rep.File, Paths: []pathview.Path{p}})
	}
	if werr != nil {
		fmt.Fprintf(stderr, "sseready: %v\n", werr)
		return exitInput
	}
	return code
}

// readChain reads a chain from a JSON file ("-": standard input).
func readChain(name string, stdin io.Reader) (chaincheck.Chain, []*input.Error, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return chaincheck.Chain{}, nil, err
	}
	v, err := plain.FromJSON(data)
	if err != nil {
		return chaincheck.Chain{}, nil, fmt.Errorf("%w: the file must be JSON, such as jsonencode() of sseready_chain_check's input", err)
	}
	c, errs := chaincheck.Decode(v, chaincheck.ResultKeys...)
	return c, errs, nil
}

// checkChainFile checks the chain in the file name: each finding at its
// setting, each input error at its setting.
func checkChainFile(name string, stdin io.Reader) (chainReport, int) {
	rep := chainReport{File: name, Findings: []report.Finding{}}
	if name == "-" {
		rep.File = report.Stdin
	}
	c, errs, err := readChain(name, stdin)
	if err != nil {
		rep.Errors = append(rep.Errors, report.Problem{File: rep.File, Message: err.Error()})
		return rep, exitInput
	}
	if len(errs) == 0 {
		rep.chain = &c
		var res chaincheck.Result
		res, errs = chaincheck.Check(c)
		if len(errs) == 0 {
			rep.Ready = res.Ready
			for _, f := range res.Findings {
				rf := report.FromRule(f)
				rf.File = rep.File
				rep.Findings = append(rep.Findings, rf)
			}
		}
	}
	for _, e := range errs {
		rep.Errors = append(rep.Errors, report.Problem{File: rep.File, Setting: e.Field, Line: e.Line, Column: e.Column, Message: e.Msg})
	}
	switch {
	case len(rep.Errors) > 0:
		return rep, exitInput
	case !rep.Ready:
		return rep, exitFindings
	}
	return rep, exitOK
}
