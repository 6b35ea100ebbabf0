package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/pathview"
	"github.com/sseready/terraform-provider-sseready/internal/report"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// isDir reports whether name is a directory (an APIOps tree to lint).
func isDir(name string) bool {
	info, err := os.Stat(name)
	return err == nil && info.IsDir()
}

// lintTreeReport checks an APIOps tree path by path (package apiops), each
// API's findings following whether it streams: one result per file that
// holds a finding or cannot be read, each finding with the request paths
// it holds on, and last one for the DIR itself listing the request paths
// checked with their APIs' verdicts. The summary (each API's verdict, the
// paths counted) and notes (what was deliberately not checked) go to
// notes. It returns the tree's report too (nil when the tree could not
// be loaded), which --report draws.
func lintTreeReport(dir string, opts lintOptions, notes io.Writer) ([]jsonFile, *apiops.Report) {
	tree, errs := apiops.Load(dir)
	var out []jsonFile
	for _, err := range errs {
		jf := jsonFile{File: dir, Findings: []report.Finding{}}
		var le *apiops.LoadError
		if errors.As(err, &le) {
			jf.File, err = le.File, le.Err
		}
		jf.fail(err)
		out = append(out, jf)
	}
	if tree == nil {
		return out, nil
	}
	rep := tree.CheckStreams(opts.check, opts.streaming)
	streams := pathStreams(rep)
	byFile := map[string]int{}
	for _, f := range rep.Findings {
		i, ok := byFile[f.File]
		if !ok {
			i = len(out)
			byFile[f.File] = i
			out = append(out, jsonFile{File: f.File, Ready: true, Findings: []report.Finding{}})
		}
		var on []report.Path
		for _, p := range f.Paths {
			ps, ok := streams[p]
			if !ok {
				ps = report.Path{Path: p} // no verdict known: named all the same
			}
			on = append(on, ps)
		}
		out[i].Findings = append(out[i].Findings, lintFinding(f.Finding, f.File, opts).OnPaths(on))
		if f.Severity == rules.Error {
			out[i].Ready = false
		}
	}
	tj := jsonFile{File: dir, Ready: rep.Ready(), Findings: []report.Finding{}, Paths: []report.Path{}}
	for _, p := range rep.RequestPaths {
		tj.Paths = append(tj.Paths, streams[p.Name])
	}
	out = append(out, tj)
	if opts.format == "text" {
		for _, a := range rep.APIs {
			fmt.Fprintf(notes, "sseready lint: %s: %s: streaming %s: %s\n", dir, a.Name, a.Verdict, firstAndCount(a.Evidence))
		}
		fmt.Fprintf(notes, "sseready lint: %s: %d %s checked\n", dir, rep.Paths, plural(rep.Paths, "request path"))
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(notes, "sseready lint: note: %s\n", n)
	}
	return out, &rep
}

// lintFinding is a finding as lint reports it, in file.
func lintFinding(f rules.Finding, file string, opts lintOptions) report.Finding {
	rf := report.FromRule(f)
	rf.File, rf.FragmentFile = file, opts.fragmentFiles[f.Fragment]
	if f.Severity == rules.Accepted && opts.acceptedByFlag[f.Rule] {
		// --accept is applied before the comments and the first
		// acceptance keeps its reason: a rule given with --accept was
		// accepted by it; any other, by a comment in the document.
		rf.AcceptedBy = sarifreport.External
	}
	return rf
}

// pathStreams maps each path a finding may name to its API's verdict: the
// request paths, and each API's own name (a diagnostic's finding on an API
// with no policy on its path).
func pathStreams(rep apiops.Report) map[string]report.Path {
	out := map[string]report.Path{}
	for _, a := range rep.APIs {
		out[a.Name] = report.Path{Path: a.Name, Workspace: a.Workspace, API: a.API, Streaming: string(a.Verdict), StreamingEvidence: nonNil(a.Evidence)}
	}
	for _, p := range rep.RequestPaths {
		out[p.Name] = report.Path{Path: p.Name, Workspace: p.Workspace, API: p.API, Streaming: string(p.Streams.Verdict), StreamingEvidence: nonNil(p.Streams.Evidence)}
	}
	return out
}

// firstAndCount is the first piece of evidence, and how many more there
// are.
func firstAndCount(ev []string) string {
	switch len(ev) {
	case 0:
		return "no evidence"
	case 1:
		return ev[0]
	}
	return fmt.Sprintf("%s (+%d more)", ev[0], len(ev)-1)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// noteStreamingFlags says when --streaming or --stream-api is given with
// no DIR: they decide which APIs of an APIOps tree stream, and a single
// policy file is held to every rule.
func noteStreamingFlags(fs *flag.FlagSet, files []string, stderr io.Writer) {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "streaming" || f.Name == "stream-api" })
	if !set || slices.ContainsFunc(files, func(n string) bool { return n != "-" && isDir(n) }) {
		return
	}
	fmt.Fprintln(stderr, "sseready lint: note: --streaming and --stream-api apply to APIOps trees (DIR); a FILE is held to every rule")
}

// lintedTree is one DIR linted, for --report.
type lintedTree struct {
	dir   string
	rep   *apiops.Report
	files []jsonFile
}

// lintPage draws the request paths of the trees (--report): each path
// through API Management with its composed policies and findings; a
// path's name begins with its DIR when there are several.
func lintPage(trees []lintedTree) pathview.Page {
	pg := pathview.Page{Title: "sseready lint"}
	var dirs []string
	for _, t := range trees {
		dirs = append(dirs, t.dir)
	}
	pg.Title += ": " + strings.Join(dirs, ", ")
	for _, t := range trees {
		var fs []report.Finding
		for _, f := range t.files {
			if f.Error != "" {
				pg.Problems = append(pg.Problems, f.problem)
			}
			fs = append(fs, f.Findings...)
		}
		if t.rep == nil {
			continue
		}
		paths, loose := pathview.FromTree(*t.rep, fs)
		for _, p := range paths {
			if len(trees) > 1 {
				p.Name = t.dir + ": " + p.Name
			}
			pg.Paths = append(pg.Paths, p)
		}
		pg.Loose = append(pg.Loose, loose...)
		pg.Notes = append(pg.Notes, t.rep.Notes...)
	}
	return pg
}

// lintSections are lint's results for the markdown summary: one section
// per file with findings or an error, its verdict the one that matters
// most among its findings' paths.
func lintSections(results []jsonFile) []report.Section {
	rank := map[string]int{"yes": 3, "unknown": 2, "no": 1}
	var out []report.Section
	for _, r := range results {
		if r.Error == "" && len(r.Findings) == 0 {
			continue
		}
		sec := report.Section{Name: r.File, Ready: r.Ready && r.Error == "", Findings: r.Findings}
		if r.Error != "" {
			sec.Problems = []report.Problem{r.problem}
		}
		for _, f := range r.Findings {
			if rank[f.Streaming] > rank[sec.Streaming] {
				sec.Streaming, sec.StreamingEvidence = f.Streaming, f.StreamingEvidence
			}
		}
		out = append(out, sec)
	}
	return out
}
