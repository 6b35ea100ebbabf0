package azurermstandin_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sseready/terraform-provider-sseready/internal/provider"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermconfigs"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// chainResources are the resources of azurermconfigs/chain, by address.
var chainResources = []string{
	"azurerm_api_management.main",
	"azurerm_api_management_api.chat",
	"azurerm_api_management_api_diagnostic.chat",
	"azurerm_api_management_api_operation.completions",
	"azurerm_api_management_api_operation_policy.completions",
	"azurerm_api_management_api_policy.chat",
	"azurerm_api_management_diagnostic.global",
	"azurerm_api_management_logger.main",
	"azurerm_api_management_policy.global",
	"azurerm_api_management_policy_fragment.chat_auth",
	"azurerm_api_management_product.chat",
	"azurerm_api_management_product_api.chat",
	"azurerm_api_management_product_policy.chat",
	"azurerm_application_gateway.main",
	"azurerm_application_insights.main",
	"azurerm_cdn_frontdoor_origin_group.chat",
	"azurerm_cdn_frontdoor_profile.main",
	"azurerm_cognitive_account.openai",
	"azurerm_cognitive_account_rai_policy.streaming",
	"azurerm_lb.main",
	"azurerm_lb_backend_address_pool.main",
	"azurerm_lb_probe.https",
	"azurerm_lb_rule.https",
	"azurerm_public_ip.appgw",
	"azurerm_public_ip.lb",
	"azurerm_resource_group.main",
	"azurerm_subnet.appgw",
	"azurerm_virtual_network.main",
}

// The parts of `terraform show -json` the tests read.
type (
	showJSON struct {
		PlannedValues struct {
			RootModule module `json:"root_module"`
		} `json:"planned_values"`
		Values struct {
			RootModule module `json:"root_module"`
			Outputs    map[string]struct{ Value any }
		} `json:"values"`
		ResourceChanges []struct {
			Address string
			Change  struct {
				Actions      []string
				AfterUnknown map[string]any `json:"after_unknown"`
			}
		} `json:"resource_changes"`
		Configuration struct {
			RootModule struct {
				Resources []struct {
					Address     string
					Expressions map[string]any
				}
			} `json:"root_module"`
		}
	}
	module struct {
		Resources []struct {
			Address string
			Mode    string
			Values  map[string]any
		}
	}
)

func decode(t *testing.T, b []byte) *showJSON {
	t.Helper()
	var doc showJSON
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("show -json: %v", err)
	}
	return &doc
}

func (m module) values(t *testing.T, address string) map[string]any {
	t.Helper()
	for _, r := range m.Resources {
		if r.Address == address {
			return r.Values
		}
	}
	t.Fatalf("%s is not in the JSON", address)
	return nil
}

// at reads a value at a path of keys and list indexes.
func at(v any, path ...any) any {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[s]
		case int:
			l, _ := v.([]any)
			if s >= len(l) {
				return nil
			}
			v = l[s]
		}
	}
	return v
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPlanChain plans azurermconfigs/chain with the real terraform and checks
// what a plan checker reads in it: addresses, planned values (azurerm's
// defaults included), the policy documents byte for byte, the references
// that link resources, and unknown computed attributes.
func TestPlanChain(t *testing.T) {
	t.Parallel()
	plan := decode(t, azurermconfigs.Plan(t, "chain"))

	var addresses []string
	for _, rc := range plan.ResourceChanges {
		addresses = append(addresses, rc.Address)
		if !reflect.DeepEqual(rc.Change.Actions, []string{"create"}) {
			t.Errorf("%s: actions %v, want create", rc.Address, rc.Change.Actions)
		}
		// Known after apply, as with azurerm.
		if rc.Change.AfterUnknown["id"] != true {
			t.Errorf("%s: id is not unknown in the plan: %v", rc.Address, rc.Change.AfterUnknown)
		}
	}
	sort.Strings(addresses)
	if !reflect.DeepEqual(addresses, chainResources) {
		t.Errorf("resource changes:\n got %v\nwant %v", addresses, chainResources)
	}

	pv := plan.PlannedValues.RootModule
	checks := []struct {
		address string
		path    []any
		want    any
	}{
		{"azurerm_api_management.main", []any{"sku_name"}, "StandardV2_1"},
		{"azurerm_application_gateway.main", []any{"global", 0, "response_buffering_enabled"}, false},
		{"azurerm_application_gateway.main", []any{"global", 0, "request_buffering_enabled"}, true},
		{"azurerm_application_gateway.main", []any{"sku", 0, "name"}, "Standard_v2"},
		{"azurerm_lb_rule.https", []any{"idle_timeout_in_minutes"}, 30.0},
		{"azurerm_lb_rule.https", []any{"tcp_reset_enabled"}, true},
		{"azurerm_cdn_frontdoor_profile.main", []any{"response_timeout_seconds"}, 240.0},
		{"azurerm_cognitive_account_rai_policy.streaming", []any{"mode"}, "Asynchronous_filter"},
		{"azurerm_api_management_api_diagnostic.chat", []any{"frontend_response", 0, "body_bytes"}, 8192.0},
		{"azurerm_api_management_api_diagnostic.chat", []any{"frontend_request", 0, "body_bytes"}, 1024.0},
		{"azurerm_api_management_api_diagnostic.chat", []any{"verbosity"}, "verbose"},
		{"azurerm_api_management_diagnostic.global", []any{"backend_response", 0, "body_bytes"}, 0.0},
		// azurerm's defaults, planned where the configuration is silent.
		{"azurerm_api_management_logger.main", []any{"buffered"}, true},
		{"azurerm_api_management_api_diagnostic.chat", []any{"operation_name_format"}, "Name"},
	}
	for _, c := range checks {
		if got := at(pv.values(t, c.address), c.path...); got != c.want {
			t.Errorf("%s %v = %#v, want %#v", c.address, c.path, got, c.want)
		}
	}

	// backend_http_settings is a set: find each by name. "health" leaves
	// request_timeout out, so azurerm's default of 30 is planned.
	timeouts := map[string]any{}
	settings, _ := at(pv.values(t, "azurerm_application_gateway.main"), "backend_http_settings").([]any)
	for _, s := range settings {
		name, _ := at(s, "name").(string)
		timeouts[name] = at(s, "request_timeout")
	}
	if want := map[string]any{"chat": 180.0, "health": 30.0}; !reflect.DeepEqual(timeouts, want) {
		t.Errorf("request_timeout by backend_http_settings = %v, want %v", timeouts, want)
	}

	// The policy documents reach the plan byte for byte, rawxml
	// expressions with unescaped quotes included.
	for address, file := range map[string]string{
		"azurerm_api_management_api_policy.chat":           "policies/chat-api.xml",
		"azurerm_api_management_policy.global":             "policies/global.xml",
		"azurerm_api_management_policy_fragment.chat_auth": "policies/chat-auth-fragment.xml",
	} {
		attr := "xml_content"
		if strings.Contains(address, "fragment") {
			attr = "value"
		}
		if got, want := at(pv.values(t, address), attr), readFile(t, azurermconfigs.File("chain", file)); got != want {
			t.Errorf("%s.%s is not %s byte for byte:\n%s", address, attr, file, got)
		}
	}
	productPolicy, _ := at(pv.values(t, "azurerm_api_management_product_policy.chat"), "xml_content").(string)
	wantLine := "        <quota-by-key calls=\"10000\" renewal-period=\"86400\" counter-key=\"@(context.Request.Headers.GetValueOrDefault(\"Ocp-Apim-Subscription-Key\", \"none\"))\" />\n"
	if !strings.HasPrefix(productPolicy, "<policies>\n    <inbound>\n") || !strings.Contains(productPolicy, wantLine) {
		t.Errorf("the product policy heredoc is not planned as written:\n%s", productPolicy)
	}

	// References link the resources, as a plan checker follows them.
	refs := map[string]map[string]string{
		"azurerm_api_management_api_policy.chat": {
			"api_name": "azurerm_api_management_api.chat.name", "api_management_name": "azurerm_api_management.main.name",
		},
		"azurerm_api_management_api_operation_policy.completions": {
			"operation_id": "azurerm_api_management_api_operation.completions.operation_id",
		},
		"azurerm_api_management_product_api.chat": {
			"api_name": "azurerm_api_management_api.chat.name", "product_id": "azurerm_api_management_product.chat.product_id",
		},
		"azurerm_api_management_api_diagnostic.chat": {
			"api_management_logger_id": "azurerm_api_management_logger.main.id",
		},
		"azurerm_api_management_policy.global": {"api_management_id": "azurerm_api_management.main.id"},
		"azurerm_lb_rule.https":                {"loadbalancer_id": "azurerm_lb.main.id"},
	}
	for _, r := range plan.Configuration.RootModule.Resources {
		for attr, want := range refs[r.Address] {
			got, _ := at(r.Expressions, attr, "references").([]any)
			if len(got) == 0 || got[0] != want {
				t.Errorf("%s.%s references %v, want %s first", r.Address, attr, got, want)
			}
		}
		delete(refs, r.Address)
	}
	if len(refs) > 0 {
		t.Errorf("not in the configuration: %v", refs)
	}

	// Unknown until apply: ids the diagnostic's logger id comes from, and
	// a nested block's computed id.
	for _, rc := range plan.ResourceChanges {
		switch rc.Address {
		case "azurerm_api_management_api_diagnostic.chat":
			if rc.Change.AfterUnknown["api_management_logger_id"] != true {
				t.Errorf("api_management_logger_id is not unknown: %v", rc.Change.AfterUnknown)
			}
		case "azurerm_application_gateway.main":
			if at(rc.Change.AfterUnknown, "backend_http_settings", 0, "id") != true {
				t.Errorf("backend_http_settings[0].id is not unknown: %v", rc.Change.AfterUnknown["backend_http_settings"])
			}
		}
	}
}

// TestStateChain applies azurermconfigs/chain against the stand-in: the state
// holds the configuration with stand-in values for what Azure would
// compute, ARM IDs as azurerm writes them, and a second plan has nothing
// to do.
func TestStateChain(t *testing.T) {
	t.Parallel()
	tf := azurermconfigs.Start(t, "chain")
	tf.MustRun("apply", "-input=false", "-no-color", "-auto-approve")
	state := decode(t, tf.MustRun("show", "-json", "-no-color"))
	root := state.Values.RootModule

	var managed []string
	armID := regexp.MustCompile(`^/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-chat(/providers/[A-Za-z.]+/[^/]+/[^/]+(/[A-Za-z]+/[^/]+)*)?$`)
	for _, r := range root.Resources {
		if r.Mode != "managed" {
			continue
		}
		managed = append(managed, r.Address)
		if id, _ := r.Values["id"].(string); !armID.MatchString(id) {
			t.Errorf("%s: id %q is not an ARM resource ID", r.Address, id)
		}
	}
	sort.Strings(managed)
	if !reflect.DeepEqual(managed, chainResources) {
		t.Errorf("state resources:\n got %v\nwant %v", managed, chainResources)
	}

	const apim = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-chat/providers/Microsoft.ApiManagement/service/apim-chat"
	for address, want := range map[string]string{
		"azurerm_api_management_api.chat":            apim + "/apis/chat;rev=1",
		"azurerm_api_management_api_policy.chat":     apim + "/apis/chat",
		"azurerm_api_management_policy.global":       apim,
		"azurerm_api_management_logger.main":         apim + "/loggers/appi-chat",
		"azurerm_api_management_api_diagnostic.chat": apim + "/apis/chat/diagnostics/applicationinsights",
	} {
		if got := root.values(t, address)["id"]; got != want {
			t.Errorf("%s: id %v, want %s", address, got, want)
		}
	}
	// References resolve to the IDs of the state.
	if got := root.values(t, "azurerm_api_management_api_diagnostic.chat")["api_management_logger_id"]; got != apim+"/loggers/appi-chat" {
		t.Errorf("api_management_logger_id = %v", got)
	}
	if got := at(root.values(t, "azurerm_application_gateway.main"), "global", 0, "response_buffering_enabled"); got != false {
		t.Errorf("global.response_buffering_enabled = %v", got)
	}
	if got := root.values(t, "data.azurerm_client_config.current")["tenant_id"]; got != azurermstandin.SubscriptionID {
		t.Errorf("azurerm_client_config.tenant_id = %v", got)
	}
	if got, want := root.values(t, "azurerm_api_management_api_policy.chat")["xml_content"], readFile(t, azurermconfigs.File("chain", "policies/chat-api.xml")); got != want {
		t.Errorf("the API policy changed on apply:\n%s", got)
	}

	// Applied as planned: nothing left to change.
	if out, err := tf.Run("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		t.Errorf("a plan after apply is not empty: %v\n%s", err, out)
	}
}

// TestValidateRealSchema shows the schema served is azurerm's: terraform
// validate accepts the chain and rejects a misspelt attribute or a
// missing required one with azurerm's names in the message.
func TestValidateRealSchema(t *testing.T) {
	t.Parallel()
	if r := azurermconfigs.Validate(t, "chain"); !r.Valid {
		t.Fatalf("azurermconfigs/chain is invalid:\n%s", r)
	}

	dir := t.TempDir()
	config := `provider "azurerm" {
  features {}
}

resource "azurerm_api_management_api_policy" "chat" {
  api_name            = "chat"
  api_management_name = "apim-chat"
  resource_group_name = "rg-chat"
  xml_contents        = "<policies />"
}

resource "azurerm_application_gateway" "main" {
  name                = "agw-chat"
  location            = "westeurope"
  resource_group_name = "rg-chat"
  global {
    response_buffering_enabled = false
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config+newlyServed), 0o600); err != nil {
		t.Fatal(err)
	}
	// The whole schema, as azurerm serves it: the same mistakes are found
	// with every other type of azurerm's beside the ones named.
	r := azurermstandin.Validate(t, dir, azurermstandin.WithWholeSchema())
	if r.Valid {
		t.Fatal("a misspelt attribute passed terraform validate")
	}
	// The types the configuration names, as Start serves by default: the
	// same diagnostics, word for word (terraform lists them in no set
	// order).
	lines := func(r *azurermstandin.ValidateResult) []string {
		return slices.Sorted(slices.Values(strings.Split(r.String(), "\n")))
	}
	if sub := azurermstandin.Validate(t, dir); !slices.Equal(lines(sub), lines(r)) {
		t.Errorf("validate against the types named says\n%s\nand against the whole schema\n%s", sub, r)
	}
	text := r.String()
	for _, want := range []string{
		`main.tf:9:3: error: Unsupported argument: An argument named "xml_contents" is not expected here. Did you mean "xml_content"?`,
		`error: Missing required argument: The argument "request_buffering_enabled" is required`,
		`error: Insufficient sku blocks`,
		// Types served since the whole schema is.
		`main.tf:27:5: error: Unsupported argument: An argument named "vm_sise" is not expected here. Did you mean "vm_size"?`,
		`error: Missing required argument: The argument "sku_name" is required`,
		`error: Unsupported argument: An argument named "sku" is not expected here.`,
		`error: Insufficient os_disk blocks`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("validate does not say %q; it says:\n%s", want, text)
		}
	}
}

// newlyServed are mistakes in resource types outside the SSE chain, which
// terraform validate must reject by azurerm's schema as it rejects
// mistakes in the chain's.
const newlyServed = `
resource "azurerm_kubernetes_cluster" "main" {
  name                = "aks-chat"
  location            = "westeurope"
  resource_group_name = "rg-chat"
  default_node_pool {
    name    = "system"
    vm_sise = "Standard_D2s_v5"
  }
  node_provisioning_profile {}
}

resource "azurerm_key_vault" "main" {
  name                       = "kv-chat"
  location                   = "westeurope"
  resource_group_name        = "rg-chat"
  tenant_id                  = "00000000-0000-0000-0000-000000000000"
  rbac_authorization_enabled = true
  sku                        = "standard"
}

resource "azurerm_linux_virtual_machine" "vm" {
  name                  = "vm-chat"
  location              = "westeurope"
  resource_group_name   = "rg-chat"
  size                  = "Standard_B2s"
  network_interface_ids = []
}
`

// TestValidateExamples validates every directory under examples/ that
// declares azurerm resources against azurerm's schema, with sseready's
// provider served too. Today the examples show azurerm only in comments,
// so there may be none; example modules added later are checked as they
// come.
func TestValidateExamples(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "examples")
	dirs, err := azurermstandin.AzurermDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Log("no example declares azurerm resources yet: nothing to validate")
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			opts := []azurermstandin.Option{
				azurermstandin.WithRoot(root),
				azurermstandin.WithProvider("registry.terraform.io/sseready/sseready", providerserver.NewProtocol6(provider.New("test")())),
			}
			if !declaresProviders(t, dir) {
				// Doc snippets leave the terraform block out; users write it.
				opts = append(opts, azurermstandin.WithFile("standin_versions.tf", requiredProviders))
			}
			if r := azurermstandin.Validate(t, dir, opts...); !r.Valid || r.WarningCount > 0 {
				t.Errorf("terraform validate on examples/%s:\n%s", rel, r)
			}
		})
	}
}

const requiredProviders = `terraform {
  required_providers {
    azurerm  = { source = "hashicorp/azurerm" }
    sseready = { source = "sseready/sseready" }
  }
}
`

func declaresProviders(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(readFile(t, f), "required_providers") {
			return true
		}
	}
	return false
}
