package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
)

// The keys a settings file may hold. A file is jsonencode() of a data
// source (all its attributes, inputs and outputs), or of azurerm's
// arguments; keys that do not change the stream are accepted and not
// read. Any other key is an error, since a misspelt one would otherwise
// leave the hop on a default without a word. The provider's tests check
// these lists against the data sources' schemas.
var (
	// AppGWSettingsKeys: sseready_appgw_settings, and the app_gateway
	// object of sseready_chain_check (azurerm's global block).
	AppGWSettingsKeys = []string{
		"backend_response_headers", "findings", "global", "heartbeat_interval", "max_event_gap",
		"max_time_to_headers", "request_buffering", "request_buffering_enabled", "request_timeout",
		"response_buffering_enabled", "sku_name", "waf_body_inspection", "waf_request_body_check",
	}
	// DiagnosticKeys: sseready_apim_diagnostic, azurerm's
	// azurerm_api_management_api_diagnostic and _diagnostic, and a
	// diagnostic of sseready_chain_check (scope).
	DiagnosticKeys = []string{
		"always_log_errors", "api_management_logger_id", "api_management_name", "api_name",
		"backend_request", "backend_response", "data_masking", "frontend_request", "frontend_response",
		"headers_to_log", "http_correlation_protocol", "id", "identifier", "log_client_ip",
		"operation_name_format", "resource_group_name", "sampling_percentage", "scope", "timeouts", "verbosity",
	}
	logBlockKeys = []string{"body_bytes", "data_masking", "headers_to_log"}
)

// settingsFile is a settings file being read; its errors name the file.
type settingsFile struct {
	path string
	obj  map[string]json.RawMessage
}

// readSettingsFile reads path as one JSON object (a UTF-8 BOM is
// skipped) whose keys are all in allowed.
func readSettingsFile(path, what string, allowed []string) (*settingsFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	f := &settingsFile{path: path}
	if err := json.Unmarshal(data, &f.obj); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := lineCol(data, syn.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %v: the file must be JSON, such as jsonencode() of %s", path, line, col, syn, what)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("%s: must be a JSON object, such as jsonencode() of %s, not %s", path, what, jsonKind[typ.Value])
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.obj == nil {
		return nil, fmt.Errorf("%s: is null: write the settings as a JSON object, such as jsonencode() of %s", path, what)
	}
	for _, k := range slices.Sorted(maps.Keys(f.obj)) {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("%s: unknown key %q: a file of %s holds %s", path, k, what, strings.Join(allowed, ", "))
		}
	}
	return f, nil
}

var jsonKind = map[string]string{"array": "an array", "number": "a number", "string": "a string", "bool": "true or false"}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 1), int64(len(data)))
	before := data[:off-1]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off-1) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func (f *settingsFile) errorf(key, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %s", f.path, key, fmt.Sprintf(format, args...))
}

func isNull(raw json.RawMessage) bool { return raw == nil || string(bytes.TrimSpace(raw)) == "null" }

// value decodes key into into, saying what type it should be; a missing
// or null key leaves into alone and returns false.
func (f *settingsFile) value(obj map[string]json.RawMessage, key, path, want string, into any) (bool, error) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return false, nil
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return false, f.errorf(path, "must be %s, not %s", want, raw)
	}
	return true, nil
}

// block decodes key as an object, or as azurerm state's list of at most
// one object; nil when missing, null or empty.
func (f *settingsFile) block(obj map[string]json.RawMessage, key, path string, allowed []string) (map[string]json.RawMessage, error) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return nil, nil
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, f.errorf(path, "must be an object, or a list of one: %v", err)
		}
		switch len(list) {
		case 0:
			return nil, nil
		case 1:
			raw = list[0]
		default:
			return nil, f.errorf(path, "has %d blocks: azurerm takes one", len(list))
		}
	}
	var b map[string]json.RawMessage
	if err := json.Unmarshal(raw, &b); err != nil || (b == nil && !isNull(raw)) {
		return nil, f.errorf(path, "must be an object such as {\"body_bytes\": 0}, not %s", raw)
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if !slices.Contains(allowed, k) {
			return nil, f.errorf(path, "unknown key %q: use %s", k, strings.Join(allowed, ", "))
		}
	}
	return b, nil
}

// AppGWSettingsFile reads Application Gateway settings from JSON: either
// the outputs of sseready_appgw_settings (response_buffering_enabled,
// request_timeout) or azurerm's shape (a global block, request_timeout).
// A missing global block means the gateway's default: buffering on; a
// missing request_timeout azurerm's, 30 s. The other keys (sku_name, the
// WAF's) do not change the response stream and are not read.
func AppGWSettingsFile(path string) (*AppGW, error) {
	f, err := readSettingsFile(path, "sseready_appgw_settings", AppGWSettingsKeys)
	if err != nil {
		return nil, err
	}
	g := &AppGW{ResponseBuffering: true, RequestTimeout: 30 * time.Second}
	var top, inGlobal bool
	hasTop, err := f.value(f.obj, "response_buffering_enabled", "response_buffering_enabled", "true or false", &top)
	if err != nil {
		return nil, err
	}
	global, err := f.block(f.obj, "global", "global", []string{"request_buffering_enabled", "response_buffering_enabled"})
	if err != nil {
		return nil, err
	}
	hasGlobal, err := f.value(global, "response_buffering_enabled", "global.response_buffering_enabled", "true or false", &inGlobal)
	if err != nil {
		return nil, err
	}
	switch {
	case hasTop && hasGlobal && top != inGlobal:
		return nil, fmt.Errorf("%s: response_buffering_enabled is %v, and %v in global: give one", path, top, inGlobal)
	case hasTop:
		g.ResponseBuffering = top
	case hasGlobal:
		g.ResponseBuffering = inGlobal
	}
	var timeout float64
	if ok, err := f.value(f.obj, "request_timeout", "request_timeout", "a number of seconds", &timeout); err != nil {
		return nil, err
	} else if ok {
		if timeout != float64(int64(timeout)) || timeout < 1 || timeout > 86400 {
			return nil, fmt.Errorf("%s: request_timeout %v is outside 1 to 86400 whole seconds", path, timeout)
		}
		g.RequestTimeout = time.Duration(timeout) * time.Second
	}
	return g, nil
}

// DiagnosticFile reads a diagnostic from JSON: the outputs of
// sseready_apim_diagnostic, or azurerm's arguments (identifier and the
// four blocks with body_bytes). "scope": "global" marks the All APIs one.
// A block left out is not read: what APIM logs there is not known.
func DiagnosticFile(path string) (apimdiag.Diagnostic, error) {
	d := apimdiag.Diagnostic{Blocks: map[string]*apimdiag.Block{}}
	f, err := readSettingsFile(path, "sseready_apim_diagnostic", DiagnosticKeys)
	if err != nil {
		return d, err
	}
	if _, err := f.value(f.obj, "identifier", "identifier", "a string", &d.Identifier); err != nil {
		return d, err
	}
	if d.Identifier != apimdiag.ApplicationInsights && d.Identifier != apimdiag.AzureMonitor {
		return d, f.errorf("identifier", "%q is not a diagnostic identifier: use applicationinsights or azuremonitor", d.Identifier)
	}
	var scope string
	if _, err := f.value(f.obj, "scope", "scope", "a string", &scope); err != nil {
		return d, err
	}
	switch scope {
	case "", "api":
	case "global":
		d.Global = true
	default:
		return d, fmt.Errorf(`%s: scope %q is not "global" or "api"`, path, scope)
	}
	for _, name := range apimdiag.Blocks {
		b, err := f.block(f.obj, name, name, logBlockKeys)
		if err != nil {
			return d, err
		}
		if b == nil {
			continue
		}
		var bytes float64
		if _, err := f.value(b, "body_bytes", name+".body_bytes", "a number", &bytes); err != nil {
			return d, err
		}
		if bytes != float64(int64(bytes)) {
			return d, f.errorf(name+".body_bytes", "%v is not a whole number", bytes)
		}
		blk := apimdiag.Block{BodyBytes: int64(bytes)}
		if e := apimdiag.ValidateBlock(name+".body_bytes", blk); e != nil {
			return d, fmt.Errorf("%s: %s", path, e)
		}
		d.Blocks[name] = &blk
	}
	return d, nil
}
