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
)

// TestAccExamples applies every directory under examples/ as a user would,
// so the examples in the docs and the quickstart of `make demo` work.
func TestAccExamples(t *testing.T) {
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
				knownvalue.StringRegexp(errorRe(`orders-policy.xml:9:5: error SSE101: forward-request has no buffer-response`)),
			})),
			statecheck.ExpectKnownOutputValue("orders_fixed", knownvalue.StringRegexp(errorRe(`<forward-request timeout="60" buffer-response="false" />`))),
		}},
		{dir: "functions/check_apim_policy", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("operation_check", knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"ready":    knownvalue.Bool(true),
				"findings": knownvalue.ListSizeExact(1),
			})),
		}},
		{dir: "functions/fix_apim_policy", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("fixed_policy_ready", knownvalue.Bool(true)),
		}},
		{dir: "quickstart", checks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("chat_policy_ready", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("legacy_policy_ready", knownvalue.Bool(false)),
			statecheck.ExpectKnownOutputValue("legacy_policy_findings", knownvalue.ListSizeExact(5)),
		}},
	}
	for _, ex := range examples {
		t.Run(ex.dir, func(t *testing.T) {
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
