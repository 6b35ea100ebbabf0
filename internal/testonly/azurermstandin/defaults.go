package azurermstandin

import "github.com/hashicorp/terraform-plugin-go/tftypes"

// defaults are azurerm's `Default:` values for settings on an SSE stream's
// path, which `terraform providers schema -json` does not carry: azurerm
// plans them when the configuration leaves the attribute out, so a plan
// checker must see them as a real plan shows them. Each was read in
// azurerm's source at commit 69697b7, the commit the schema comes from.
// Other defaults are not filled: the stand-in plans null there, where
// azurerm would plan its default. The key is the attribute's path through
// nested blocks, dot-separated.
var defaults = map[string]map[string]tftypes.Value{
	// internal/services/network/application_gateway_resource.go
	"azurerm_application_gateway": {
		"backend_http_settings.request_timeout": tftypes.NewValue(tftypes.Number, 30),
	},
	// internal/services/loadbalancer/lb_rule_resource.go
	"azurerm_lb_rule": {
		"idle_timeout_in_minutes": tftypes.NewValue(tftypes.Number, 4),
		"tcp_reset_enabled":       tftypes.NewValue(tftypes.Bool, false),
		"floating_ip_enabled":     tftypes.NewValue(tftypes.Bool, false),
		"disable_outbound_snat":   tftypes.NewValue(tftypes.Bool, false),
		"load_distribution":       tftypes.NewValue(tftypes.String, "Default"),
	},
	// internal/services/apimanagement/api_management_logger_resource.go:
	// log batching, not response buffering.
	"azurerm_api_management_logger": {
		"buffered": tftypes.NewValue(tftypes.Bool, true),
	},
	// internal/services/apimanagement/api_management_api_diagnostic_resource.go
	"azurerm_api_management_api_diagnostic": {
		"operation_name_format": tftypes.NewValue(tftypes.String, "Name"),
	},
	// internal/services/cdn/cdn_frontdoor_profile_resource.go
	"azurerm_cdn_frontdoor_profile": {
		"response_timeout_seconds": tftypes.NewValue(tftypes.Number, 120),
	},
	// internal/services/cdn/cdn_frontdoor_origin_group_resource.go
	"azurerm_cdn_frontdoor_origin_group": {
		"session_affinity_enabled":                                  tftypes.NewValue(tftypes.Bool, true),
		"restore_traffic_time_to_healed_or_new_endpoint_in_minutes": tftypes.NewValue(tftypes.Number, 10),
	},
}
