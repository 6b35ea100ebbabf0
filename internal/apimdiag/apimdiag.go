// Package apimdiag writes and checks API Management diagnostic settings
// (azurerm_api_management_api_diagnostic and _diagnostic) for SSE APIs:
// request and response body logging off in all four logging blocks, the
// user's other choices kept.
package apimdiag

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// Identifiers azurerm takes.
const (
	ApplicationInsights = "applicationinsights"
	AzureMonitor        = "azuremonitor"
)

// Blocks are the four logging blocks, in azurerm's names.
var Blocks = []string{"frontend_request", "frontend_response", "backend_request", "backend_response"}

// MaxBodyBytes is azurerm's limit on body_bytes.
const MaxBodyBytes = 8192

// Names of the inputs, as errors report them.
const (
	FieldIdentifier  = "identifier"
	FieldSampling    = "sampling_percentage"
	FieldVerbosity   = "verbosity"
	FieldCorrelation = "http_correlation_protocol"
	FieldOpName      = "operation_name_format"
	FieldHeaders     = "headers_to_log"
	FieldDataMasking = "data_masking"
)

// Masking is one data_masking rule: a header or query parameter and how
// to mask it.
type Masking struct{ Mode, Value string }

// DataMasking is a block's data_masking.
type DataMasking struct{ Headers, QueryParams []Masking }

// Block is one logging block as azurerm takes it.
type Block struct {
	BodyBytes    int64
	HeadersToLog []string
	DataMasking  *DataMasking
}

// Spec is the user's choices for a diagnostic.
type Spec struct {
	Identifier              string
	SamplingPercentage      *float64
	Verbosity               string
	AlwaysLogErrors         *bool
	LogClientIP             *bool
	HTTPCorrelationProtocol string
	OperationNameFormat     string
	// HeadersToLog and DataMasking are keyed by block name.
	HeadersToLog map[string][]string
	DataMasking  map[string]DataMasking
}

// Settings are the values for azurerm: the user's choices, and all four
// blocks with body_bytes = 0.
type Settings struct {
	Spec
	Blocks map[string]Block
}

// Derive validates the choices and writes the settings.
func Derive(spec Spec) (Settings, []*input.Error) {
	errs := spec.validate()
	if len(errs) > 0 {
		return Settings{}, errs
	}
	s := Settings{Spec: spec, Blocks: map[string]Block{}}
	for _, name := range Blocks {
		b := Block{BodyBytes: 0, HeadersToLog: spec.HeadersToLog[name]}
		if dm, ok := spec.DataMasking[name]; ok {
			dm := dm
			b.DataMasking = &dm
		}
		s.Blocks[name] = b
	}
	return s, nil
}

func (spec Spec) validate() []*input.Error {
	var errs []*input.Error
	fail := func(field, format string, args ...any) { errs = append(errs, input.Errorf(field, format, args...)) }
	if err := ValidateIdentifier(FieldIdentifier, spec.Identifier); err != nil {
		errs = append(errs, err)
	}
	if p := spec.SamplingPercentage; p != nil && (*p < 0 || *p > 100) {
		fail(FieldSampling, "%v is outside 0 to 100", *p)
	}
	oneOf(&errs, FieldVerbosity, spec.Verbosity, "verbose", "information", "error")
	oneOf(&errs, FieldCorrelation, spec.HTTPCorrelationProtocol, "None", "Legacy", "W3C")
	oneOf(&errs, FieldOpName, spec.OperationNameFormat, "Name", "Url")
	if spec.OperationNameFormat != "" && spec.Identifier == AzureMonitor {
		fail(FieldOpName, "applies to applicationinsights only; leave it out for azuremonitor")
	}
	for _, k := range slices.Sorted(maps.Keys(spec.HeadersToLog)) {
		if !isBlock(k) {
			fail(FieldHeaders, "%q is not a logging block: use %s", k, strings.Join(Blocks, ", "))
		}
		for _, h := range spec.HeadersToLog[k] {
			if strings.TrimSpace(h) == "" {
				fail(FieldHeaders, "%s lists an empty header name", k)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec.DataMasking)) {
		if !isBlock(k) {
			fail(FieldDataMasking, "%q is not a logging block: use %s", k, strings.Join(Blocks, ", "))
		}
		dm := spec.DataMasking[k]
		for _, m := range append(append([]Masking(nil), dm.Headers...), dm.QueryParams...) {
			switch {
			case strings.TrimSpace(m.Mode) == "" || strings.TrimSpace(m.Value) == "":
				fail(FieldDataMasking, "%s: every masking rule needs a mode and a value", k)
			case m.Mode != "Mask" && m.Mode != "Hide":
				// The ARM API's DataMaskingMode has these two values.
				fail(FieldDataMasking, "%s: mode %q is not Mask or Hide", k, m.Mode)
			}
		}
	}
	return errs
}

func oneOf(errs *[]*input.Error, field, v string, allowed ...string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	*errs = append(*errs, input.Errorf(field, "%q is not one of %s", v, strings.Join(allowed, ", ")))
}

func isBlock(name string) bool {
	for _, b := range Blocks {
		if b == name {
			return true
		}
	}
	return false
}

// Diagnostic is a diagnostic as it stands in a configuration, for the
// chain check.
type Diagnostic struct {
	// Global is true for azurerm_api_management_diagnostic (All APIs).
	Global     bool
	Identifier string
	// Blocks holds the blocks written; a block left out is missing.
	Blocks map[string]*Block
}

// ValidateBlock checks body_bytes against azurerm's range; field names
// the body_bytes setting.
func ValidateBlock(field string, b Block) *input.Error {
	if b.BodyBytes < 0 || b.BodyBytes > MaxBodyBytes {
		return input.Errorf(field, "%d is outside 0 to %d", b.BodyBytes, MaxBodyBytes)
	}
	return nil
}

// Check reports body logging in one diagnostic: a block that logs bodies,
// and a block left out (which keeps whatever APIM logs).
func Check(d Diagnostic) []rules.Finding {
	var out []rules.Finding
	where := "the API's diagnostic"
	if d.Global {
		where = "the global (All APIs) diagnostic"
	}
	for _, name := range Blocks {
		b, ok := d.Blocks[name]
		switch {
		case !ok || b == nil:
			out = append(out, finding(rules.DiagnosticBlockLeft, rules.Warning, name,
				"%s (%s) leaves out %s, so body logging already set there stays on: write the block with body_bytes = 0", where, d.Identifier, name))
		case b.BodyBytes > 0:
			out = append(out, finding(rules.DiagnosticBodyLogging, rules.Error, name+".body_bytes",
				"%s (%s) logs %d bytes of each body in %s, which buffers the stream: set body_bytes = 0", where, d.Identifier, b.BodyBytes, name))
		}
	}
	return out
}

// BlockFinding is a finding of CheckBlocks: what one logging block does.
type BlockFinding struct {
	rules.Finding
	// Block is the block, in azurerm's name ("frontend_request").
	Block string
	// Request is true for a request block (frontend_request,
	// backend_request): logging its body does not hold the response.
	Request bool
}

// Naming gives the name a front end uses for a block's body setting:
// azurerm's "frontend_response.body_bytes" (AzurermNaming) or ARM's
// "frontend.response.body.bytes" (ARMNaming).
type Naming func(block string) string

// AzurermNaming names body settings as azurerm does.
func AzurermNaming(block string) string { return block + ".body_bytes" }

// ARMNaming names body settings as ARM's JSON does (an APIOps tree's
// diagnosticInformation.json, under properties).
func ARMNaming(block string) string {
	side, msg, _ := strings.Cut(block, "_")
	return side + "." + msg + ".body.bytes"
}

// CheckBlocks is Check with one finding per block, each naming the block
// and its setting as name gives it (Element), and saying what the block's
// body logging does: logging a response body buffers the stream; logging
// a request body can delay the request, not the stream, since it does not
// hold the response. Both are SSE202: Microsoft's SSE guidance asks
// for body logging off in every block. Check itself is unchanged.
func CheckBlocks(d Diagnostic, name Naming) []BlockFinding {
	if name == nil {
		name = AzurermNaming
	}
	var out []BlockFinding
	where := "the API's diagnostic"
	if d.Global {
		where = "the global (All APIs) diagnostic"
	}
	for _, block := range Blocks {
		b, ok := d.Blocks[block]
		side, msg, _ := strings.Cut(block, "_")
		request := msg == "request"
		var f rules.Finding
		switch {
		case !ok || b == nil:
			f = finding(rules.DiagnosticBlockLeft, rules.Warning, block,
				"%s (%s) leaves out its %s %s block, so body logging already set there stays on: write the block with %s = 0", where, d.Identifier, side, msg, name(block))
		case b.BodyBytes > 0 && request:
			f = finding(rules.DiagnosticBodyLogging, rules.Error, name(block),
				"%s (%s) logs %d bytes of each %s request body (%s): that can delay the request, not the stream (it does not hold the response); Microsoft's SSE guidance asks for body logging off in every block: set it to 0", where, d.Identifier, b.BodyBytes, side, name(block))
		case b.BodyBytes > 0:
			f = finding(rules.DiagnosticBodyLogging, rules.Error, name(block),
				"%s (%s) logs %d bytes of each %s response body (%s), which buffers the stream: set it to 0", where, d.Identifier, b.BodyBytes, side, name(block))
		default:
			continue
		}
		out = append(out, BlockFinding{Finding: f, Block: block, Request: request})
	}
	return out
}

// AppliesToAPI reports whether d is in force for the API whose
// diagnostics are all: an API-scope diagnostic is; a global (All APIs) one
// is unless an API-scope diagnostic with the same identifier overrides it
// (FACTS.md: override them per API).
func AppliesToAPI(d Diagnostic, all []Diagnostic) bool {
	if !d.Global {
		return true
	}
	for _, o := range all {
		if !o.Global && o.Identifier == d.Identifier {
			return false
		}
	}
	return true
}

// MayLogBodies reports whether a diagnostic may log bodies: a block logs
// them, or is left out and so may keep what APIM logs there. This is the
// checker's reading: it warns about what it cannot see.
func MayLogBodies(d Diagnostic) bool {
	for _, name := range Blocks {
		if b, ok := d.Blocks[name]; !ok || b == nil || b.BodyBytes > 0 {
			return true
		}
	}
	return false
}

// WrittenBlocksLogBodies reports whether a block the diagnostic writes
// logs bodies. This is the emulator's reading: it enacts only what the
// settings say, since a block left out keeps a value it cannot know.
func WrittenBlocksLogBodies(d Diagnostic) bool {
	for _, blk := range d.Blocks {
		if blk != nil && blk.BodyBytes > 0 {
			return true
		}
	}
	return false
}

// finding is a rule's finding on element, the block or attribute that
// holds the setting ("frontend_response.body_bytes").
func finding(id string, sev rules.Severity, element, format string, args ...any) rules.Finding {
	f := rules.MustLookup(id).Finding(0, 0, element, "%s", fmt.Sprintf(format, args...))
	f.Severity = sev
	return f
}
