// Package sarifreport writes sseready's findings as a SARIF 2.1.0 log, the
// format code scanning reads (GitHub's upload-sarif, Azure DevOps, editors).
// It owns the SARIF mechanics: the tool and its rules, levels, locations,
// suppressions and notifications. It knows nothing of where the findings
// come from, nor what a result's properties say: package report turns the
// findings of `sseready lint`, `check-chain` and `check-plan` into Results,
// each with its Location (a place in a file, a named thing such as a
// resource address, or both) and its properties.
//
// The log has one run. Its tool is sseready with one SARIF rule per entry
// of the rule catalogue, so a viewer can explain any rule, found or not.
// Accepted findings are results with a suppression; inputs that could not
// be read are notifications of the run's invocation, which is then not
// successful. The SARIF objects are the go-sarif library's: this package
// builds them, it does not spell SARIF out by hand.
package sarifreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// RulesGuideURL is the rules guide in the provider's published docs. A
// rule's help URI is this with the lower-case rule ID as anchor.
const RulesGuideURL = "https://registry.terraform.io/providers/sseready/sseready/latest/docs/guides/sse-rules"

// InformationURL is sseready's documentation, the tool's informationUri.
const InformationURL = "https://registry.terraform.io/providers/sseready/sseready/latest/docs"

// SourceRoot is the uriBaseId of every relative artifact URI: the
// directory the tool ran in, which code scanning takes as the checkout.
const SourceRoot = "%SRCROOT%"

// Stdin is the File of a Location in standard input: the name the
// commands print for it.
const Stdin = "<stdin>"

// Location is where a finding is: a place in a file (File, with Line and
// Column where known), a logical place (Address, such as the Terraform
// resource address "azurerm_api_management_api_policy.chat"), or both.
// At least one of File and Address is set.
type Location struct {
	// File is a path, absolute or relative to the working directory, or
	// Stdin. It is written relative to Log.WorkDir when it lies inside it.
	File string
	// Line and Column are 1-based, Column counting Unicode characters; a
	// Line of 0 means the file as a whole (no region), a Column of 0 the
	// whole line.
	Line, Column int
	// Address names the place logically; AddressKind says what it is
	// (SARIF's logical location kinds: "resource" when empty).
	Address     string
	AddressKind string
	// Note says what this place is, for a related location ("the policy
	// that includes fragment orders-auth").
	Note string
}

// Suppression says how an accepted finding was accepted.
type Suppression string

const (
	// InSource: by a comment in the document itself
	// (<!-- sseready:accept ... -->).
	InSource Suppression = "inSource"
	// External: outside the document (--accept, accepted_rules, a
	// configuration file).
	External Suppression = "external"
)

// Result is one finding and where it is.
type Result struct {
	// Finding is the verdict: its Rule, Severity, Message and, for an
	// accepted finding, Reason are read; At says where it is, and
	// Properties carry the rest.
	Finding rules.Finding
	At      Location
	// Related are other places the finding concerns, each with its Note.
	Related []Location
	// AcceptedBy says how an accepted finding (severity Accepted) was
	// accepted; empty means External.
	AcceptedBy Suppression
	// Properties go to the result's property bag as they are (values that
	// encode as JSON); nil or empty writes none.
	Properties map[string]any
}

// Problem is an input that could not be read or parsed: a notification
// of the run, which makes the invocation unsuccessful.
type Problem struct {
	At      Location
	Message string
}

// Log is everything one run reports.
type Log struct {
	// ToolName is the driver's name ("sseready"), Version the build's.
	ToolName, Version string
	// WorkDir is the absolute directory the tool ran in: files inside it
	// are written relative to it. Empty: paths are written as given.
	WorkDir  string
	Results  []Result
	Problems []Problem
}

// Build makes the SARIF log. It fails on a finding of a rule that is not
// in the catalogue, or on a Location with neither File nor Address.
func Build(l Log) (*sarif.Report, error) {
	run := sarif.NewRunWithInformationURI(l.ToolName, InformationURL)
	run.Tool.Driver.WithVersion(l.Version)
	// apimpolicy counts columns in Unicode characters.
	run.WithColumnKind("unicodeCodePoints")
	if l.WorkDir != "" {
		root := fileURI(l.WorkDir)
		if !strings.HasSuffix(root, "/") {
			root += "/"
		}
		run.WithOriginalUriBaseIds(map[string]sarif.ArtifactLocation{
			SourceRoot: *sarif.NewArtifactLocation().WithURI(root),
		})
	}
	for _, r := range rules.All() {
		run.Tool.Driver.AddRule(descriptor(r))
	}

	for i, res := range l.Results {
		f := res.Finding
		rule, ok := rules.Lookup(f.Rule)
		if !ok {
			return nil, fmt.Errorf("result %d: %q is not a rule of the catalogue", i, f.Rule)
		}
		loc, err := l.location(res.At)
		if err != nil {
			return nil, fmt.Errorf("result %d (%s): %w", i, f.Rule, err)
		}
		out := run.CreateResultForRule(f.Rule).
			WithLevel(level(f.Severity, rule)).
			WithMessage(sarif.NewTextMessage(f.Message)).
			AddLocation(loc)
		for _, rel := range res.Related {
			rl, err := l.location(rel)
			if err != nil {
				return nil, fmt.Errorf("result %d (%s), related location: %w", i, f.Rule, err)
			}
			out.AddRelatedLocation(rl)
		}
		if len(res.Properties) > 0 {
			props := sarif.NewPropertyBag()
			for k, v := range res.Properties {
				props.Add(k, v)
			}
			out.WithProperties(props)
		}
		if f.Severity == rules.Accepted {
			kind := res.AcceptedBy
			if kind == "" {
				kind = External
			}
			out.AddSuppression(sarif.NewSuppression().
				WithKind(string(kind)).
				WithStatus("accepted").
				WithJustification(f.Reason))
		}
	}

	inv := sarif.NewInvocation().WithExecutionSuccessful(len(l.Problems) == 0)
	for i, p := range l.Problems {
		n := sarif.NewNotification().WithLevel(sarif.LevelError).WithMessage(sarif.NewTextMessage(p.Message))
		if p.At.File != "" || p.At.Address != "" {
			loc, err := l.location(p.At)
			if err != nil {
				return nil, fmt.Errorf("problem %d: %w", i, err)
			}
			n.AddLocation(loc)
		}
		inv.AddToolExecutionNotification(n)
	}
	run.AddInvocation(inv)

	return sarif.NewReport().AddRun(run), nil
}

// Write writes the log as indented JSON, keeping <, > and & as written
// (policies are XML: messages quote elements). go-sarif encodes property
// bags with json.Marshal, which escapes them; that is undone here too.
func Write(w io.Writer, r *sarif.Report) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	_, err := w.Write(unescapeHTML(buf.Bytes()))
	return err
}

// unescapeHTML turns the escapes \u003c, \u003e and \u0026 of valid JSON
// back into <, > and &. Every backslash in valid JSON begins an escape in
// a string, so one that begins another escape is copied with the
// character it escapes ("\\u003c" stays as it is).
func unescapeHTML(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if i+6 <= len(b) {
			switch string(b[i+1 : i+6]) {
			case "u003c":
				out, i = append(out, '<'), i+5
				continue
			case "u003e":
				out, i = append(out, '>'), i+5
				continue
			case "u0026":
				out, i = append(out, '&'), i+5
				continue
			}
		}
		out, i = append(out, b[i], b[i+1]), i+1
	}
	return out
}

// HelpURI is the rule's section in the rules guide.
func HelpURI(id string) string { return RulesGuideURL + "#" + strings.ToLower(id) }

// Level is the SARIF level of a severity: error, warning, and note for
// info. An accepted finding keeps its rule's usual level (it is reported
// suppressed).
func Level(s rules.Severity, r rules.Rule) string { return level(s, r) }

func level(s rules.Severity, r rules.Rule) string {
	switch s {
	case rules.Error:
		return sarif.LevelError
	case rules.Warning:
		return sarif.LevelWarning
	case rules.Info:
		return sarif.LevelNote
	case rules.Accepted:
		if r.Severity == rules.Accepted { // no rule is, but never loop
			return sarif.LevelNote
		}
		return level(r.Severity, r)
	}
	return sarif.LevelWarning
}

// descriptor is the SARIF rule of a catalogue entry.
func descriptor(r rules.Rule) *sarif.ReportingDescriptor {
	help := HelpURI(r.ID)
	markdown := fmt.Sprintf("**Fix.** %s\n\n[%s in the SSE rules guide](%s)", r.Fix, r.ID, help)
	tags := []string{"sse"}
	if r.Hop != "" {
		tags = append(tags, r.Hop)
	}
	props := sarif.NewPropertyBag().WithTags(tags)
	props.Add("autoFix", r.AutoFix)
	return sarif.NewRule(r.ID).
		WithName(r.Name).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(r.Summary)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(r.Why)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(r.Fix).WithMarkdown(markdown)).
		WithHelpURI(help).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(r.Severity, r))).
		WithProperties(props)
}

// location is the SARIF location of at.
func (l Log) location(at Location) (*sarif.Location, error) {
	if at.File == "" && at.Address == "" {
		return nil, fmt.Errorf("a location needs a file or an address")
	}
	loc := sarif.NewLocation()
	if at.File != "" {
		phys := sarif.NewPhysicalLocation().WithArtifactLocation(l.artifact(at.File))
		if at.Line > 0 {
			reg := sarif.NewRegion().WithStartLine(at.Line)
			if at.Column > 0 {
				reg.WithStartColumn(at.Column)
			}
			phys.WithRegion(reg)
		}
		loc.WithPhysicalLocation(phys)
	}
	if at.Address != "" {
		kind := at.AddressKind
		if kind == "" {
			kind = "resource"
		}
		loc.AddLogicalLocation(sarif.NewLogicalLocation().
			WithName(at.Address).
			WithFullyQualifiedName(at.Address).
			WithKind(kind))
	}
	if at.Note != "" {
		loc.WithMessage(sarif.NewTextMessage(at.Note))
	}
	return loc, nil
}

// artifact is the artifact location of file: relative to the working
// directory (uriBaseId %SRCROOT%) when it lies inside it, else a file URI.
// Standard input has no URI, only a description.
func (l Log) artifact(file string) *sarif.ArtifactLocation {
	a := sarif.NewArtifactLocation()
	if file == Stdin {
		return a.WithDescription(sarif.NewTextMessage("standard input"))
	}
	abs := file
	if !filepath.IsAbs(file) && l.WorkDir != "" {
		abs = filepath.Join(l.WorkDir, file)
	}
	if l.WorkDir != "" {
		if rel, err := filepath.Rel(l.WorkDir, abs); err == nil && filepath.IsLocal(rel) {
			return a.WithURI(relativeURI(rel)).WithURIBaseID(SourceRoot)
		}
	}
	if !filepath.IsAbs(abs) {
		// No working directory to resolve against: as given.
		return a.WithURI(relativeURI(filepath.Clean(abs))).WithURIBaseID(SourceRoot)
	}
	return a.WithURI(fileURI(abs))
}

// relativeURI is a relative path as a URI reference: forward slashes,
// each segment escaped ("policy fragments" -> "policy%20fragments").
func relativeURI(rel string) string {
	segs := strings.Split(filepath.ToSlash(rel), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	// A colon in the first segment would read as a scheme ("c:x").
	segs[0] = strings.ReplaceAll(segs[0], ":", "%3A")
	return strings.Join(segs, "/")
}

// fileURI is the file: URI of an absolute path.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // a Windows drive: C:/x -> /C:/x
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
