package modulegen

import (
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Where the generated module keeps what it reads and vendors.
const (
	policyFile     = "policies/api.xml"
	fragmentsDir   = "policies/fragments"
	apimModule     = "modules/apim-sse-api"
	gatewayModule  = "modules/appgw-sse"
	appGatewaySKU  = "Standard_v2"
	buffersForTest = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
)

func versionsTF() ([]byte, error) {
	w := newFile()
	tf := w.f.Body().AppendNewBlock("terraform", nil).Body()
	comment(tf, "Provider-defined functions need Terraform 1.8 or OpenTofu 1.8.")
	tf.SetAttributeValue("required_version", cty.StringVal(">= 1.8"))
	rp := tf.AppendNewBlock("required_providers", nil).Body()
	rp.SetAttributeValue("azurerm", cty.ObjectVal(map[string]cty.Value{"source": cty.StringVal("hashicorp/azurerm"), "version": cty.StringVal(">= 4.0")}))
	rp.SetAttributeValue("sseready", cty.ObjectVal(map[string]cty.Value{"source": cty.StringVal("sseready/sseready")}))
	return w.bytes()
}

func variablesTF(s Spec) ([]byte, error) {
	w := newFile()
	body := w.f.Body()
	variable := func(name, description, typ string, def cty.Value) *hclwrite.Body {
		b := body.AppendNewBlock("variable", []string{name}).Body()
		b.SetAttributeValue("description", cty.StringVal(description+s.assumedNote(name)))
		w.set(b, "type", typ)
		b.SetAttributeValue("default", def)
		body.AppendNewline()
		return b
	}
	validation := func(b *hclwrite.Body, condition, message string) {
		v := b.AppendNewBlock("validation", nil).Body()
		w.set(v, "condition", condition)
		v.SetAttributeValue("error_message", cty.StringVal(message))
	}

	variable("api_management", "The API Management instance the API goes on.", "object({ name = string, resource_group_name = string })",
		cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(s.APIM.Name), "resource_group_name": cty.StringVal(s.APIM.ResourceGroup)}))
	sku := variable("api_management_sku_name", "The instance's sku_name. It decides whether the instance can stream: the Consumption tier cannot.", "string", cty.StringVal(s.APIM.SKU))
	validation(sku, "provider::sseready::apim_sku_supports_sse(var.api_management_sku_name)",
		"api_management_sku_name is a tier that does not keep long-running connections (rule SSE201): use a Developer, Basic, Standard, Premium or v2 tier.")

	name := variable("api_name", "The API's name in API Management.", "string", cty.StringVal(s.APIName))
	validation(name, `can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,79}$", var.api_name))`, "api_name must be 1 to 80 letters, digits and hyphens, starting with a letter or digit.")
	p := variable("path", "The API's URL suffix, without a leading slash.", "string", cty.StringVal(s.Path))
	validation(p, `length(var.path) > 0 && !startswith(var.path, "/")`, "path is the URL suffix without a leading slash, such as \"chat\".")
	variable("service_url", "The backend's URL; null when a policy routes the request.", "string", strOrNull(s.BackendURL))
	variable("display_name", "The API's display name; null for its name.", "string", strOrNull(s.DisplayName))
	protocols := make([]cty.Value, len(s.Protocols))
	for i, p := range s.Protocols {
		protocols[i] = cty.StringVal(p)
	}
	variable("protocols", "The protocols the API is served on.", "list(string)", cty.ListVal(protocols))
	variable("subscription_required", "Whether calls need a subscription key.", "bool", cty.BoolVal(s.SubscriptionRequired))
	keyType := cty.Object(map[string]cty.Type{"header": cty.String, "query": cty.String})
	keys := cty.NullVal(keyType)
	if k := s.SubscriptionKey; k != nil {
		keys = cty.ObjectVal(map[string]cty.Value{"header": cty.StringVal(k.Header), "query": cty.StringVal(k.Query)})
	}
	variable("subscription_key_parameter_names", "The header and query parameter that carry the subscription key; null for API Management's own.", "object({ header = string, query = string })", keys)
	variable("revision", "The API revision the module writes; its operations, policy and diagnostics go on it.", "string", cty.StringVal(s.Revision))
	variable("api_version", "The API's version in its version set; null when it is not versioned.", "string", strOrNull(s.Version))
	variable("version_set_id", "The ID of the version set the API belongs to; null when it is not versioned.", "string", strOrNull(s.VersionSetID))

	gap := variable("max_event_gap", "The longest silence the backend keeps without an event, the silence before the first event included (a reasoning model thinking), as a Go duration.", "string", cty.StringVal(s.MaxEventGap))
	validation(gap, durationCheck("var.max_event_gap"), "max_event_gap must be a duration such as \"90s\", \"10m\" or \"1h\".")
	hb := variable("heartbeat_interval", "How often the backend sends a comment heartbeat when no event goes out (a Go duration); null when it sends none.", "string", strOrNull(s.Heartbeat))
	validation(hb, "var.heartbeat_interval == null || "+durationCheck("coalesce(var.heartbeat_interval, \"1s\")"), "heartbeat_interval must be a duration such as \"20s\", or null.")
	variable("max_time_to_headers", "The longest the backend takes to send its response headers (a Go duration); null when not known.", "string", strOrNull(s.MaxTimeToHeaders))

	loggers := map[string]cty.Value{}
	for _, n := range slices.Sorted(maps.Keys(s.Loggers)) {
		l := s.Loggers[n]
		loggers[n] = cty.ObjectVal(map[string]cty.Value{"logger_id": cty.StringVal(l.ID), "identifier": cty.StringVal(l.Identifier)})
	}
	loggersDefault := cty.EmptyObjectVal
	if len(loggers) > 0 {
		loggersDefault = cty.ObjectVal(loggers)
	}
	variable("loggers", "The loggers to attach, by a name of yours; each gets an API diagnostic that never logs bodies.",
		`map(object({ logger_id = string, identifier = optional(string, "applicationinsights") }))`, loggersDefault)

	ops := map[string]cty.Value{}
	for _, id := range slices.Sorted(maps.Keys(s.Operations)) {
		op := s.Operations[id]
		ops[id] = cty.ObjectVal(map[string]cty.Value{"display_name": cty.StringVal(op.DisplayName), "method": cty.StringVal(op.Method), "url_template": cty.StringVal(op.URLTemplate)})
	}
	variable("operations", "The API's operations by operation_id.", "map(object({ display_name = string, method = string, url_template = string }))", cty.ObjectVal(ops))

	if s.Has(HopAppGateway) {
		sku := variable("app_gateway_sku_name", "The Application Gateway's sku.name.", "string", cty.StringVal(appGatewaySKU))
		validation(sku, `contains(["Basic", "Standard_v2", "WAF_v2"], var.app_gateway_sku_name)`, "app_gateway_sku_name must be Basic, Standard_v2 or WAF_v2.")
	}
	return w.bytes()
}

// assumedNote ends the description of a variable whose default sseready
// init assumed: why, so the README's inputs table says it too.
func (s Spec) assumedNote(variable string) string {
	var whys []string
	for _, a := range s.Assumed {
		if a.Variable == variable {
			whys = append(whys, a.Why)
		}
	}
	if len(whys) == 0 {
		return ""
	}
	return " Assumed by sseready init (" + strings.Join(whys, "; ") + "): set it to yours."
}

// durationCheck is a condition that expr is a Go duration string.
func durationCheck(expr string) string {
	return `can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", ` + expr + `))`
}

func mainTF(s Spec) ([]byte, error) {
	w := newFile()
	body := w.f.Body()
	comment(body, "The streaming API "+s.APIName+", generated by sseready init from "+s.Source+".",
		"Its streaming settings come from sseready; the modules under modules/ are",
		"sseready's, vendored as they were tested.")
	body.AppendNewline()

	profile := body.AppendNewBlock("data", []string{"sseready_stream_profile", "this"}).Body()
	w.set(profile, "max_event_gap", "var.max_event_gap")
	w.set(profile, "heartbeat_interval", "var.heartbeat_interval")
	w.set(profile, "max_time_to_headers", "var.max_time_to_headers")
	hops := []cty.Value{}
	for _, h := range []string{HopFrontDoor, HopAppGateway, HopAPIM} {
		if s.Has(h) {
			hops = append(hops, cty.StringVal(h))
		}
	}
	profile.SetAttributeValue("hops", cty.ListVal(hops))
	body.AppendNewline()

	api := body.AppendNewBlock("module", []string{"api"}).Body()
	api.SetAttributeValue("source", cty.StringVal("./"+apimModule))
	api.AppendNewline()
	w.set(api, "api_management", "{ name = var.api_management.name, resource_group_name = var.api_management.resource_group_name, sku_name = var.api_management_sku_name }")
	w.set(api, "name", "var.api_name")
	w.set(api, "path", "var.path")
	w.set(api, "service_url", "var.service_url")
	w.set(api, "display_name", "var.display_name")
	w.set(api, "protocols", "var.protocols")
	w.set(api, "subscription_required", "var.subscription_required")
	w.set(api, "subscription_key_parameter_names", "var.subscription_key_parameter_names")
	w.set(api, "revision", "var.revision")
	w.set(api, "api_version", "var.api_version")
	w.set(api, "version_set_id", "var.version_set_id")
	w.set(api, "operations", "var.operations")
	w.set(api, "loggers", "var.loggers")
	w.set(api, "forward_request_timeout", "data.sseready_stream_profile.this.apim_forward_request_timeout")
	if s.Policy != nil {
		api.AppendNewline()
		comment(api, "The policy as it was, with the safe fixes applied (README: what was fixed).",
			"The module checks it before the apply with check_apim_policy.")
		w.set(api, "policy_xml", `file("${path.module}/`+policyFile+`")`)
		if len(s.Policy.Fragments) > 0 {
			parts := []string{}
			for _, id := range slices.Sorted(maps.Keys(s.Policy.Fragments)) {
				parts = append(parts, string(hclwrite.TokensForValue(cty.StringVal(id)).Bytes())+` = file("${path.module}/`+fragmentFile(id)+`")`)
			}
			w.set(api, "fragments", "{\n"+strings.Join(parts, "\n")+"\n}")
		}
	}
	body.AppendNewline()

	if s.Has(HopAppGateway) {
		gw := body.AppendNewBlock("module", []string{"gateway"}).Body()
		gw.SetAttributeValue("source", cty.StringVal("./"+gatewayModule))
		gw.AppendNewline()
		w.set(gw, "sku_name", "var.app_gateway_sku_name")
		w.set(gw, "max_event_gap", "var.max_event_gap")
		w.set(gw, "heartbeat_interval", "var.heartbeat_interval")
		w.set(gw, "max_time_to_headers", "var.max_time_to_headers")
		w.set(gw, "backend_http_settings", `{ apim = { port = 443, protocol = "Https", pick_host_name_from_backend_address = true } }`)
		body.AppendNewline()
	}

	locals := body.AppendNewBlock("locals", nil).Body()
	w.set(locals, "backend", "{ max_event_gap = var.max_event_gap, heartbeat_interval = var.heartbeat_interval, max_time_to_headers = var.max_time_to_headers }")
	chain := []string{}
	if s.Has(HopFrontDoor) {
		chain = append(chain, "front_door = { response_timeout_seconds = data.sseready_stream_profile.this.front_door_origin_response_timeout }")
	}
	if s.Has(HopAppGateway) {
		chain = append(chain, "app_gateway = module.gateway.chain_app_gateway")
	}
	chain = append(chain, "apim = module.api.chain_apim", "backend = local.backend")
	w.set(locals, "chain", "{\n"+strings.Join(chain, "\n")+"\n}")
	body.AppendNewline()

	comment(body, "The whole path checked together: each hop's clock against the backend's silences.")
	check := body.AppendNewBlock("data", []string{"sseready_chain_check", "this"}).Body()
	for _, h := range []string{"front_door", "app_gateway"} {
		if s.Has(h) {
			w.set(check, h, "local.chain."+h)
		}
	}
	w.set(check, "apim", "local.chain.apim")
	w.set(check, "backend", "local.chain.backend")
	body.AppendNewline()

	cb := body.AppendNewBlock("check", []string{"stream_path"}).Body()
	assert := cb.AppendNewBlock("assert", nil).Body()
	w.set(assert, "condition", "data.sseready_chain_check.this.ready")
	w.set(assert, "error_message", `"The path breaks the stream:\n${join("\n", [for f in data.sseready_chain_check.this.findings : "${f.hop} ${f.rule}: ${f.message}" if f.severity == "error"])}"`)
	return w.bytes()
}

func fragmentFile(id string) string { return path.Join(fragmentsDir, id+".xml") }

func outputsTF(s Spec) ([]byte, error) {
	w := newFile()
	body := w.f.Body()
	output := func(name, description, value string) {
		b := body.AppendNewBlock("output", []string{name}).Body()
		b.SetAttributeValue("description", cty.StringVal(description))
		w.set(b, "value", value)
		body.AppendNewline()
	}
	output("api_id", "The API's resource ID.", "module.api.api_id")
	output("policy_xml", "The API policy as deployed.", "module.api.policy_xml")
	output("policy_findings", "check_apim_policy's warnings and notes on the policy (errors stop the apply).", "module.api.policy_findings")
	output("heartbeat_at_most_every", "The backend's heartbeat must come at least this often for every hop's clock.", "data.sseready_stream_profile.this.required_heartbeat_interval")
	output("chain", "The path as sseready_chain_check and sseready_emulated_stream take it.", "local.chain")
	if s.Has(HopAppGateway) {
		output("app_gateway_global", "For your azurerm_application_gateway's global block: response buffering off.", "module.gateway.global")
		output("app_gateway_request_timeout", "For the streaming backend_http_settings' request_timeout, in seconds.", "module.gateway.request_timeout")
		output("app_gateway_backend_http_settings", "The streaming backend_http_settings, for a dynamic block.", "module.gateway.backend_http_settings")
	}
	if s.Has(HopFrontDoor) {
		output("front_door_response_timeout_seconds", "For azurerm_cdn_frontdoor_profile.response_timeout_seconds.", "data.sseready_stream_profile.this.front_door_origin_response_timeout")
	}
	return w.bytes()
}
