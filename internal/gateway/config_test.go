package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeJSON(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAppGWSettingsFile(t *testing.T) {
	tests := []struct {
		name, json string
		want       AppGW
		err        string
	}{
		{"sseready_appgw_settings outputs", `{"response_buffering_enabled": false, "request_buffering_enabled": true, "request_timeout": 800}`, AppGW{false, 800 * time.Second}, ""},
		{"azurerm's global block (chain_check echo)", `{"global":{"request_buffering_enabled":true,"response_buffering_enabled":false},"request_timeout":40,"sku_name":"WAF_v2"}`, AppGW{false, 40 * time.Second}, ""},
		{"no global block: the gateway's defaults", `{"global":null,"request_timeout":null,"sku_name":"WAF_v2"}`, AppGW{true, 30 * time.Second}, ""},
		{"empty", `{}`, AppGW{true, 30 * time.Second}, ""},
		{"both places agree", `{"response_buffering_enabled": false, "global": {"response_buffering_enabled": false}}`, AppGW{false, 30 * time.Second}, ""},
		{"both places disagree", `{"response_buffering_enabled": false, "global": {"response_buffering_enabled": true}}`, AppGW{}, "response_buffering_enabled: is false, and true in global: give one"},
		{"timeout out of range", `{"request_timeout": 0}`, AppGW{}, "request_timeout: 0 is outside 1 to 86400 seconds"},
		{"azurerm state's global, a list of one", `{"global":[{"request_buffering_enabled":true,"response_buffering_enabled":false}],"request_timeout":86400}`, AppGW{false, 86400 * time.Second}, ""},
		{"an empty global list: no block", `{"global":[],"request_timeout":40}`, AppGW{true, 40 * time.Second}, ""},
		{"a BOM before the object", "\ufeff{\"response_buffering_enabled\": false}", AppGW{false, 30 * time.Second}, ""},
		{"two global blocks", `{"global":[{},{}]}`, AppGW{}, "global: has 2 blocks: azurerm takes one"},
		{"a misspelt key", `{"response_buffering_enable": false}`, AppGW{}, `response_buffering_enable: is not a setting sseready knows here: use agic_request_timeout, backend_response_headers, findings, global`},
		{"a misspelt key in global", `{"global": {"response_buffering": false}}`, AppGW{}, `global.response_buffering: is not a setting sseready knows here: use request_buffering_enabled, response_buffering_enabled`},
		{"timeout not a number", `{"request_timeout": "40"}`, AppGW{}, `request_timeout: must be a number, not the string "40"`},
		{"timeout not whole", `{"request_timeout": 40.5}`, AppGW{}, "request_timeout: must be a whole number, not 40.5"},
		{"buffering not a bool", `{"global": {"response_buffering_enabled": "false"}}`, AppGW{}, `global.response_buffering_enabled: must be true or false, not the string "false"`},
		{"not JSON", "{\n  request_timeout = 40\n}", AppGW{}, ":2:3: invalid character 'r' looking for beginning of object key string"},
		{"not an object", `[1]`, AppGW{}, "must be a JSON object, such as jsonencode() of sseready_appgw_settings, not a list"},
		{"null", `null`, AppGW{}, "is null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeJSON(t, tt.json)
			got, err := AppGWSettingsFile(p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), p) {
					t.Fatalf("error %v, want one naming the file and %q", err, tt.err)
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Fatalf("%+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestDiagnosticFile(t *testing.T) {
	tests := []struct {
		name, json string
		global     bool
		bodyBytes  map[string]int64
		err        string
	}{
		{"sseready_apim_diagnostic outputs",
			`{"backend_request":{"body_bytes":0,"headers_to_log":[]},"backend_response":{"body_bytes":0},"frontend_request":{"body_bytes":0,"headers_to_log":["X-Request-Id"]},"frontend_response":{"body_bytes":0},"identifier":"applicationinsights","scope":null}`,
			false, map[string]int64{"backend_request": 0, "backend_response": 0, "frontend_request": 0, "frontend_response": 0}, ""},
		{"a global diagnostic logging bodies, blocks left out",
			`{"backend_request":null,"frontend_response":{"body_bytes":8192},"identifier":"applicationinsights","scope":"global"}`,
			true, map[string]int64{"frontend_response": 8192}, ""},
		{"api scope", `{"identifier":"azuremonitor","scope":"api"}`, false, map[string]int64{}, ""},
		{"azurerm state's blocks, lists of one", `{"identifier":"applicationinsights","api_name":"chat","frontend_response":[{"body_bytes":512,"headers_to_log":[],"data_masking":[]}],"backend_response":[]}`, false, map[string]int64{"frontend_response": 512}, ""},
		{"an unknown scope", `{"identifier":"azuremonitor","scope":"product"}`, false, nil, `scope: "product" is not a diagnostic scope: use api`},
		{"identifier not a string", `{"identifier":7}`, false, nil, "identifier: must be a string, not the number 7"},
		{"identifier misspelt", `{"identifiers":"applicationinsights"}`, false, nil, `identifiers: is not a setting sseready knows here`},
		{"no identifier", `{"frontend_response":{"body_bytes":0}}`, false, nil, `identifier: is required: applicationinsights or azuremonitor`},
		{"a block misspelt", `{"identifier":"azuremonitor","frontend_resp":{"body_bytes":1024}}`, false, nil, `frontend_resp: is not a setting sseready knows here`},
		{"a block not an object", `{"identifier":"azuremonitor","frontend_response":8192}`, false, nil, "frontend_response: must be an object"},
		{"a key misspelt in a block", `{"identifier":"azuremonitor","frontend_response":{"body_byte":1024}}`, false, nil, `frontend_response.body_byte: is not a setting sseready knows here: use body_bytes, data_masking, headers_to_log`},
		{"body_bytes negative", `{"identifier":"azuremonitor","frontend_response":{"body_bytes":-5}}`, false, nil, "frontend_response.body_bytes: -5 is outside 0 to 8192"},
		{"body_bytes over azurerm's limit", `{"identifier":"azuremonitor","backend_response":{"body_bytes":9000}}`, false, nil, "backend_response.body_bytes: 9000 is outside 0 to 8192"},
		{"App Gateway settings given as a diagnostic", `{"response_buffering_enabled":false,"request_timeout":40}`, false, nil, `request_timeout: is not a setting sseready knows here`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeJSON(t, tt.json)
			d, err := DiagnosticFile(p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), p) {
					t.Fatalf("error %v, want one naming the file and %q", err, tt.err)
				}
				return
			}
			if err != nil || d.Global != tt.global || len(d.Blocks) != len(tt.bodyBytes) {
				t.Fatalf("%+v, %v", d, err)
			}
			for name, want := range tt.bodyBytes {
				if b := d.Blocks[name]; b == nil || b.BodyBytes != want {
					t.Errorf("%s: %+v, want body_bytes %d", name, b, want)
				}
			}
		})
	}
}
