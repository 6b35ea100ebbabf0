package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// jsonRule is one rule in `sseready rules --format json`.
type jsonRule struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Hop      string   `json:"hop"`
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	Fix      string   `json:"fix"`
	AutoFix  bool     `json:"auto_fix"`
	Sources  []string `json:"sources"`
}

func runRules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitInput
	}
	all := rules.All()
	switch *format {
	case "json":
		out := make([]jsonRule, len(all))
		for i, r := range all {
			out[i] = jsonRule{ID: r.ID, Name: r.Name, Hop: r.Hop, Severity: string(r.Severity), Summary: r.Summary, Fix: r.Fix, AutoFix: r.AutoFix}
			for _, s := range r.Sources {
				out[i].Sources = append(out[i].Sources, s.URL)
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false) // keep <, > and & as written: pipelines grep for them
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "sseready: %v\n", err)
			return exitInput
		}
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tFIX\tSUMMARY")
		for _, r := range all {
			fix := "-"
			if r.AutoFix {
				fix = "auto"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, fix, r.Summary)
		}
		if err := tw.Flush(); err != nil {
			return exitInput
		}
	default:
		fmt.Fprintf(stderr, "sseready rules: --format must be text or json, not %q\n", *format)
		return exitInput
	}
	return exitOK
}
