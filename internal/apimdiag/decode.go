package apimdiag

import (
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// Keys are the keys a diagnostic object may hold: azurerm's arguments of
// azurerm_api_management_api_diagnostic and _diagnostic, every attribute
// of sseready_apim_diagnostic, and "scope" ("global" for the All APIs
// one). Keys that do not change the stream are accepted and not read; any
// other is an error, since a misspelt one would otherwise be ignored.
var Keys = []string{
	"always_log_errors", "api_management_logger_id", "api_management_name", "api_name",
	"backend_request", "backend_response", "data_masking", "frontend_request", "frontend_response",
	"headers_to_log", "http_correlation_protocol", "id", "identifier", "log_client_ip",
	"operation_name_format", "resource_group_name", "sampling_percentage", "scope", "timeouts", "verbosity",
}

// BlockKeys are the keys of one logging block.
var BlockKeys = []string{"body_bytes", "data_masking", "headers_to_log"}

// ValidateIdentifier checks a diagnostic's identifier; field names it.
func ValidateIdentifier(field, id string) *input.Error {
	if id != ApplicationInsights && id != AzureMonitor {
		return input.Errorf(field, "%q is not a diagnostic identifier: use %s or %s", id, ApplicationInsights, AzureMonitor)
	}
	return nil
}

// Decode reads a diagnostic object at path (see Keys). A block left out
// is left out of Blocks: what APIM logs there is not known. Values unknown
// yet are recorded in r.
func Decode(r *plain.Reader, m map[string]any, path string) Diagnostic {
	r.Keys(m, path, Keys...)
	d := Diagnostic{Blocks: map[string]*Block{}}
	idPath := plain.Join(path, FieldIdentifier)
	if _, given := m[FieldIdentifier]; !given {
		r.Fail(idPath, "is required: %s or %s", ApplicationInsights, AzureMonitor)
	}
	if id, ok := r.String(m, path, FieldIdentifier); ok {
		if err := ValidateIdentifier(idPath, id); err != nil {
			r.Errs = append(r.Errs, err)
		}
		d.Identifier = id
	}
	switch s, _ := r.String(m, path, "scope"); s {
	case "", "api":
	case "global":
		d.Global = true
	default:
		r.Fail(plain.Join(path, "scope"), "%q is not a diagnostic scope: use api (azurerm_api_management_api_diagnostic) or global (azurerm_api_management_diagnostic)", s)
	}
	for _, name := range Blocks {
		bp := plain.Join(path, name)
		b := r.Block(m, path, name)
		if b == nil {
			continue
		}
		r.Keys(b, bp, BlockKeys...)
		blk := Block{}
		if n := r.Int(b, bp, "body_bytes"); n != nil {
			blk.BodyBytes = *n
			if err := ValidateBlock(plain.Join(bp, "body_bytes"), blk); err != nil {
				r.Errs = append(r.Errs, err)
			}
		}
		d.Blocks[name] = &blk
	}
	return d
}
