package modulegen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/tfplan"
)

// FromPlan reads the API at address (an azurerm_api_management_api) from
// `terraform show -json` of a plan or a state: its name, path and backend
// URL, its instance's SKU, its operations, its policy (fixed where the fix
// is safe, with the fragments on its path), a logger per diagnostic, and
// the App Gateway and Front Door in front of it, as check-plan links them.
// The backend's timing is not in a plan: Default's stays, and the README
// says so. check-plan's findings that the fixes do not settle go in
// BeforeYouApply, placed on their resource attributes.
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
	str := func(r *tfplan.Resource, key string) string { v, _ := r.Values[key].(string); return v }
	s.APIName = str(api, "name")
	if p := strings.Trim(str(api, "path"), "/"); p != "" {
		s.Path = p
	} else {
		s.Path = s.APIName
	}
	s.BackendURL = str(api, "service_url")
	s.APIM.Name, s.APIM.ResourceGroup = str(api, "api_management_name"), str(api, "resource_group_name")

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
	for _, addr := range onPath {
		r := byAddress[addr]
		if r == nil {
			continue
		}
		switch r.Type {
		case "azurerm_api_management":
			if sku := str(r, "sku_name"); sku != "" {
				s.APIM.SKU = sku
			}
		case "azurerm_api_management_api_policy":
			policy = r
		case "azurerm_api_management_policy_fragment":
			frags[str(r, "name")] = []byte(str(r, "value"))
		case "azurerm_api_management_api_diagnostic":
			if id := str(r, "api_management_logger_id"); id != "" {
				ident := str(r, "identifier")
				s.Loggers[ident] = Logger{ID: id, Identifier: ident}
			} else {
				s.BeforeYouApply = append(s.BeforeYouApply, r.Address+": its logger ID is not known until apply: add it to var.loggers")
			}
		case "azurerm_application_gateway":
			s.addHop(HopAppGateway)
		case "azurerm_cdn_frontdoor_profile":
			s.addHop(HopFrontDoor)
		}
	}
	ops := map[string]Operation{}
	for _, r := range plan.Resources {
		if r.Type == "azurerm_api_management_api_operation" && str(r, "api_name") == s.APIName && r.Module == api.Module {
			ops[str(r, "operation_id")] = Operation{DisplayName: str(r, "display_name"), Method: str(r, "method"), URLTemplate: str(r, "url_template")}
		}
	}
	if len(ops) > 0 {
		s.Operations = ops
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
	s.TimingAssumed = true
	return s, nil
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
