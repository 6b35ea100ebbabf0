package tfplan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// The cases here are plans written by hand, for what the real
// configurations in internal/testonly/azurermconfigs do not show: odd links, input errors,
// malformed files.

// res is a resource of a hand-written plan: its values after apply, and
// after_unknown.
type res struct {
	addr    string
	values  map[string]any
	unknown map[string]any
	action  string
}

func handPlan(t *testing.T, rs ...res) []byte {
	t.Helper()
	var changes []any
	for _, r := range rs {
		steps := splitAddress(r.addr)
		typ, name, _ := strings.Cut(stripKey(steps[len(steps)-1]), ".")
		action := r.action
		if action == "" {
			action = "create"
		}
		changes = append(changes, map[string]any{
			"address": r.addr, "mode": "managed", "type": typ, "name": name,
			"change": map[string]any{"actions": []any{action}, "after": r.values, "after_unknown": r.unknown},
		})
	}
	data, err := json.Marshal(map[string]any{"format_version": "1.2", "terraform_version": "1.11.0", "resource_changes": changes})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var (
	apimRes = res{addr: "azurerm_api_management.main", values: map[string]any{"name": "apim", "resource_group_name": "rg", "sku_name": "StandardV2_1"}}
	apiRes  = res{addr: "azurerm_api_management_api.chat", values: map[string]any{"name": "chat", "api_management_name": "apim", "resource_group_name": "rg"}}
)

func policy(addr, xml string) res {
	return res{addr: addr, values: map[string]any{"api_name": "chat", "api_management_name": "apim", "resource_group_name": "rg", "xml_content": xml}}
}

const streaming = `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`

func TestSplitAddress(t *testing.T) {
	for in, want := range map[string][]string{
		"azurerm_x.y":                           {"azurerm_x.y"},
		`azurerm_x.y["a.b"]`:                    {`azurerm_x.y["a.b"]`},
		`module.a["x.y"].module.b.azurerm_x.y`:  {`module.a["x.y"]`, "module.b", "azurerm_x.y"},
		`module.a[0].data.azurerm_x.y`:          {"module.a[0]", "data.azurerm_x.y"},
		`module.a["q\"]"].azurerm_x.y[1]`:       {`module.a["q\"]"]`, "azurerm_x.y[1]"},
		`module.api["chat"]`:                    {`module.api["chat"]`},
		`module.api["chat"].module.inner["k"]`:  {`module.api["chat"]`, `module.inner["k"]`},
		`azurerm_api_management_api.chat.name`:  {"azurerm_api_management_api.chat.name"},
		`azurerm_api_management_api.this[0].id`: {"azurerm_api_management_api.this[0].id"},
	} {
		if got := splitAddress(in); !slices.Equal(got, want) {
			t.Errorf("splitAddress(%s) = %q, want %q", in, got, want)
		}
	}
	if got := configPath(`module.a["x"].module.b[0]`); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("configPath: %q", got)
	}
}

func TestWithUnknown(t *testing.T) {
	after := map[string]any{"a": "x", "blocks": []any{map[string]any{"n": json.Number("1")}}}
	unknown := map[string]any{"id": true, "blocks": []any{map[string]any{"m": true}, true}, "a": false}
	got := withUnknown(after, unknown)
	want := map[string]any{"a": "x", "id": plain.Unknown, "blocks": []any{map[string]any{"n": json.Number("1"), "m": plain.Unknown}, plain.Unknown}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if _, ok := after["id"]; ok {
		t.Error("the plan's own values were changed")
	}
}

func TestReadRefusesWhatIsNotShowJSON(t *testing.T) {
	for in, want := range map[string]string{
		"{\n  \"values\": ,\n}":   "line 2, column 13",
		`[1, 2]`:                  "must hold a JSON object",
		`{"resources": []}`:       "neither planned_values nor resource_changes",
		`{"resource_changes": 1}`: "resource_changes must be a list",
		`{"resource_changes": [{"mode": "managed", "change": {"actions": ["create"]}}]}`: "has no address, type or name",
	} {
		_, err := Read([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
	// An empty state is a state with nothing on a path.
	p, err := Read([]byte(`{"format_version": "1.0", "terraform_version": "1.11.0"}`))
	if err != nil || p.Kind != KindState || len(p.Resources) != 0 {
		t.Fatalf("%+v, %v", p, err)
	}
	if rep := Check(p, Options{}); len(rep.Paths) != 0 || len(rep.NotOnPath) != 0 {
		t.Errorf("%+v", rep)
	}
}

func TestReadLeavesOutWhatThePlanDestroys(t *testing.T) {
	data := handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", streaming),
		res{addr: "azurerm_api_management_api_policy.old", action: "delete"},
		res{addr: "azurerm_resource_group.main", values: map[string]any{"name": "rg"}, action: "no-op"})
	rep := check(t, data, stream)
	if rep.Destroyed != 1 || len(rep.Paths) != 1 || !slices.Equal(rep.NotOnPath, []string{"azurerm_resource_group.main"}) {
		t.Errorf("%+v", rep)
	}
}

func TestInputErrorsArePlacedOnTheirAttribute(t *testing.T) {
	// A policy that does not parse: the path is not judged, the error
	// names the attribute and the place in the document.
	rep := check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", "<policies>\n  <inbound>\n</policies>")), stream)
	p := rep.Paths[0]
	if len(p.Errors) != 1 || p.Ready || len(p.Findings) > 0 {
		t.Fatalf("%+v", p)
	}
	if e := p.Errors[0]; e.At != (Place{Address: "azurerm_api_management_api_policy.chat", Attribute: "xml_content"}) || e.Line != 3 {
		t.Errorf("%+v", e)
	}
	// Two policies at the API scope (two resources for one API): the
	// second is the error, named by address.
	rep = check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.a", streaming), policy("azurerm_api_management_api_policy.b", streaming)), stream)
	e := rep.Paths[0].Errors
	if len(e) != 1 || e[0].At.Address != "azurerm_api_management_api_policy.b" || !strings.Contains(e[0].Message, "azurerm_api_management_api_policy.a is at api scope too") {
		t.Errorf("%+v", e)
	}
	// A value no gateway accepts.
	gw := res{addr: "azurerm_application_gateway.main", values: map[string]any{
		"name": "agw", "sku": []any{map[string]any{"name": "Standard_v2"}},
		"backend_http_settings": []any{map[string]any{"name": "s", "request_timeout": json.Number("0")}},
	}}
	rep = check(t, handPlan(t, gw), stream)
	e = rep.Paths[0].Errors
	if len(e) != 1 || e[0].At.String() != `azurerm_application_gateway.main.backend_http_settings["s"].request_timeout` || !strings.Contains(e[0].Message, "0 is outside 1 to 86400") {
		t.Errorf("%+v", e)
	}
}

func TestLinksThePlanCannotSettle(t *testing.T) {
	linked := policy("azurerm_api_management_api_policy.chat", strings.Replace(streaming, "<base /></inbound>", `<base /><include-fragment fragment-id="missing" /></inbound>`, 1))
	// An API policy for an API not in the plan, a global policy kept at a
	// link, a gateway whose pools name nothing.
	global := res{addr: "azurerm_api_management_policy.global", values: map[string]any{
		"api_management_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim",
		"xml_link":          "https://example.com/policy.xml"}, unknown: map[string]any{"xml_content": true}}
	gw := res{addr: "azurerm_application_gateway.main", values: map[string]any{
		"name": "agw", "sku": []any{map[string]any{"name": "Standard_v2"}},
		"global":                []any{map[string]any{"request_buffering_enabled": true, "response_buffering_enabled": false}},
		"backend_address_pool":  []any{map[string]any{"name": "apim"}},
		"backend_http_settings": []any{map[string]any{"name": "s"}},
	}, unknown: map[string]any{"backend_http_settings": []any{map[string]any{"request_timeout": true}}}}
	rep := check(t, handPlan(t, apimRes, linked, global, gw), stream)
	if len(rep.Paths) != 1 {
		t.Fatalf("%s", dump(rep))
	}
	p := rep.Paths[0]
	if p.API != "azurerm_api_management_api_policy.chat" || p.Label != "api chat" {
		t.Errorf("API %q, label %q", p.API, p.Label)
	}
	for _, n := range []string{
		`include-fragment "missing": no azurerm_api_management_policy_fragment of that name is in this plan`,
		"azurerm_application_gateway.main is taken to be in front of API Management",
	} {
		if !slices.ContainsFunc(p.Notes, func(s string) bool { return strings.Contains(s, n) }) {
			t.Errorf("no note %q in %q", n, p.Notes)
		}
	}
	// xml_content is unknown because it comes from xml_link: still unknown.
	want := []Place{
		{Address: "azurerm_application_gateway.main", Attribute: `backend_http_settings["s"].request_timeout`},
		{Address: "azurerm_api_management_policy.global", Attribute: "xml_content"},
	}
	if !slices.Equal(p.Unknown, want) {
		t.Errorf("unknown %v, want %v", p.Unknown, want)
	}

	// With the document known, xml_link says why it is not checked.
	global.unknown = nil
	rep = check(t, handPlan(t, apimRes, linked, global), stream)
	if !slices.ContainsFunc(rep.Paths[0].Notes, func(s string) bool {
		return strings.Contains(s, "xml_link https://example.com/policy.xml, which sseready does not fetch")
	}) {
		t.Errorf("notes %q", rep.Paths[0].Notes)
	}
}

// A gateway with no API Management behind it is a path of its own; an
// operation policy whose operation is not in the plan still makes one.
func TestPathsWithoutTheirParents(t *testing.T) {
	gw := res{addr: "azurerm_application_gateway.edge", values: map[string]any{
		"name": "agw-edge", "sku": []any{map[string]any{"name": "WAF_v2"}}, "global": []any{},
		"backend_address_pool": []any{map[string]any{"name": "aks", "ip_addresses": []any{"10.0.0.4"}}},
	}}
	opPolicy := res{addr: "azurerm_api_management_api_operation_policy.x", values: map[string]any{
		"api_name": "chat", "operation_id": "stream", "api_management_name": "apim", "resource_group_name": "rg", "xml_content": streaming}}
	rep := check(t, handPlan(t, apimRes, apiRes, opPolicy, gw), stream)
	var labels []string
	for _, p := range rep.Paths {
		labels = append(labels, p.Label+" @ "+p.API)
	}
	want := []string{
		"api chat @ azurerm_api_management_api.chat",
		"api chat > operation stream @ azurerm_api_management_api.chat",
		"app gateway agw-edge @ azurerm_application_gateway.edge",
	}
	if !slices.Equal(labels, want) {
		t.Fatalf("paths %q, want %q", labels, want)
	}
	edge := rep.Paths[2]
	if !slices.Contains(keys(edge), "azurerm_application_gateway.edge global SSE301 error") {
		t.Errorf("%q", keys(edge))
	}
}

// API Management managed elsewhere (a data source in this configuration):
// its APIs and policies are linked by the names they give.
func TestServiceNotInThePlan(t *testing.T) {
	global := res{addr: "azurerm_api_management_policy.global", values: map[string]any{
		"api_management_id": "/subscriptions/0/resourceGroups/RG/providers/Microsoft.ApiManagement/service/APIM", "xml_content": streaming}}
	rep := check(t, handPlan(t, apiRes, global, policy("azurerm_api_management_api_policy.chat", streaming)), stream)
	if len(rep.Paths) != 1 || len(rep.NotOnPath) != 0 {
		t.Fatalf("%s\nnot on a path %q", dump(rep), rep.NotOnPath)
	}
	p := rep.Paths[0]
	want := []string{"azurerm_api_management_policy.global", "azurerm_api_management_api.chat", "azurerm_api_management_api_policy.chat"}
	if p.API != "azurerm_api_management_api.chat" || !slices.Equal(p.Resources, want) || !p.Ready {
		t.Errorf("%s: %q ready %v", p.API, p.Resources, p.Ready)
	}
	// What is left unchecked is said: the SKU, and the global policy when
	// none is in the plan.
	for _, tt := range []struct {
		rs   []res
		want string
	}{
		{[]res{apiRes, global, policy("azurerm_api_management_api_policy.chat", streaming)}, "API Management apim is not in this plan (the resources here name it): its sku_name (the Consumption tier cannot stream) is not checked"},
		{[]res{apiRes, policy("azurerm_api_management_api_policy.chat", streaming)}, "its sku_name (the Consumption tier cannot stream) and its global policy, which every API runs, are not checked"},
	} {
		rep := check(t, handPlan(t, tt.rs...), stream)
		if len(rep.Paths) != 1 || !slices.ContainsFunc(rep.Paths[0].Notes, func(n string) bool { return strings.Contains(n, tt.want) }) {
			t.Errorf("notes lack %q:\n%s", tt.want, dump(rep))
		}
	}
	// An instance in the plan is checked: no such note.
	rep = check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", streaming)), stream)
	if slices.ContainsFunc(rep.Paths[0].Notes, func(n string) bool { return strings.Contains(n, "is not in this plan (the resources here name it)") }) {
		t.Errorf("notes %q", rep.Paths[0].Notes)
	}
}

// Two gateways in front of one service, and a Front Door straight to it:
// a path per way in, each named by what it crosses.
func TestSeveralWaysIn(t *testing.T) {
	gw := func(name string, timeout int) res {
		return res{addr: "azurerm_application_gateway." + name, values: map[string]any{
			"name": name, "sku": []any{map[string]any{"name": "Standard_v2"}},
			"global":                []any{map[string]any{"request_buffering_enabled": true, "response_buffering_enabled": false}},
			"backend_address_pool":  []any{map[string]any{"name": "apim", "fqdns": []any{"APIM.azure-api.net"}}},
			"backend_http_settings": []any{map[string]any{"name": "s", "request_timeout": json.Number(fmt.Sprint(timeout))}},
		}}
	}
	fd := res{addr: "azurerm_cdn_frontdoor_profile.afd", values: map[string]any{"name": "afd", "id": "/fd/afd", "response_timeout_seconds": json.Number("60")}}
	group := res{addr: "azurerm_cdn_frontdoor_origin_group.g", values: map[string]any{"id": "/fd/afd/g", "cdn_frontdoor_profile_id": "/fd/afd"}}
	origin := res{addr: "azurerm_cdn_frontdoor_origin.o", values: map[string]any{"cdn_frontdoor_origin_group_id": "/fd/afd/g", "host_name": "https://apim.azure-api.net/"}}
	rep := check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", streaming), gw("east", 300), gw("west", 10), fd, group, origin), stream)
	var labels []string
	for _, p := range rep.Paths {
		labels = append(labels, p.Label)
	}
	want := []string{"app gateway east > api chat", "app gateway west > api chat", "front door afd > api chat"}
	if !slices.Equal(labels, want) || len(rep.NotOnPath) != 0 {
		t.Fatalf("paths %q, want %q; not on a path %q", labels, want, rep.NotOnPath)
	}
	if !rep.Paths[0].Ready || rep.Paths[1].Ready || !rep.Paths[2].Ready {
		t.Errorf("%s", dump(rep))
	}
	if !slices.Contains(keys(rep.Paths[1]), `azurerm_application_gateway.west backend_http_settings["s"].request_timeout SSE302 error`) {
		t.Errorf("%q", keys(rep.Paths[1]))
	}
}

// Which fragments a policy includes is read from the parsed document: an
// include-fragment commented out includes nothing, and a fragment in the
// plan that a document includes is on its path, with its findings.
func TestIncludedFragmentsAreReadFromTheDocument(t *testing.T) {
	xml := strings.Replace(streaming, "<base /></inbound>", `<base /><!-- <include-fragment fragment-id="old" /> --><include-fragment fragment-id="Cache" /></inbound>`, 1)
	frag := res{addr: "azurerm_api_management_policy_fragment.cache", values: map[string]any{"name": "cache", "api_management_name": "apim", "resource_group_name": "rg",
		"value": "<fragment>\n  <cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" />\n</fragment>"}}
	rep := check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", xml), frag), stream)
	p := rep.Paths[0]
	if slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, `"old"`) }) {
		t.Errorf("a commented-out include was followed: %q", p.Notes)
	}
	i := slices.IndexFunc(p.Findings, func(f Finding) bool { return f.Rule == "SSE120" })
	if i < 0 || !slices.Contains(p.Resources, "azurerm_api_management_policy_fragment.cache") {
		t.Fatalf("%q on %q", keys(p), p.Resources)
	}
	if f := p.Findings[i]; f.At != (Place{Address: "azurerm_api_management_policy_fragment.cache", Attribute: "value"}) || f.Line != 2 || f.Setting != "apim.fragments.Cache" {
		t.Errorf("SSE120 at %v %d:%d, setting %s", f.At, f.Line, f.Column, f.Setting)
	}
}

// A Front Door whose origin is a custom domain of the instance
// (azurerm_api_management_custom_domain's gateway host name) fronts its
// APIs: a hop in front of their paths, not a path of its own.
func TestFrontDoorToACustomDomain(t *testing.T) {
	domain := res{addr: "azurerm_api_management_custom_domain.main", values: map[string]any{
		"api_management_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim",
		"gateway":           []any{map[string]any{"host_name": "API.contoso.example"}},
	}}
	fd := res{addr: "azurerm_cdn_frontdoor_profile.afd", values: map[string]any{"name": "afd", "id": "/fd/afd", "response_timeout_seconds": json.Number("16")}}
	group := res{addr: "azurerm_cdn_frontdoor_origin_group.g", values: map[string]any{"id": "/fd/afd/g", "cdn_frontdoor_profile_id": "/fd/afd"}}
	origin := res{addr: "azurerm_cdn_frontdoor_origin.o", values: map[string]any{"cdn_frontdoor_origin_group_id": "/fd/afd/g", "host_name": "api.contoso.example"}}
	rep := check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", streaming), domain, fd, group, origin), stream)
	if len(rep.Paths) != 1 || rep.Paths[0].Label != "api chat" || len(rep.NotOnPath) != 0 {
		t.Fatalf("%s\nnot on a path %q", dump(rep), rep.NotOnPath)
	}
	p := rep.Paths[0]
	for _, r := range []string{"azurerm_api_management_custom_domain.main", "azurerm_cdn_frontdoor_profile.afd", "azurerm_cdn_frontdoor_origin.o"} {
		if !slices.Contains(p.Resources, r) {
			t.Errorf("%s is not on the API's path: %q", r, p.Resources)
		}
	}
	if !slices.Contains(keys(p), "azurerm_cdn_frontdoor_profile.afd response_timeout_seconds SSE404 error") {
		t.Errorf("Front Door is not judged on the API's path: %q", keys(p))
	}
}

// set-backend-service is followed to the backend entity it names (a
// literal backend-id), and on to the account the entity's url is, whose
// deployments' content filters are on the path: a policy of the account
// named by rai_policy_name, a built-in one (the default mode), or none.
func TestBackendEntitiesAndContentFilters(t *testing.T) {
	routing := func(attr string) res {
		return policy("azurerm_api_management_api_policy.chat", strings.Replace(streaming, "<base /></inbound>", `<base /><set-backend-service `+attr+` /></inbound>`, 1))
	}
	backend := res{addr: "azurerm_api_management_backend.aoai", values: map[string]any{"name": "aoai", "api_management_name": "apim", "resource_group_name": "rg", "protocol": "http", "url": "https://contoso.openai.azure.com/openai"}}
	account := res{addr: "azurerm_cognitive_account.aoai", values: map[string]any{"id": "/acc/aoai", "custom_subdomain_name": "contoso", "kind": "OpenAI"}}
	deployment := func(name string, rai any) res {
		return res{addr: "azurerm_cognitive_deployment." + name, values: map[string]any{"name": name, "cognitive_account_id": "/acc/aoai", "rai_policy_name": rai}}
	}
	streamingFilter := res{addr: "azurerm_cognitive_account_rai_policy.async", values: map[string]any{"name": "async", "cognitive_account_id": "/acc/aoai", "mode": "Asynchronous_filter"}}
	tests := []struct {
		name    string
		rs      []res
		want    string // the content filter finding, "" for none
		notOn   []string
		note    string // a note some path must hold
		notNote string
	}{
		{"a deployment with no filter named: the default", []res{routing(`backend-id="aoai"`), backend, account, deployment("gpt", nil)},
			"azurerm_cognitive_deployment.gpt rai_policy_name SSE406 warning", nil, "", "no API's backend"},
		{"a built-in filter: the default mode", []res{routing(`backend-id="AOAI"`), backend, account, deployment("gpt", "Microsoft.DefaultV2")},
			"azurerm_cognitive_deployment.gpt rai_policy_name SSE406 warning", nil, "", ""},
		{"the account's asynchronous filter, by name", []res{routing(`backend-id="aoai"`), backend, account, deployment("gpt", "async"), streamingFilter},
			"", nil, "", ""},
		{"of two deployments, the one in chunks decides", []res{routing(`backend-id="aoai"`), backend, account, deployment("gpt", "async"), deployment("mini", nil), streamingFilter},
			"azurerm_cognitive_deployment.mini rai_policy_name SSE406 warning", nil, "of the 2 content filters on this path, azurerm_cognitive_deployment.mini.rai_policy_name decides", ""},
		{"a backend-id as an expression", []res{routing(`backend-id="@((string)context.Variables[&quot;backend&quot;])"`), backend, account, deployment("gpt", nil)},
			"", []string{"azurerm_api_management_backend.aoai"}, "is not a literal name", ""},
		{"a backend-id of a backend not in the plan", []res{routing(`backend-id="other"`), backend, account, deployment("gpt", nil)},
			"", []string{"azurerm_api_management_backend.aoai"}, `set-backend-service backend-id="other" at azurerm_api_management_api_policy.chat.xml_content:1:`, ""},
		{"a literal base-url", []res{routing(`base-url="https://contoso.openai.azure.com/openai"`), account, deployment("gpt", nil)},
			"azurerm_cognitive_deployment.gpt rai_policy_name SSE406 warning", nil, "", ""},
		// No API goes to the account: which path it serves is not in the
		// plan, so it stands on every path, as a content filter policy does.
		{"an account no API goes to", []res{policy("azurerm_api_management_api_policy.chat", streaming), account, deployment("gpt", nil)},
			"azurerm_cognitive_deployment.gpt rai_policy_name SSE406 warning", nil, "no API's backend is azurerm_cognitive_account.aoai: its content filter is checked on every path", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := check(t, handPlan(t, append([]res{apimRes, apiRes}, tt.rs...)...), stream)
			if len(rep.Paths) != 1 {
				t.Fatalf("%s", dump(rep))
			}
			p := rep.Paths[0]
			var got []string
			for _, f := range p.Findings {
				if f.Rule == "SSE406" || f.Rule == "SSE400" {
					got = append(got, key(f))
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("content filter findings %q, want %q\n%s", got, tt.want, dump(rep))
			}
			for _, r := range tt.notOn {
				if slices.Contains(p.Resources, r) || !slices.Contains(rep.NotOnPath, r) {
					t.Errorf("%s is on the path: %q", r, p.Resources)
				}
			}
			joined := strings.Join(p.Notes, "\n")
			if !strings.Contains(joined, tt.note) || (tt.notNote != "" && strings.Contains(joined, tt.notNote)) {
				t.Errorf("notes %q: want %q, not %q", p.Notes, tt.note, tt.notNote)
			}
		})
	}
}

// What a path's policy says decides its API: the marker comment at the top
// of the API's policy, and the signals of the composed policy, each placed
// on its resource attribute. A path with no API (a gateway in front of
// nothing in the plan) has no verdict, and its errors stay errors.
func TestStreamingFromThePolicies(t *testing.T) {
	auto := stream
	auto.Streaming = streamapi.Options{Mode: streamapi.Auto}
	buffering := `<policies><inbound><base /></inbound><backend><forward-request timeout="60" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	marked := func(marker string) string { return "<!-- " + marker + " -->\n" + buffering }
	llm := strings.Replace(buffering, "<base /></inbound>", `<base /><llm-token-limit tokens-per-minute="1000" counter-key="@(context.Subscription.Id)" estimate-prompt-tokens="true" /></inbound>`, 1)
	tests := []struct {
		name     string
		xml      string
		verdict  streamapi.Verdict
		evidence string
		severity rules.Severity
	}{
		{"the streams marker", marked("sseready:streams"), streamapi.Yes, "<!-- sseready:streams --> at azurerm_api_management_api_policy.chat.xml_content:1:1", rules.Error},
		{"the no-stream marker", marked("sseready:no-stream"), streamapi.No, "<!-- sseready:no-stream --> at azurerm_api_management_api_policy.chat.xml_content:1:1", rules.Info},
		{"an LLM policy", llm, streamapi.Yes, "llm-token-limit at azurerm_api_management_api_policy.chat.xml_content:1:", rules.Error},
		{"nothing", buffering, streamapi.Unknown, "nothing on its path", rules.Warning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := check(t, handPlan(t, apimRes, apiRes, policy("azurerm_api_management_api_policy.chat", tt.xml)), auto)
			p := rep.Paths[0]
			if p.Streaming != tt.verdict || !strings.HasPrefix(p.StreamingEvidence[0], tt.evidence) {
				t.Errorf("%s %q, want %s %q", p.Streaming, p.StreamingEvidence, tt.verdict, tt.evidence)
			}
			i := slices.IndexFunc(p.Findings, func(f Finding) bool { return f.Rule == rules.ForwardRequestBuffers })
			if i < 0 || p.Findings[i].Severity != tt.severity {
				t.Errorf("findings %q, want SSE101 %s", keys(p), tt.severity)
			}
		})
	}
	gw := res{addr: "azurerm_application_gateway.edge", values: map[string]any{
		"name": "agw-edge", "sku": []any{map[string]any{"name": "Standard_v2"}},
		"backend_address_pool": []any{map[string]any{"name": "aks", "ip_addresses": []any{"10.0.0.4"}}},
	}}
	rep := check(t, handPlan(t, gw), auto)
	p := rep.Paths[0]
	if p.Streaming != "" || len(p.StreamingEvidence) != 1 || !strings.Contains(p.StreamingEvidence[0], "no API is on this path") ||
		!slices.Contains(keys(p), "azurerm_application_gateway.edge global SSE301 error") || p.Ready || rep.Ready() {
		t.Errorf("%s %q ready %v: %q", p.Streaming, p.StreamingEvidence, p.Ready, keys(p))
	}
}

// The bug check-plan had: a product's <backend><base /></backend> under a
// global policy that buffers was blamed (SSE102) on the path of an API
// whose own <backend> forwards with buffer-response="false" and never
// calls <base />. The path's policies are checked composed, as lint DIR
// checks them: neither the product's base nor the global forward-request
// runs on that path.
func TestProductBaseTheAPINeverReaches(t *testing.T) {
	global := res{addr: "azurerm_api_management_policy.global", values: map[string]any{"api_management_name": "apim", "resource_group_name": "rg",
		"xml_content": `<policies><inbound /><backend><forward-request timeout="120" /></backend><outbound /><on-error /></policies>`}}
	product := res{addr: "azurerm_api_management_product.chat", values: map[string]any{"product_id": "chat", "api_management_name": "apim", "resource_group_name": "rg"}}
	link := res{addr: "azurerm_api_management_product_api.chat", values: map[string]any{"product_id": "chat", "api_name": "chat", "api_management_name": "apim", "resource_group_name": "rg"}}
	productPolicy := res{addr: "azurerm_api_management_product_policy.chat", values: map[string]any{"product_id": "chat", "api_management_name": "apim", "resource_group_name": "rg",
		"xml_content": "<policies>\n  <inbound><base /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>"}}
	apiXML := `<policies><inbound><base /></inbound><backend><forward-request timeout="120" buffer-response="false" /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`
	for _, tt := range []struct {
		name, api string
		want      string // the backend finding, "" for none
	}{
		{"the API forwards without <base />", apiXML, ""},
		{"the API inherits: the global forward-request runs", strings.Replace(apiXML, `<forward-request timeout="120" buffer-response="false" />`, "<base />", 1),
			"azurerm_api_management_policy.global xml_content SSE101 error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := check(t, handPlan(t, apimRes, apiRes, global, product, link, productPolicy, policy("azurerm_api_management_api_policy.chat", tt.api)), stream)
			p := rep.Paths[0]
			if p.Label != "product chat > api chat" {
				t.Fatalf("%s", dump(rep))
			}
			var got []string
			for _, f := range p.Findings {
				if f.Rule == rules.ForwardRequestBuffers || f.Rule == rules.BackendInheritsBuffering {
					got = append(got, key(f))
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("backend findings %q, want %q", got, tt.want)
			}
		})
	}
}
