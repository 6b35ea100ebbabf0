package azurermstandin

import (
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// SubscriptionID is the subscription every stand-in ID lives in: the
// all-zero GUID azurerm's own documentation uses.
const SubscriptionID = "00000000-0000-0000-0000-000000000000"

// idTemplates build the `id` a resource gets on apply, in the shape of
// the import ID azurerm documents for it (website/docs/r/*.html.markdown at
// commit 69697b7), so `id` references between resources look as they do
// in a real state. {attr} is the resource's top-level string attribute;
// {rg} is the resource group's ID.
var idTemplates = map[string]string{
	"azurerm_resource_group": "/subscriptions/" + SubscriptionID + "/resourceGroups/{name}",

	"azurerm_api_management":                      "{rg}/providers/Microsoft.ApiManagement/service/{name}",
	"azurerm_api_management_api":                  "{apim}/apis/{name};rev={revision}",
	"azurerm_api_management_api_policy":           "{apim}/apis/{api_name}",
	"azurerm_api_management_api_operation":        "{apim}/apis/{api_name}/operations/{operation_id}",
	"azurerm_api_management_api_operation_policy": "{apim}/apis/{api_name}/operations/{operation_id}",
	"azurerm_api_management_product":              "{apim}/products/{product_id}",
	"azurerm_api_management_product_api":          "{apim}/products/{product_id}/apis/{api_name}",
	"azurerm_api_management_product_policy":       "{apim}/products/{product_id}",
	"azurerm_api_management_policy":               "{api_management_id}",
	"azurerm_api_management_policy_fragment":      "{api_management_id}/policyFragments/{name}",
	"azurerm_api_management_logger":               "{apim}/loggers/{name}",
	"azurerm_api_management_api_diagnostic":       "{apim}/apis/{api_name}/diagnostics/{identifier}",
	"azurerm_api_management_diagnostic":           "{apim}/diagnostics/{identifier}",
	"azurerm_api_management_backend":              "{apim}/backends/{name}",
	"azurerm_api_management_named_value":          "{apim}/namedValues/{name}",
	"azurerm_api_management_workspace":            "{api_management_id}/workspaces/{name}",
	"azurerm_api_management_workspace_policy":     "{api_management_workspace_id}",

	"azurerm_api_management_workspace_policy_fragment": "{api_management_workspace_id}/policyFragments/{name}",

	"azurerm_application_insights":            "{rg}/providers/Microsoft.Insights/components/{name}",
	"azurerm_application_gateway":             "{rg}/providers/Microsoft.Network/applicationGateways/{name}",
	"azurerm_web_application_firewall_policy": "{rg}/providers/Microsoft.Network/applicationGatewayWebApplicationFirewallPolicies/{name}",
	"azurerm_public_ip":                       "{rg}/providers/Microsoft.Network/publicIPAddresses/{name}",
	"azurerm_virtual_network":                 "{rg}/providers/Microsoft.Network/virtualNetworks/{name}",
	"azurerm_subnet":                          "{rg}/providers/Microsoft.Network/virtualNetworks/{virtual_network_name}/subnets/{name}",
	"azurerm_lb":                              "{rg}/providers/Microsoft.Network/loadBalancers/{name}",
	"azurerm_lb_backend_address_pool":         "{loadbalancer_id}/backendAddressPools/{name}",
	"azurerm_lb_probe":                        "{loadbalancer_id}/probes/{name}",
	"azurerm_lb_rule":                         "{loadbalancer_id}/loadBalancingRules/{name}",
	"azurerm_cdn_frontdoor_profile":           "{rg}/providers/Microsoft.Cdn/profiles/{name}",
	"azurerm_cdn_frontdoor_endpoint":          "{cdn_frontdoor_profile_id}/afdEndpoints/{name}",
	"azurerm_cdn_frontdoor_origin_group":      "{cdn_frontdoor_profile_id}/originGroups/{name}",
	"azurerm_cdn_frontdoor_origin":            "{cdn_frontdoor_origin_group_id}/origins/{name}",
	"azurerm_cdn_frontdoor_route":             "{cdn_frontdoor_endpoint_id}/routes/{name}",
	"azurerm_cognitive_account":               "{rg}/providers/Microsoft.CognitiveServices/accounts/{name}",
	"azurerm_cognitive_deployment":            "{cognitive_account_id}/deployments/{name}",
	"azurerm_cognitive_account_rai_policy":    "{cognitive_account_id}/raiPolicies/{name}",

	// What real configurations have around them: the ARM resource ID of
	// each type, which is the import ID azurerm documents.
	"azurerm_network_interface":       "{rg}/providers/Microsoft.Network/networkInterfaces/{name}",
	"azurerm_network_security_group":  "{rg}/providers/Microsoft.Network/networkSecurityGroups/{name}",
	"azurerm_private_endpoint":        "{rg}/providers/Microsoft.Network/privateEndpoints/{name}",
	"azurerm_linux_virtual_machine":   "{rg}/providers/Microsoft.Compute/virtualMachines/{name}",
	"azurerm_windows_virtual_machine": "{rg}/providers/Microsoft.Compute/virtualMachines/{name}",
	"azurerm_kubernetes_cluster":      "{rg}/providers/Microsoft.ContainerService/managedClusters/{name}",
	"azurerm_container_registry":      "{rg}/providers/Microsoft.ContainerRegistry/registries/{name}",
	"azurerm_key_vault":               "{rg}/providers/Microsoft.KeyVault/vaults/{name}",
	"azurerm_storage_account":         "{rg}/providers/Microsoft.Storage/storageAccounts/{name}",
	"azurerm_user_assigned_identity":  "{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
	"azurerm_log_analytics_workspace": "{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}",
}

// Shorthands inside the templates.
var idShorthands = strings.NewReplacer(
	"{rg}", "/subscriptions/"+SubscriptionID+"/resourceGroups/{resource_group_name}",
	"{apim}", "{rg}/providers/Microsoft.ApiManagement/service/{api_management_name}",
)

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// resourceID is the stand-in ID of a resource (or data source) of the
// given type whose planned value is obj. A type without a template gets a
// generic ID under its resource group,
// {rg}/providers/Standin/<type without azurerm_>/{name}; an attribute
// that is missing, null or unknown becomes "standin-<attr>", so an ID is
// always there.
func resourceID(typeName string, obj tftypes.Value) string {
	tmpl, ok := idTemplates[typeName]
	if !ok {
		tmpl = "{rg}/providers/Standin/" + strings.TrimPrefix(typeName, "azurerm_") + "/{name}"
	}
	// Expanded twice: {apim} holds {rg}.
	tmpl = idShorthands.Replace(idShorthands.Replace(tmpl))
	attrs := map[string]tftypes.Value{}
	_ = obj.As(&attrs) // not an object: every attribute is missing
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[1 : len(m)-1]
		var s string
		if v, ok := attrs[name]; ok && v.IsKnown() && !v.IsNull() && v.As(&s) == nil {
			return s
		}
		return "standin-" + name
	})
}
