package gateway

import (
	"fmt"
	"os"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/appgw"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// A settings file is jsonencode() of a data source (all its attributes,
// inputs and outputs), or of azurerm's arguments. It is read by the same
// decoder as the hop of sseready_chain_check (appgw.Decode,
// apimdiag.Decode), so the keys it takes and the messages it gives are
// theirs; only the file name is added.

// readSettingsFile reads path as one JSON object.
func readSettingsFile(path, what string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := plain.FromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s:%s: the file must be JSON, such as jsonencode() of %s", path, strings.TrimPrefix(strings.Replace(err.Error(), ", column ", ":", 1), "line "), what)
	}
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil, fmt.Errorf("%s: is null: write the settings as a JSON object, such as jsonencode() of %s", path, what)
		}
		return nil, fmt.Errorf("%s: must be a JSON object, such as jsonencode() of %s, not %s", path, what, plain.Describe(v))
	}
	return m, nil
}

// fileError names the file in the first problem the decoder found.
func fileError(path string, r *plain.Reader) error {
	if len(r.Errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", path, r.Errs[0])
}

// AppGWSettingsFile reads Application Gateway settings from JSON: the
// outputs of sseready_appgw_settings, or azurerm's shape (a global block,
// request_timeout). A missing global block means the gateway's default:
// buffering on; a missing request_timeout azurerm's, 30 s.
func AppGWSettingsFile(path string) (*AppGW, error) {
	m, err := readSettingsFile(path, "sseready_appgw_settings")
	if err != nil {
		return nil, err
	}
	r := &plain.Reader{}
	g := appgw.Decode(r, m, "")
	if err := fileError(path, r); err != nil {
		return nil, err
	}
	return &AppGW{ResponseBuffering: g.ResponseBuffering(), RequestTimeout: g.Timeout()}, nil
}

// DiagnosticFile reads a diagnostic from JSON: the outputs of
// sseready_apim_diagnostic, or azurerm's arguments (identifier and the
// four blocks with body_bytes). "scope": "global" marks the All APIs one.
// A block left out is not read: what APIM logs there is not known.
func DiagnosticFile(path string) (apimdiag.Diagnostic, error) {
	m, err := readSettingsFile(path, "sseready_apim_diagnostic")
	if err != nil {
		return apimdiag.Diagnostic{}, err
	}
	r := &plain.Reader{}
	d := apimdiag.Decode(r, m, "")
	return d, fileError(path, r)
}
