package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/openapi"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// isDir reports whether name is a directory (an APIOps tree to lint).
func isDir(name string) bool {
	info, err := os.Stat(name)
	return err == nil && info.IsDir()
}

// jsonPath is a request path of an APIOps tree in --format json, with
// whether its API streams.
type jsonPath struct {
	Name string `json:"name"`
	// Workspace is the workspace the API is in ("" at the service's root);
	// API is the API's folder ("chat;rev=2").
	Workspace         string   `json:"workspace,omitempty"`
	API               string   `json:"api"`
	Streaming         string   `json:"streaming"`
	StreamingEvidence []string `json:"streaming_evidence"`
}

// lintTree checks an APIOps tree path by path (package apiops), each
// API's findings following whether it streams: one result per file that
// holds a finding or cannot be read, each finding with the request paths
// it holds on, and last one for the DIR itself listing the request paths
// checked with their APIs' verdicts. The summary (each API's verdict, the
// paths counted) and notes (what was deliberately not checked) go to
// notes.
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
		var oe *openapi.SyntaxError
		if errors.As(err, &oe) && oe.Line > 0 && oe.Column > 0 {
			// A place with no column stays in the message ("line 4: ..."):
			// file:line:column is what editors jump to.
			jf.errPos, jf.errMsg = apimpolicy.Pos{Line: oe.Line, Column: oe.Column}, oe.Msg
		}
		out = append(out, jf)
	}
	if tree == nil {
		return out
	}
	rep := tree.CheckStreams(opts.check, opts.streaming)
	streams := pathStreams(rep)
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
		for _, p := range f.Paths {
			jf.streams = append(jf.streams, streams[p])
		}
		out[i].Findings = append(out[i].Findings, jf)
		if f.Severity == rules.Error {
			out[i].Ready = false
		}
	}
	tj := jsonFile{File: dir, path: dir, Ready: rep.Ready(), Findings: []jsonFinding{}, Paths: []jsonPath{}}
	for _, p := range rep.RequestPaths {
		tj.Paths = append(tj.Paths, jsonPath{Name: p.Name, Workspace: p.Workspace, API: p.API,
			Streaming: string(p.Streams.Verdict), StreamingEvidence: nonNil(p.Streams.Evidence)})
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

// pathStreams maps each path a finding may name to its API's verdict: the
// request paths, and each API's own name (a diagnostic's finding on an API
// with no policy on its path).
func pathStreams(rep apiops.Report) map[string]sarifreport.PathStreaming {
	out := map[string]sarifreport.PathStreaming{}
	api := map[string]string{}
	for _, a := range rep.APIs {
		out[a.Name] = sarifreport.PathStreaming{Name: a.Name, API: a.Name, Streaming: string(a.Verdict), Evidence: a.Evidence}
		api[a.Workspace+"\x00"+a.API] = a.Name
	}
	for _, p := range rep.RequestPaths {
		out[p.Name] = sarifreport.PathStreaming{Name: p.Name, API: api[p.Workspace+"\x00"+p.API], Streaming: string(p.Streams.Verdict), Evidence: p.Streams.Evidence}
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
