package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccExamples applies every directory under examples/ as a user would,
// so the examples in the docs and the quickstart of `make demo` work.
func TestAccExamples(t *testing.T) {
	t.Parallel()
	examples := []struct {
		dir    string
		checks []statecheck.StateCheck
	}{
		{dir: "provider"},
		{dir: "data-sources/sseready_apim_policy", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("chat_policy", knownvalue.StringRegexp(errorRe(`<set-backend-service backend-id="chat-completions" />`))),
		}},
		{dir: "data-sources/sseready_apim_policy_check", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("orders_ready", knownvalue.Bool(false)),
			statecheck.ExpectKnownOutputValue("orders_findings", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringRegexp(errorRe(`orders-policy.xml:10:5: error SSE101: forward-request has no buffer-response`)),
				knownvalue.StringRegexp(errorRe(`orders-policy.xml:10:5: accepted SSE104: forward-request has no timeout`)),
			})),
			statecheck.ExpectKnownOutputValue("orders_fixed", knownvalue.StringRegexp(errorRe(`<forward-request buffer-response="false" />`))),
		}},
		{dir: "functions/check_apim_policy", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("operation_check", knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"ready":    knownvalue.Bool(true),
				"findings": knownvalue.ListSizeExact(1),
			})),
			statecheck.ExpectKnownOutputValue("with_fragments", knownvalue.Bool(true)),
		}},
		{dir: "functions/fix_apim_policy", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("fixed_policy_ready", knownvalue.Bool(true)),
		}},
		{dir: "data-sources/sseready_stream_profile", checks: []statecheck.StateCheck{
			// 3/4 of the 27 s Front Door timeout the profile outputs, in whole seconds.
			statecheck.ExpectKnownOutputValue("heartbeat_at_most_every", knownvalue.StringExact("20s")),
			// Silence 20 s (heartbeat), headers 15 s: 4/3 of 20 is 27 for
			// Front Door, App Gateway keeps azurerm's 30, APIM 4/3 of 15.
			statecheck.ExpectKnownOutputValue("timeouts", knownvalue.ObjectExact(map[string]knownvalue.Check{
				"front_door": knownvalue.Int64Exact(27), "app_gateway": knownvalue.Int64Exact(30), "apim": knownvalue.Int64Exact(20),
			})),
		}},
		{dir: "data-sources/sseready_appgw_settings", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("request_timeout", knownvalue.Int64Exact(40)),
			statecheck.ExpectKnownOutputValue("global_block", knownvalue.ObjectExact(map[string]knownvalue.Check{
				"response_buffering_enabled": knownvalue.Bool(false), "request_buffering_enabled": knownvalue.Bool(true),
			})),
		}},
		{dir: "data-sources/sseready_apim_diagnostic", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("body_bytes", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.Int64Exact(0), knownvalue.Int64Exact(0), knownvalue.Int64Exact(0), knownvalue.Int64Exact(0),
			})),
		}},
		{dir: "data-sources/sseready_chain_check", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("chat_path_ready", knownvalue.Bool(false)),
			statecheck.ExpectKnownOutputValue("chat_path_findings", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringRegexp(errorRe("app_gateway app_gateway.global: error SSE301")),
				knownvalue.StringRegexp(errorRe("app_gateway app_gateway.request_timeout: error SSE302")),
			})),
		}},
		{dir: "data-sources/sseready_emulated_stream", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("outcome", knownvalue.StringExact("streamed")),
			statecheck.ExpectKnownOutputValue("hops", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("app_gateway: stream, streamed"), knownvalue.StringExact("apim: stream, streamed"),
			})),
			statecheck.ExpectKnownOutputValue("every_event_within_a_second", knownvalue.Bool(true)),
		}},
		{dir: "functions/apim_sku_supports_sse", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("consumption_supports_sse", knownvalue.Bool(false)),
		}},
		{dir: "functions/check_chain", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("chain_ready", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("chain_findings", knownvalue.ListSizeExact(0)),
		}},
		{dir: "quickstart", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("chat_policy_ready", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("legacy_policy_ready", knownvalue.Bool(false)),
			statecheck.ExpectKnownOutputValue("legacy_policy_findings", knownvalue.ListSizeExact(5)),
			statecheck.ExpectKnownOutputValue("good_chain_ready", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("broken_chain_ready", knownvalue.Bool(false)),
			// 4/3 of the 30 s wait for headers.
			statecheck.ExpectKnownOutputValueAtPath("chain_settings", tfjsonpath.New("appgw_request_timeout"), knownvalue.Int64Exact(40)),
			statecheck.ExpectKnownOutputValueAtPath("chain_settings", tfjsonpath.New("apim_forward_request_timeout"), knownvalue.Int64Exact(40)),
		}},
	}
	for _, ex := range examples {
		t.Run(ex.dir, func(t *testing.T) {
			t.Parallel()
			dir := copyExample(t, filepath.Join("..", "..", "examples", ex.dir))
			// The factories go on the step: plugin-testing counts a provider
			// block in the configuration (examples/provider has one) as
			// step-level providers.
			resource.Test(t, resource.TestCase{
				TerraformVersionChecks: functionVersions,
				Steps: []resource.TestStep{{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					ConfigDirectory:          config.StaticDirectory(dir),
					ConfigStateChecks:        ex.checks,
				}},
			})
		})
	}
}

// copyExample copies an example directory and, when the example leaves
// out the terraform block (doc snippets do), adds the one users write.
func copyExample(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	declared := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || strings.Contains(string(data), "required_providers")
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !declared {
		if err := os.WriteFile(filepath.Join(dst, "versions.tf"), []byte(requiredProviders), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
