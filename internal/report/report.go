// Package report is what `sseready lint`, `check-chain` and `check-plan`
// print: one Finding shape that every command fills, and the text, JSON,
// SARIF and markdown written from it, so the three cannot drift apart.
// (The HTML pages of --report draw the same findings: package pathview.)
//
//   - report.go (this file) owns the shape: Finding, the request Path a
//     finding holds on with its API's streaming verdict, and Problem, an
//     input that cannot be read or judged. The JSON names are the struct
//     tags here, the same in every command; a field that does not apply
//     is left out.
//   - text.go writes a finding or a problem as one compiler-style line,
//     "PLACE: severity RULE: message".
//   - json.go writes a command's JSON (indented, <, > and & kept).
//   - sarif.go writes a SARIF 2.1.0 log through package sarifreport, with
//     the same fields as result properties, and merges the findings a
//     command found once per path (Merge).
//   - markdown.go writes a summary table for a pull request comment or a
//     GitHub job summary (Markdown), by Section: a file, a chain, a path.
//
// Each command keeps its own outer structure (lint's array of files,
// check-chain's object, check-plan's list of paths) and its exit codes;
// what a finding says, and where, is written here.
package report

import (
	"slices"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/sarifreport"
)

// Stdin is the name the commands report standard input by (File, and
// Finding.File); SARIF writes it as an artifact with no URI.
const Stdin = sarifreport.Stdin

// Finding is one rule's verdict and where it is. Where is the file (lint),
// or the resource address and attribute (check-plan), or the chain's
// setting (check-chain), then the line and column in the document there,
// and the policy element and XML attribute.
type Finding struct {
	Rule     string         `json:"rule"`
	Severity rules.Severity `json:"severity"`
	Message  string         `json:"message"`
	// Hop is the gateway the finding is about ("apim", "app_gateway").
	Hop string `json:"hop,omitempty"`
	// Address is the Terraform resource that holds the setting and
	// Attribute the resource's attribute, in Terraform's terms
	// ("global.response_buffering_enabled"). A setting no resource holds
	// (the backend's) has no Address: Attribute names it and Source says
	// where its value came from (a flag, the profile, or how to give it).
	Address   string `json:"address,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	Source    string `json:"source,omitempty"`
	// Setting is the chain's setting the finding is about, as
	// sseready_chain_check names it ("app_gateway.global",
	// "apim.policies[0].xml", "apim.fragments.NAME").
	Setting string `json:"setting,omitempty"`
	// Line and Column are in the document that holds the finding: the
	// file, the policy in Setting or Attribute, or the fragment's when
	// Fragment is set. 0 when the finding is about the whole document or
	// about a setting that is no document.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Element is the policy element ("forward-request"; a diagnostic in
	// an APIOps tree), XMLAttribute the element's attribute that holds what
	// the finding is about (for a diagnostic, the key in its JSON file:
	// "frontend.response.body.bytes"). Element is left out when it only repeats
	// Setting.
	Element      string `json:"element,omitempty"`
	XMLAttribute string `json:"xml_attribute,omitempty"`
	// Fragment is the fragment-id of the included fragment the finding is
	// in; FragmentFile is its file, when the fragment was given as one
	// (lint --fragment).
	Fragment     string `json:"fragment,omitempty"`
	FragmentFile string `json:"fragment_file,omitempty"`
	// Reason is why the finding was accepted (severity accepted).
	Reason string `json:"reason,omitempty"`
	// Paths are the request paths the finding holds on ("product starter
	// > api chat > operation stream"); Streaming and StreamingEvidence are
	// the verdict that matters most among their APIs (yes, then unknown,
	// then no) and why. Set them with OnPaths.
	Paths             []string `json:"paths,omitempty"`
	Streaming         string   `json:"streaming,omitempty"`
	StreamingEvidence []string `json:"streaming_evidence,omitempty"`

	// File is the file the command reports the finding in: the policy
	// file (lint: the one that includes the fragment when FragmentFile is
	// set), the chain's file, the plan's file; Stdin for standard input.
	// The command's own JSON object names it.
	File string `json:"-"`
	// AcceptedBy says, for SARIF, how an accepted finding was accepted.
	AcceptedBy sarifreport.Suppression `json:"-"`
	// Related are other places a SARIF result names.
	Related []sarifreport.Location `json:"-"`
	// onPaths are Paths with their verdicts (OnPaths).
	onPaths []Path
}

// Path is a request path and whether its API streams: lint's request
// paths of an APIOps tree, and the paths in SARIF results' properties.
type Path struct {
	// Path names the path as APIM composes its policies ("product starter
	// > api chat > operation stream").
	Path string `json:"path"`
	// Workspace is the API's workspace (lint; "" at the service's root).
	// API is the API: its folder in an APIOps tree ("chat;rev=2"), its
	// resource address in a plan.
	Workspace string `json:"workspace,omitempty"`
	API       string `json:"api"`
	// Streaming is yes, no or unknown; StreamingEvidence says why.
	Streaming         string   `json:"streaming"`
	StreamingEvidence []string `json:"streaming_evidence"`
}

// Problem is an input that cannot be read, parsed or judged: a file, or a
// value of a setting, named as a Finding's place is.
type Problem struct {
	Address   string `json:"address,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	Setting   string `json:"setting,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	Message   string `json:"message"`
	// File is the file that holds the input, as for Finding.File.
	File string `json:"-"`
}

// FromRule is a rules.Finding as a report Finding: its verdict, its line
// and column, the policy element and XML attribute, fragment, setting, hop
// and reason. The caller says where it is: File, or Address and Attribute.
// An accepted finding was accepted by a comment in its policy
// (sarifreport.InSource) unless the caller says it accepted it itself.
func FromRule(f rules.Finding) Finding {
	out := Finding{
		Rule: f.Rule, Severity: f.Severity, Message: f.Message, Hop: f.Hop,
		Setting: f.Setting, Line: f.Line, Column: f.Column,
		Element: f.Element, XMLAttribute: f.Attribute, Fragment: f.Fragment, Reason: f.Reason,
	}
	if out.Element == out.Setting {
		// A chain finding on a setting that is no document names the
		// setting as its element.
		out.Element = ""
	}
	if f.Severity == rules.Accepted {
		out.AcceptedBy = sarifreport.InSource
	}
	return out
}

// OnPaths says the finding holds on paths: Paths lists them, Streaming and
// StreamingEvidence say the verdict that matters most (a path with no
// verdict counts for none), and SARIF writes each with its verdict.
func (f Finding) OnPaths(paths []Path) Finding {
	f.onPaths = slices.Clone(paths)
	f.Paths, f.Streaming, f.StreamingEvidence = nil, "", nil
	for _, p := range paths {
		f.Paths = append(f.Paths, p.Path)
	}
	f.Streaming, f.StreamingEvidence = verdictOf(paths)
	return f
}

// verdictRank orders verdicts by how much they matter to a finding: one
// that holds on an API that streams matters most.
var verdictRank = map[string]int{"yes": 0, "unknown": 1, "no": 2}

// verdictOf is the verdict that matters most among paths, and the evidence
// of every path with it, each reason once.
func verdictOf(paths []Path) (string, []string) {
	best := ""
	for _, p := range paths {
		r, ok := verdictRank[p.Streaming]
		if ok && (best == "" || r < verdictRank[best]) {
			best = p.Streaming
		}
	}
	if best == "" {
		return "", nil
	}
	evidence := []string{}
	for _, p := range paths {
		if p.Streaming != best {
			continue
		}
		for _, e := range p.StreamingEvidence {
			if !slices.Contains(evidence, e) {
				evidence = append(evidence, e)
			}
		}
	}
	return best, evidence
}

// place is where a finding or problem is, in the order the text names it:
// the resource address and attribute, or the chain's setting, or a setting
// no resource holds; "" when it is only in a file.
func place(address, attribute, setting string) string {
	switch {
	case address != "" && attribute != "":
		return address + "." + attribute
	case address != "":
		return address
	case setting != "":
		return setting
	}
	return attribute
}

// document names the document Line and Column are in, for a finding placed
// by name (not in a file): the attribute of a resource, or the setting.
func document(address, attribute, setting string) string {
	if address != "" {
		return attribute
	}
	return place("", attribute, setting)
}
