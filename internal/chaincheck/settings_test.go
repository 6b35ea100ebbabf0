package chaincheck

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// A chain built setting by setting, by the names findings carry, is the
// chain the JSON of sseready_chain_check's input holds.
func TestInputBuildsTheChainObject(t *testing.T) {
	in := NewInput()
	in.Set(SettingFrontDoorTimeout, json.Number("60"))
	in.Set(SettingAppGWSKU, "WAF_v2")
	in.Set(SettingAppGWGlobal, map[string]any{"request_buffering_enabled": true})
	in.Set(SettingAppGWResponseBuffering, false) // merged into the block set before
	in.Set(SettingAppGWTimeout, json.Number("60"))
	in.Set(SettingAppGWWAF, true)
	in.Set(SettingAGC, map[string]any{})
	in.Set(SettingAGCRoute, "0s")
	in.Set(SettingAPIMSKU, "StandardV2_1")
	in.Set(PolicyScopeSetting(0), "api")
	in.Set(PolicyXMLSetting(0), `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`)
	in.Set(PolicyScopeSetting(1), "operation")
	in.Set(PolicyXMLSetting(1), `<policies><backend><base /></backend></policies>`)
	in.Set(DiagnosticIdentifierSetting(0), "applicationinsights")
	for _, b := range apimdiag.Blocks {
		in.Set(DiagnosticBodyBytesSetting(0, b), json.Number("0"))
	}
	in.Set(SettingBackend, map[string]any{"max_event_gap": "10m"})
	in.Set(SettingBackendBeat, "20s")
	for k, v := range map[string]string{"content-type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"} {
		in.Set(SettingBackendHeaders+"."+k, v)
	}
	in.Set(SettingLoadBalancer, nil) // nil sets nothing: no hop
	want, err := plain.FromJSON([]byte(goodChainJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.Value(), want) {
		t.Fatalf("built\n%#v\nwant\n%#v", in.Value(), want)
	}
}

// Decode and Check name what they find by the same settings, so a front
// end places an error or a finding by the name it set the value with.
func TestInputSettingsComeBack(t *testing.T) {
	in := NewInput()
	in.Set(SettingAppGWSKU, "Standard_v2")
	in.Set(SettingAppGWTimeout, json.Number("0"))
	in.Set(FragmentSetting("auth.v2"), plain.Unknown) // a fragment-id with a dot is one key
	in.Set(PolicyXMLSetting(0), `<policies><backend><include-fragment fragment-id="auth.v2" /></backend></policies>`)
	in.Set(SettingAzureOpenAI, plain.Unknown)
	in.Set(SettingAOAIMode, "Default") // inside an unknown hop: nothing
	c, errs := Decode(in.Value())
	if len(errs) != 1 || errs[0].Field != SettingAppGWTimeout {
		t.Fatalf("errors %v", errs)
	}
	if strings.Join(c.Unknown, " ") != FragmentSetting("auth.v2")+" "+SettingAzureOpenAI {
		t.Errorf("unknown %q", c.Unknown)
	}
	if got := splitSetting(DiagnosticBodyBytesSetting(2, "frontend_response")); !reflect.DeepEqual(got, []any{"apim", "diagnostics", 2, "frontend_response", "body_bytes"}) {
		t.Errorf("split %#v", got)
	}
	if key, ok := BackendKey(SettingBackendGap); !ok || key != "max_event_gap" || BackendSetting(key) != SettingBackendGap {
		t.Errorf("backend key %q %v", key, ok)
	}
}
