package report

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// SARIF writes the findings and problems as one SARIF 2.1.0 log for code
// scanning, sseready at version as the tool (package sarifreport). Files
// inside the working directory are written relative to it.
//
// A finding placed by name (a resource attribute, a chain setting) is a
// logical location, "resource" for an address and "parameter" for a
// setting no resource holds, in its File (the plan, the chain), and its
// message begins with where it is in the document ("xml_content:8:9: ");
// a finding in a file is at its line and column, in the fragment's file
// when it is in one given as a file, with the policy that includes it as
// a related location. Accepted findings are suppressed results. What SARIF
// has no field for goes to the result's properties under the JSON names:
// hop, setting, element, xml_attribute, fragment, severity (accepted only),
// and, on request paths, paths (each with its verdict), streaming and
// streaming_evidence. Each problem is a notification once, and makes the
// run unsuccessful.
func SARIF(w io.Writer, version string, findings []Finding, problems []Problem) error {
	wd, _ := os.Getwd() // empty on error: paths are written as given
	l := sarifreport.Log{ToolName: "sseready", Version: version, WorkDir: wd}
	for _, f := range findings {
		l.Results = append(l.Results, result(f))
	}
	seen := map[Problem]bool{}
	for _, p := range problems {
		if seen[p] {
			continue
		}
		seen[p] = true
		l.Problems = append(l.Problems, notification(p))
	}
	rep, err := sarifreport.Build(l)
	if err != nil {
		return err
	}
	return sarifreport.Write(w, rep)
}

func result(f Finding) sarifreport.Result {
	r := sarifreport.Result{
		Finding:    rules.Finding{Rule: f.Rule, Severity: f.Severity, Message: f.Message, Reason: f.Reason},
		AcceptedBy: f.AcceptedBy,
		Properties: properties(f),
	}
	if name := place(f.Address, f.Attribute, f.Setting); name != "" {
		r.At = logical(f.File, f.Address, name, f.Source)
		if f.Line > 0 {
			// The place in the document: the file has no line for it.
			r.Finding.Message = document(f.Address, f.Attribute, f.Setting) + lineColumn(f.Line, f.Column) + ": " + f.Message
		}
	} else {
		r.At = sarifreport.Location{File: f.File, Line: f.Line, Column: f.Column}
		if f.FragmentFile != "" && f.FragmentFile != f.File {
			r.At.File = f.FragmentFile
			r.Related = append(r.Related, sarifreport.Location{File: f.File, Note: fmt.Sprintf("the policy that includes fragment %q", f.Fragment)})
		}
	}
	r.Related = append(r.Related, f.Related...)
	return r
}

// logical is the location of a place named name in file.
func logical(file, address, name, source string) sarifreport.Location {
	loc := sarifreport.Location{File: file, Address: name, AddressKind: "resource"}
	if address == "" {
		loc.AddressKind, loc.Note = "parameter", source
	}
	return loc
}

func notification(p Problem) sarifreport.Problem {
	if name := place(p.Address, p.Attribute, p.Setting); name != "" {
		msg := p.Message
		if p.Line > 0 {
			msg = document(p.Address, p.Attribute, p.Setting) + lineColumn(p.Line, p.Column) + ": " + msg
		}
		return sarifreport.Problem{At: logical(p.File, p.Address, name, ""), Message: msg}
	}
	return sarifreport.Problem{At: sarifreport.Location{File: p.File, Line: p.Line, Column: p.Column}, Message: p.Message}
}

// properties are what SARIF has no field for, named as in JSON.
func properties(f Finding) map[string]any {
	p := map[string]any{}
	for k, v := range map[string]string{
		"hop": f.Hop, "setting": f.Setting, "element": f.Element, "xml_attribute": f.XMLAttribute, "fragment": f.Fragment,
	} {
		if v != "" {
			p[k] = v
		}
	}
	if f.Severity == rules.Accepted {
		p["severity"] = string(f.Severity)
	}
	if len(f.onPaths) > 0 {
		paths := make([]Path, len(f.onPaths))
		for i, ps := range f.onPaths {
			if ps.StreamingEvidence == nil {
				ps.StreamingEvidence = []string{}
			}
			paths[i] = ps
		}
		p["paths"] = paths
	}
	if f.Streaming != "" {
		p["streaming"], p["streaming_evidence"] = f.Streaming, f.StreamingEvidence
	}
	return p
}

// Merge makes findings that are the same but for the paths they hold on
// one finding on all their paths, where the first was: a shared policy's
// finding, found on each path of every API it serves, is one result.
// Findings on APIs with different streaming verdicts stay apart (their
// severities follow the verdicts).
func Merge(findings []Finding) []Finding {
	type key struct {
		rule                                              string
		severity                                          rules.Severity
		message, hop, address, attribute, source, setting string
		line, column                                      int
		element, xmlAttribute, fragment, fragmentFile     string
		reason, file, streaming                           string
		acceptedBy                                        sarifreport.Suppression
	}
	var out []Finding
	index := map[key]int{}
	for _, f := range findings {
		k := key{f.Rule, f.Severity, f.Message, f.Hop, f.Address, f.Attribute, f.Source, f.Setting, f.Line, f.Column,
			f.Element, f.XMLAttribute, f.Fragment, f.FragmentFile, f.Reason, f.File, f.Streaming, f.AcceptedBy}
		i, seen := index[k]
		if !seen {
			index[k] = len(out)
			out = append(out, f)
			continue
		}
		m := out[i]
		m.Related = slices.Clone(m.Related)
		paths := slices.Clone(m.onPaths)
		for _, p := range f.onPaths {
			if !slices.ContainsFunc(paths, func(q Path) bool { return q.Path == p.Path && q.API == p.API }) {
				paths = append(paths, p)
			}
		}
		for _, r := range f.Related {
			if !slices.Contains(m.Related, r) {
				m.Related = append(m.Related, r)
			}
		}
		out[i] = m.OnPaths(paths)
	}
	return out
}
