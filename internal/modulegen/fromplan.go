package modulegen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/plain"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/tfplan"
)

// FromPlan reads the API at address (an azurerm_api_management_api) from
// `terraform show -json` of a plan or a state: its name, path, backend URL,
// display name, protocols, subscription settings, revision and version,
// its instance's name, resource group and SKU, its operations, its policy
// (fixed where the fix is safe, with the fragments on its path), a logger
// per diagnostic, and the App Gateway and Front Door in front of it, as
// check-plan links them. What the plan does not hold or know until apply
// (the backend's timing always) is assumed (Assumed); each value taken
// has its resource attribute as origin. check-plan's findings that the
// fixes do not settle go in BeforeYouApply, placed on their resource
// attributes, and the policy's errors without a safe fix in Unfixable.
func FromPlan(data []byte, address string) (Spec, error) {
	s := Default()
	plan, err := tfplan.Read(data)
	if err != nil {
		return s, err
	}
	byAddress := map[string]*tfplan.Resource{}
	var apis []string
	for _, r := range plan.Resources {
		byAddress[r.Address] = r
		if r.Type == "azurerm_api_management_api" {
			apis = append(apis, r.Address)
		}
	}
	api := byAddress[address]
	switch {
	case api == nil:
		return s, fmt.Errorf("%w %q in the plan: it has %s", ErrUnknownAPI, address, listOrNone(apis))
	case api.Type != "azurerm_api_management_api":
		return s, fmt.Errorf("%s is an %s: --api takes an azurerm_api_management_api's address (%s)", address, api.Type, listOrNone(apis))
	}
	s.Source = "the plan's " + address
	s.takeAPI(api)

	rep := tfplan.Check(plan, tfplan.Options{})
	var path *tfplan.Path
	for i := range rep.Paths {
		if rep.Paths[i].API == address {
			path = &rep.Paths[i]
			break
		}
	}
	onPath := []string{}
	if path != nil {
		onPath = path.Resources
	}
	frags := map[string][]byte{}
	var policy *tfplan.Resource
	skuFound := false
	for _, addr := range onPath {
		r := byAddress[addr]
		if r == nil {
			continue
		}
		switch r.Type {
		case "azurerm_api_management":
			if sku := str(r, "sku_name"); sku != "" {
				s.APIM.SKU, s.Origins["apim-sku"], skuFound = sku, planOrigin(r, "sku_name"), true
			}
		case "azurerm_api_management_api_policy":
			policy = r
		case "azurerm_api_management_policy_fragment":
			frags[str(r, "name")] = []byte(str(r, "value"))
		case "azurerm_api_management_api_diagnostic":
			if id := str(r, "api_management_logger_id"); id != "" {
				ident := str(r, "identifier")
				s.Loggers[ident] = Logger{ID: id, Identifier: ident, From: planOrigin(r, "api_management_logger_id")}
			} else {
				s.BeforeYouApply = append(s.BeforeYouApply, r.Address+": its logger ID is not known until apply: add it to var.loggers")
			}
		case "azurerm_application_gateway":
			s.addHop(HopAppGateway)
		case "azurerm_cdn_frontdoor_profile":
			s.addHop(HopFrontDoor)
		}
	}
	if !skuFound {
		s.assume("sku_name", "api_management_sku_name", fmt.Sprintf("the plan does not hold the SKU of the API's instance %s", s.APIM.Name), "apim-sku")
	}
	ops := map[string]Operation{}
	for _, r := range plan.Resources {
		if r.Type != "azurerm_api_management_api_operation" || r.Module != api.Module {
			continue
		}
		if n := str(r, "api_name"); n == s.APIName || n == s.APIName+";rev="+s.Revision {
			ops[str(r, "operation_id")] = Operation{DisplayName: str(r, "display_name"), Method: str(r, "method"), URLTemplate: str(r, "url_template"), From: Origin{At: r.Address, In: "the plan"}}
		}
	}
	if len(ops) > 0 {
		s.Operations = ops
	} else {
		s.assume("operations", "operations", "the plan declares no azurerm_api_management_api_operation for the API", "operation")
	}
	if policy != nil {
		xml := str(policy, "xml_content")
		if xml == "" {
			s.BeforeYouApply = append(s.BeforeYouApply, policy.Address+".xml_content is not known until apply: the module renders a policy with sseready_apim_policy instead.")
		} else if err := s.fixPolicy([]byte(xml), frags, policy.Address+".xml_content"); err != nil {
			return s, err
		}
	}
	if path != nil {
		for _, f := range path.Findings {
			if f.Severity != rules.Error || (policy != nil && f.At.Address == policy.Address) {
				continue // the policy's own findings were fixed or listed above
			}
			if r := byAddress[f.At.Address]; r != nil && settledByModule[r.Type] != "" {
				s.Fixed = append(s.Fixed, fmt.Sprintf("%s: %s: %s (%s)", f.At, f.Rule, f.Message, settledByModule[r.Type]))
				continue
			}
			s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("%s: %s %s: %s", f.At, f.Severity, f.Rule, f.Message))
		}
	}
	s.assumeTiming("the plan")
	return s, nil
}

// takeAPI takes the azurerm_api_management_api's own settings, each with
// its attribute as origin, assuming what the plan does not know until
// apply.
func (s *Spec) takeAPI(api *tfplan.Resource) {
	unknownWhy := func(attr string) string {
		return fmt.Sprintf("%s.%s is not known until apply", api.Address, attr)
	}
	s.APIName, s.Origins["api-name"] = str(api, "name"), planOrigin(api, "name")
	if p := strings.Trim(str(api, "path"), "/"); p != "" {
		s.Path, s.Origins["path"] = p, planOrigin(api, "path")
	} else {
		s.Path, s.Origins["path"] = s.APIName, planOrigin(api, "name")
	}
	s.APIM.Name, s.Origins["apim-name"] = str(api, "api_management_name"), planOrigin(api, "api_management_name")
	s.APIM.ResourceGroup, s.Origins["resource-group"] = str(api, "resource_group_name"), planOrigin(api, "resource_group_name")

	switch v := api.Values["service_url"]; {
	case plain.IsUnknown(v):
		s.BackendURL = ""
		s.assume("service_url", "service_url", unknownWhy("service_url")+": null, a policy routes the request", "backend-url")
	default:
		s.BackendURL = str(api, "service_url")
		s.Origins["backend-url"] = planOrigin(api, "service_url")
	}
	if d := str(api, "display_name"); d != "" {
		s.DisplayName = d
	} else {
		s.assume("display_name", "display_name", unknownWhy("display_name")+": the API's name is taken")
	}
	if ps, ok := api.Values["protocols"].([]any); ok && len(ps) > 0 {
		s.Protocols = nil
		for _, p := range ps {
			if p, ok := p.(string); ok {
				s.Protocols = append(s.Protocols, p)
			}
		}
		s.Origins["protocols"] = planOrigin(api, "protocols")
	} else {
		s.assume("protocols", "protocols", unknownWhy("protocols"))
	}
	if b, ok := api.Values["subscription_required"].(bool); ok {
		s.SubscriptionRequired = b
	} else {
		s.assume("subscription_required", "subscription_required", unknownWhy("subscription_required")+": azurerm's default")
	}
	if blocks, ok := api.Values["subscription_key_parameter_names"].([]any); ok && len(blocks) > 0 {
		if k, ok := blocks[0].(map[string]any); ok {
			h, _ := k["header"].(string)
			q, _ := k["query"].(string)
			s.SubscriptionKey, s.Origins["subscription-key"] = &SubscriptionKey{Header: h, Query: q}, planOrigin(api, "subscription_key_parameter_names")
		}
	}
	if r := str(api, "revision"); r != "" {
		s.Revision, s.Origins["revision"] = r, planOrigin(api, "revision")
	} else {
		s.assume("revision", "revision", unknownWhy("revision"))
	}
	version, setID := str(api, "version"), str(api, "version_set_id")
	switch {
	case version != "" && setID != "":
		s.Version, s.VersionSetID, s.Origins["api-version"] = version, setID, planOrigin(api, "version")
	case version != "":
		s.assume("api_version", "api_version", fmt.Sprintf("%s.version is %q, but its version_set_id, which azurerm needs with it, is not known until apply: the module writes no version", api.Address, version))
	}
}

// planOrigin is the origin of a value the plan holds at r's attribute.
func planOrigin(r *tfplan.Resource, attr string) Origin {
	return Origin{At: r.Address + "." + attr, In: "the plan"}
}

// str is a string attribute of r: "" when null or not known until apply.
func str(r *tfplan.Resource, key string) string {
	v, _ := r.Values[key].(string)
	return v
}

// settledByModule says, by resource type, why a finding on it does not
// carry over: the generated module writes that resource's settings.
var settledByModule = map[string]string{
	"azurerm_api_management_api_diagnostic": "the module's diagnostics log no bodies",
	"azurerm_application_gateway":           "the module outputs the gateway's global block and request_timeout",
}

func (s *Spec) addHop(h string) {
	if !slices.Contains(s.Hops, h) {
		s.Hops = append(s.Hops, h)
	}
}
