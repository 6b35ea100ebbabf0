package chaincheck

import (
	"fmt"
	"strconv"
	"strings"
)

// Settings are named by their path in the chain object: input errors,
// unknown values and findings (rules.Finding.Setting) name them so, and a
// front end that builds a chain from its own sources (check-plan, from a
// Terraform plan) sets each value by its name (Input.Set) and places each
// finding back by the same name. A hop or list item is named by its own
// path ("apim", "apim.policies[0]").
const (
	SettingFrontDoor        = "front_door"
	SettingFrontDoorTimeout = "front_door.response_timeout_seconds"

	SettingAppGW                  = "app_gateway"
	SettingAppGWSKU               = "app_gateway.sku_name"
	SettingAppGWGlobal            = "app_gateway.global"
	SettingAppGWRequestBuffering  = "app_gateway.global.request_buffering_enabled"
	SettingAppGWResponseBuffering = "app_gateway.global.response_buffering_enabled"
	SettingAppGWTimeout           = "app_gateway.request_timeout"
	SettingAppGWAGIC              = "app_gateway.agic_request_timeout"
	SettingAppGWWAF               = "app_gateway.waf_request_body_check"

	SettingAGC               = "app_gateway_for_containers"
	SettingAGCRoute          = "app_gateway_for_containers.route_timeout"
	SettingAGCRequest        = "app_gateway_for_containers.request_timeout"
	SettingAGCBackendRequest = "app_gateway_for_containers.backend_request_timeout"

	SettingAPIM          = "apim"
	SettingAPIMSKU       = "apim.sku_name"
	SettingAPIMFragments = "apim.fragments"

	SettingLoadBalancer = "load_balancer"
	SettingLBIdle       = "load_balancer.idle_timeout_in_minutes"
	SettingLBReset      = "load_balancer.tcp_reset_enabled"
	// SettingLBResetOld is the reset flag's name before azurerm 5.2.
	SettingLBResetOld = "load_balancer.enable_tcp_reset"

	SettingContainerApps = "container_apps"
	SettingCAIdle        = "container_apps.request_idle_timeout_in_minutes"
	SettingAppService    = "app_service"

	SettingAzureOpenAI = "azure_openai"
	SettingAOAIMode    = "azure_openai.content_filter_mode"

	SettingBackend           = "backend"
	SettingBackendGap        = "backend.max_event_gap"
	SettingBackendBeat       = "backend.heartbeat_interval"
	SettingBackendTTFB       = "backend.max_time_to_headers"
	SettingBackendTCP        = "backend.tcp_keepalive"
	SettingBackendHeaders    = "backend.response_headers"
	policiesSetting          = "apim.policies"
	diagnosticsSetting       = "apim.diagnostics"
	fragmentsSettingPrefix   = SettingAPIMFragments + "."
	backendSettingPrefix     = SettingBackend + "."
	diagnosticBodyBytesField = "body_bytes"
)

// The scopes of a diagnostic (DiagnosticScopeSetting): an API's
// (azurerm_api_management_api_diagnostic, the default) or the global All
// APIs one (azurerm_api_management_diagnostic).
const (
	DiagnosticScopeAPI    = "api"
	DiagnosticScopeGlobal = "global"
)

// BackendKeys are the backend object's settings (sseready_stream_profile's
// names; response_headers is the chain's own), each named
// BackendSetting(key).
var BackendKeys = []string{"max_event_gap", "heartbeat_interval", "max_time_to_headers", "tcp_keepalive", "response_headers"}

// BackendSetting names a backend setting: "backend.max_event_gap".
func BackendSetting(key string) string { return backendSettingPrefix + key }

// BackendKey is the backend object's key of a setting under "backend."
// (the whole rest for a header: "response_headers.Content-Type"); ok is
// false for a setting of another hop.
func BackendKey(setting string) (key string, ok bool) {
	return strings.CutPrefix(setting, backendSettingPrefix)
}

// PolicySetting names the i-th policy of apim.policies: "apim.policies[1]".
func PolicySetting(i int) string { return fmt.Sprintf("%s[%d]", policiesSetting, i) }

// PolicyXMLSetting names its document: "apim.policies[1].xml". Findings in
// the document carry it as their Setting, with Line and Column in it.
func PolicyXMLSetting(i int) string { return PolicySetting(i) + ".xml" }

// PolicyScopeSetting names its scope: "apim.policies[1].scope".
func PolicyScopeSetting(i int) string { return PolicySetting(i) + ".scope" }

// FragmentSetting names a fragment of apim.fragments by its fragment-id:
// "apim.fragments.chat-auth". Findings inside an included fragment carry
// it as their Setting, with Line and Column in the fragment's document.
func FragmentSetting(id string) string { return fragmentsSettingPrefix + id }

// DiagnosticSetting names the i-th diagnostic of apim.diagnostics.
func DiagnosticSetting(i int) string { return fmt.Sprintf("%s[%d]", diagnosticsSetting, i) }

// DiagnosticIdentifierSetting names its identifier.
func DiagnosticIdentifierSetting(i int) string { return DiagnosticSetting(i) + ".identifier" }

// DiagnosticScopeSetting names its scope ("api" or "global").
func DiagnosticScopeSetting(i int) string { return DiagnosticSetting(i) + ".scope" }

// DiagnosticBlockSetting names one of its logging blocks (apimdiag.Blocks).
func DiagnosticBlockSetting(i int, block string) string { return DiagnosticSetting(i) + "." + block }

// DiagnosticBodyBytesSetting names a logging block's body_bytes.
func DiagnosticBodyBytesSetting(i int, block string) string {
	return DiagnosticBlockSetting(i, block) + "." + diagnosticBodyBytesField
}

// Input builds the chain object Decode reads, setting by setting, so that
// a front end reading its own sources writes no key of the chain itself:
//
//	in := chaincheck.NewInput()
//	in.Set(chaincheck.SettingAppGWTimeout, json.Number("60"))
//	in.Set(chaincheck.PolicyXMLSetting(0), xml)
//	chain, errs := chaincheck.Decode(in.Value())
type Input struct{ root map[string]any }

// NewInput starts an empty chain.
func NewInput() *Input { return &Input{root: map[string]any{}} }

// Set puts v at setting, making the objects and list items on the way
// (list items in order: set apim.policies[0] before [1]). A nil v sets
// nothing; an object set where one is merges into it, so a hop set to an
// empty object (on the path, every setting at its default) may be set
// before or after its settings. Nothing is set inside a value that is not
// an object or list (plain.Unknown: the whole hop is unknown).
func (in *Input) Set(setting string, v any) {
	if v == nil {
		return
	}
	in.root, _ = put(in.root, splitSetting(setting), v).(map[string]any)
}

// Value is the chain object.
func (in *Input) Value() map[string]any { return in.root }

// splitSetting splits a setting's path into object keys (strings) and list
// indices (ints); a fragment-id or a header name after its prefix is one
// key, whatever it holds.
func splitSetting(s string) []any {
	var out []any
	for _, whole := range []string{fragmentsSettingPrefix, BackendSetting("response_headers.")} {
		if rest, ok := strings.CutPrefix(s, whole); ok {
			return append(splitSetting(strings.TrimSuffix(whole, ".")), rest)
		}
	}
	for part := range strings.SplitSeq(s, ".") {
		name, idx, _ := strings.Cut(part, "[")
		out = append(out, name)
		for idx != "" {
			n, rest, _ := strings.Cut(idx, "]")
			i, err := strconv.Atoi(n)
			if err != nil {
				out[len(out)-1] = part // not an index: a key as written
				break
			}
			out = append(out, i)
			idx = strings.TrimPrefix(rest, "[")
		}
	}
	return out
}

func put(c any, path []any, v any) any {
	if len(path) == 0 {
		old, ok1 := c.(map[string]any)
		nv, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			for k, x := range nv {
				old[k] = x
			}
			return old
		}
		if ok2 {
			// A map of the caller's: copy it, so later settings inside do
			// not write into it.
			cp := make(map[string]any, len(nv))
			for k, x := range nv {
				cp[k] = x
			}
			return cp
		}
		return v
	}
	switch k := path[0].(type) {
	case string:
		m, ok := c.(map[string]any)
		if !ok {
			if c != nil {
				return c
			}
			m = map[string]any{}
		}
		m[k] = put(m[k], path[1:], v)
		return m
	case int:
		l, ok := c.([]any)
		if !ok {
			if c != nil {
				return c
			}
			l = nil
		}
		for len(l) <= k {
			l = append(l, nil)
		}
		l[k] = put(l[k], path[1:], v)
		return l
	}
	return c
}
