package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

const checkChainUsage = `Usage: sseready check-chain [flags] FILE|-

Checks every hop of a stream's path at once, as sseready_chain_check does:
FILE is JSON of the data source's input (in Terraform, jsonencode() of the
object you give it, or of the whole data source). Findings print as
  file: hop setting: severity RULE: message
Exit status: 0 when the chain is ready, 1 when a finding is an error, 2
when the file cannot be read or holds a value no gateway accepts.

Flags:
`

// chainReport is the JSON output of check-chain.
type chainReport struct {
	File     string         `json:"file"`
	Ready    bool           `json:"ready"`
	Findings []chainFinding `json:"findings"`
	// Errors are the input errors, each naming its setting.
	Errors []string `json:"errors,omitempty"`
}

type chainFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Hop      string `json:"hop"`
	// Setting is the setting the finding is about ("app_gateway.global").
	Setting string `json:"setting"`
}

func runCheckChain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-chain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	fs.Usage = func() { fmt.Fprint(stderr, checkChainUsage); fs.PrintDefaults() }
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitInput
	}
	switch {
	case *format != "text" && *format != "json":
		fmt.Fprintf(stderr, "sseready check-chain: --format must be text or json, not %q\n", *format)
		return exitInput
	case len(files) != 1:
		fmt.Fprintf(stderr, "sseready check-chain: give one FILE (or - for standard input), not %d\n", len(files))
		return exitInput
	}
	rep, code := checkChainFile(files[0], stdin)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false) // keep <, > and & as written: pipelines grep for them
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return code
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stderr, "%s: error: %s\n", rep.File, e)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(stdout, "%s: %s %s: %s %s: %s\n", rep.File, f.Hop, f.Setting, f.Severity, f.Rule, f.Message)
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

func checkChainFile(name string, stdin io.Reader) (chainReport, int) {
	rep := chainReport{File: name, Findings: []chainFinding{}}
	if name == "-" {
		rep.File = "<stdin>"
	}
	c, errs, err := readChain(name, stdin)
	if err != nil {
		rep.Errors = append(rep.Errors, err.Error())
		return rep, exitInput
	}
	if len(errs) == 0 {
		var res chaincheck.Result
		res, errs = chaincheck.Check(c)
		if len(errs) == 0 {
			rep.Ready = res.Ready
			for _, f := range res.Findings {
				rep.Findings = append(rep.Findings, chainFinding{Rule: f.Rule, Severity: string(f.Severity), Message: f.Message, Hop: f.Hop, Setting: f.Element})
			}
		}
	}
	for _, e := range errs {
		rep.Errors = append(rep.Errors, e.Error())
	}
	switch {
	case len(rep.Errors) > 0:
		return rep, exitInput
	case !rep.Ready:
		return rep, exitFindings
	}
	return rep, exitOK
}
