package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// isDir reports whether name is a directory (an APIOps tree to lint).
func isDir(name string) bool {
	info, err := os.Stat(name)
	return err == nil && info.IsDir()
}

// lintTree checks an APIOps tree path by path (package apiops): one result
// per file that holds a finding or cannot be read, each finding with the
// request paths it was found on. Notes (what was deliberately not checked)
// go to notes.
func lintTree(dir string, opts lintOptions, notes io.Writer) []jsonFile {
	tree, errs := apiops.Load(dir)
	var out []jsonFile
	for _, err := range errs {
		jf := jsonFile{File: dir, path: dir, Findings: []jsonFinding{}, Error: err.Error()}
		var le *apiops.LoadError
		if errors.As(err, &le) {
			jf.File, jf.path, jf.Error = le.File, le.File, le.Err.Error()
		}
		var se *apimpolicy.SyntaxError
		if errors.As(err, &se) {
			jf.errPos, jf.errMsg = se.Pos, se.Msg
		}
		out = append(out, jf)
	}
	if tree == nil {
		return out
	}
	rep := tree.Check(opts.check)
	byFile := map[string]int{}
	for _, f := range rep.Findings {
		i, ok := byFile[f.File]
		if !ok {
			i = len(out)
			byFile[f.File] = i
			out = append(out, jsonFile{File: f.File, path: f.File, Ready: true, Findings: []jsonFinding{}})
		}
		jf := findingJSON(f.Finding, opts)
		jf.Paths = f.Paths
		out[i].Findings = append(out[i].Findings, jf)
		if f.Severity == rules.Error {
			out[i].Ready = false
		}
	}
	if opts.format == "text" {
		fmt.Fprintf(notes, "sseready lint: %s: %d request paths checked\n", dir, rep.Paths)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(notes, "sseready lint: note: %s\n", n)
	}
	return out
}

// findingJSON is a finding as lint reports it.
func findingJSON(f rules.Finding, opts lintOptions) jsonFinding {
	jf := jsonFinding{
		Rule: f.Rule, Severity: string(f.Severity), Message: f.Message,
		Line: f.Line, Column: f.Column, Element: f.Element, Attribute: f.Attribute, Hop: f.Hop,
		Fragment: f.Fragment, FragmentFile: opts.fragmentFiles[f.Fragment], Reason: f.Reason,
	}
	if f.Severity == rules.Accepted {
		// --accept is applied before the comments and the first
		// acceptance keeps its reason: a rule given with --accept was
		// accepted by it; any other, by a comment in the document.
		jf.acceptedBy = sarifreport.InSource
		if opts.acceptedByFlag[f.Rule] {
			jf.acceptedBy = sarifreport.External
		}
	}
	return jf
}
