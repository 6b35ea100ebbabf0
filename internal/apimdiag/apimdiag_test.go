package apimdiag

import (
	"fmt"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestDerive(t *testing.T) {
	s, errs := Derive(Spec{
		Identifier:         ApplicationInsights,
		SamplingPercentage: ptr(25.0),
		Verbosity:          "information",
		LogClientIP:        ptr(true),
		HeadersToLog:       map[string][]string{"frontend_request": {"X-Request-Id"}, "backend_response": {"Content-Type"}},
		DataMasking:        map[string]DataMasking{"frontend_request": {QueryParams: []Masking{{Mode: "Hide", Value: "code"}}}},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(s.Blocks) != 4 {
		t.Fatalf("blocks %v: all four must be written", s.Blocks)
	}
	for name, b := range s.Blocks {
		if b.BodyBytes != 0 {
			t.Errorf("%s: body_bytes %d", name, b.BodyBytes)
		}
	}
	if got := s.Blocks["frontend_request"]; len(got.HeadersToLog) != 1 || got.DataMasking == nil || got.DataMasking.QueryParams[0].Value != "code" {
		t.Errorf("frontend_request %+v", got)
	}
	if got := s.Blocks["backend_request"]; got.HeadersToLog != nil || got.DataMasking != nil {
		t.Errorf("backend_request %+v", got)
	}
	if *s.SamplingPercentage != 25 || s.Verbosity != "information" || !*s.LogClientIP || s.AlwaysLogErrors != nil {
		t.Errorf("choices not kept: %+v", s.Spec)
	}
}

func TestDeriveInputErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"identifier", Spec{Identifier: "eventhub"}, []string{`identifier: "eventhub" is not a diagnostic identifier`}},
		{"sampling over 100", Spec{Identifier: AzureMonitor, SamplingPercentage: ptr(100.5)}, []string{"sampling_percentage: 100.5 is outside 0 to 100"}},
		{"negative sampling", Spec{Identifier: AzureMonitor, SamplingPercentage: ptr(-1.0)}, []string{"sampling_percentage: -1 is outside 0 to 100"}},
		{"verbosity", Spec{Identifier: AzureMonitor, Verbosity: "debug"}, []string{`verbosity: "debug" is not one of verbose, information, error`}},
		{"correlation", Spec{Identifier: AzureMonitor, HTTPCorrelationProtocol: "w3c"}, []string{`http_correlation_protocol: "w3c" is not one of None, Legacy, W3C`}},
		{"operation name for azuremonitor", Spec{Identifier: AzureMonitor, OperationNameFormat: "Url"}, []string{"operation_name_format: applies to applicationinsights only"}},
		{"unknown block", Spec{Identifier: AzureMonitor, HeadersToLog: map[string][]string{"request": {"a"}}}, []string{`headers_to_log: "request" is not a logging block`}},
		{"empty header", Spec{Identifier: AzureMonitor, HeadersToLog: map[string][]string{"backend_request": {" "}}}, []string{"headers_to_log: backend_request lists an empty header name"}},
		{"masking mode unknown", Spec{Identifier: AzureMonitor, DataMasking: map[string]DataMasking{"backend_request": {QueryParams: []Masking{{Mode: "Bogus", Value: "key"}}}}}, []string{`data_masking: backend_request: mode "Bogus" is not Mask or Hide`}},
		{"masking without value", Spec{Identifier: AzureMonitor, DataMasking: map[string]DataMasking{"frontend_request": {Headers: []Masking{{Mode: "Mask"}}}}}, []string{"data_masking: frontend_request: every masking rule needs a mode and a value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := Derive(tt.spec)
			if len(errs) != len(tt.want) {
				t.Fatalf("errors %v, want %v", errs, tt.want)
			}
			for i, e := range errs {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("%q, want %q", e, tt.want[i])
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	off := &Block{}
	all := func(b *Block) map[string]*Block {
		return map[string]*Block{"frontend_request": b, "frontend_response": b, "backend_request": b, "backend_response": b}
	}
	tests := []struct {
		name string
		d    Diagnostic
		want string
		// mayLog: the checker's reading (a block left out may log);
		// written: the emulator's (only the blocks written count).
		mayLog, written bool
	}{
		{"all four off", Diagnostic{Identifier: ApplicationInsights, Blocks: all(off)}, "", false, false},
		{"one block logs", Diagnostic{Identifier: AzureMonitor, Blocks: map[string]*Block{
			"frontend_request": off, "frontend_response": {BodyBytes: 1024}, "backend_request": off, "backend_response": off}},
			"SSE202 error", true, true},
		{"a block left out", Diagnostic{Identifier: ApplicationInsights, Blocks: map[string]*Block{
			"frontend_request": off, "frontend_response": off, "backend_request": off}},
			"SSE203 warning", true, false},
		{"global logs everywhere", Diagnostic{Global: true, Identifier: ApplicationInsights, Blocks: all(&Block{BodyBytes: 8192})},
			"SSE202 error, SSE202 error, SSE202 error, SSE202 error", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Check(tt.d)
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%s %s", f.Rule, f.Severity))
			}
			if strings.Join(got, ", ") != tt.want {
				t.Errorf("findings %v, want %q", got, tt.want)
			}
			if MayLogBodies(tt.d) != tt.mayLog || WrittenBlocksLogBodies(tt.d) != tt.written {
				t.Errorf("MayLogBodies = %v, WrittenBlocksLogBodies = %v; want %v, %v", !tt.mayLog, WrittenBlocksLogBodies(tt.d), tt.mayLog, tt.written)
			}
		})
	}
	fs := Check(Diagnostic{Global: true, Identifier: AzureMonitor, Blocks: map[string]*Block{
		"frontend_request": off, "frontend_response": {BodyBytes: 512}, "backend_request": off, "backend_response": off}})
	if want := "the global (All APIs) diagnostic (azuremonitor) logs 512 bytes of each body in frontend_response, which buffers the stream: set body_bytes = 0"; fs[0].Message != want {
		t.Errorf("message %q", fs[0].Message)
	}
}

func TestValidateBlock(t *testing.T) {
	if err := ValidateBlock("x", Block{BodyBytes: 8193}); err == nil || err.Error() != "x: 8193 is outside 0 to 8192" {
		t.Errorf("%v", err)
	}
	if err := ValidateBlock("x", Block{BodyBytes: -1}); err == nil {
		t.Error("negative body_bytes accepted")
	}
	if err := ValidateBlock("x", Block{BodyBytes: 8192}); err != nil {
		t.Error(err)
	}
}

// CheckBlocks gives one finding per block, each naming its setting as the
// front end does; a request block's says it does not hold the response.
// Check is left as it was (the chain check reads it).
func TestCheckBlocks(t *testing.T) {
	d := Diagnostic{Identifier: ApplicationInsights, Blocks: map[string]*Block{
		"frontend_request": {BodyBytes: 256}, "frontend_response": {BodyBytes: 1024}, "backend_request": {}}}
	tests := []struct {
		name   string
		naming Naming
		want   []string // block, element, rule, severity, request
	}{
		{"ARM", ARMNaming, []string{
			"frontend_request frontend.request.body.bytes SSE202 error true",
			"frontend_response frontend.response.body.bytes SSE202 error false",
			"backend_response backend_response SSE203 warning false",
		}},
		{"azurerm", nil, []string{
			"frontend_request frontend_request.body_bytes SSE202 error true",
			"frontend_response frontend_response.body_bytes SSE202 error false",
			"backend_response backend_response SSE203 warning false",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := CheckBlocks(d, tt.naming)
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%s %s %s %s %v", f.Block, f.Element, f.Rule, f.Severity, f.Request))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !strings.Contains(fs[0].Message, "not the stream (it does not hold the response)") || strings.Contains(fs[1].Message, "not the stream") {
				t.Errorf("request: %q\nresponse: %q", fs[0].Message, fs[1].Message)
			}
			if !strings.Contains(fs[1].Message, "which buffers the stream") {
				t.Errorf("response: %q", fs[1].Message)
			}
		})
	}
	// Check still reports the same findings, in azurerm's words.
	var rules []string
	for _, f := range Check(d) {
		rules = append(rules, f.Rule+" "+f.Element)
	}
	if want := "SSE202 frontend_request.body_bytes, SSE202 frontend_response.body_bytes, SSE203 backend_response"; strings.Join(rules, ", ") != want {
		t.Errorf("Check: %v, want %s", rules, want)
	}
}
