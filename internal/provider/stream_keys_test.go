package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The data source sends the key headers_from_env names, read from the
// provider's environment, and keeps only the variable's name: the value is
// in no plan, state or trace log, while a header given in headers is in
// the state (where the check looks).
func TestAccStreamProbeHeadersFromEnv(t *testing.T) {
	t.Setenv(envKeyVar, envSecret)
	logs := traceLogs(t)
	var sent sentHeaders
	url := sent.endpoint(t)
	probe := "data.sseready_stream_probe.chat"
	accTest(t, resource.TestCase{Steps: []resource.TestStep{{
		Config: fmt.Sprintf(`
data "sseready_stream_probe" "chat" {
  url              = %q
  headers          = { "X-Trace" = "t-in-state" }
  headers_from_env = { "api-key" = %q }
  duration         = "2s"
  min_events       = 4
}
check "chat_streams" {
  assert {
    condition     = data.sseready_stream_probe.chat.ok
    error_message = join("; ", data.sseready_stream_probe.chat.problems)
  }
}
`, url, envKeyVar),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{absent{envSecret}}},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(probe, tfjsonpath.New("ok"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue(probe, tfjsonpath.New("events"), knownvalue.Int64Exact(4)),
			statecheck.ExpectKnownValue(probe, tfjsonpath.New("headers_from_env"), knownvalue.MapExact(map[string]knownvalue.Check{
				"api-key": knownvalue.StringExact(envKeyVar),
			})),
			statecheck.ExpectKnownValue(probe, tfjsonpath.New("headers"), knownvalue.MapExact(map[string]knownvalue.Check{
				"X-Trace": knownvalue.StringExact("t-in-state"),
			})),
			absent{envSecret},
		},
	}}})
	logs(envSecret)
	if got := sent.values("Api-Key"); !allEqual(got, envSecret) {
		t.Errorf("the endpoint got api-key %q: want the variable's value on every read", got)
	}
	if got := sent.values("X-Trace"); !allEqual(got, "t-in-state") {
		t.Errorf("the endpoint got X-Trace %q", got)
	}
}

// The resource reads the variable when it reads the stream: on create,
// and on a replacement with the value the environment holds then. A plan
// with nothing to read needs no variable; one that will read fails, on
// headers_from_env, when it is unset.
func TestAccStreamCheckHeadersFromEnv(t *testing.T) {
	t.Setenv(envKeyVar, envSecret)
	logs := traceLogs(t)
	var sent sentHeaders
	url := sent.endpoint(t)
	cfg := func(trigger string) string {
		return streamCheckConfig(url, fmt.Sprintf(`  headers_from_env = { "api-key" = %q }
  triggers         = { policy = %q }`, envKeyVar, trigger))
	}
	addr := "sseready_stream_check.chat"
	accTest(t, resource.TestCase{Steps: []resource.TestStep{
		{
			Config:           cfg("v1"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{absent{envSecret}}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("outcome"), knownvalue.StringExact("streamed")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("headers_from_env"), knownvalue.MapExact(map[string]knownvalue.Check{
					"api-key": knownvalue.StringExact(envKeyVar),
				})),
				absent{envSecret},
			},
		},
		{
			PreConfig:        func() { os.Unsetenv(envKeyVar) },
			Config:           cfg("v1"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
		{
			Config:      cfg("v2"),
			ExpectError: attrErrorRe("headers_from_env", fmt.Sprintf(`the header "api-key": the environment variable %s is not set or empty where terraform runs the provider`, envKeyVar)),
		},
		{
			PreConfig: func() { t.Setenv(envKeyVar, envSecret2) },
			Config:    cfg("v2"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace), absent{envSecret2},
			}},
			ConfigStateChecks: []statecheck.StateCheck{absent{envSecret}, absent{envSecret2}},
		},
	}})
	logs(envSecret, envSecret2)
	if got := sent.values("Api-Key"); strings.Join(got, ",") != envSecret+","+envSecret2 {
		t.Errorf("the endpoint got api-key %q: want the first value, then the second after the replacement", got)
	}
}

// The ephemeral resource takes a key from an ephemeral variable and one
// from the environment, sends both, and stores neither: its results reach
// the state only through the echo provider. A check block judges ok, and a
// resource's precondition on it stops the run.
func TestAccStreamProbeEphemeral(t *testing.T) {
	const ephemeralSecret = "tok-eph-51d0-never-stored"
	t.Setenv(envKeyVar, envSecret)
	logs := traceLogs(t)
	var sent sentHeaders
	url := sent.endpoint(t)
	cfg := func(minEvents int) string {
		return fmt.Sprintf(`
variable "trace_token" {
  type      = string
  ephemeral = true
  sensitive = true
}
ephemeral "sseready_stream_probe" "chat" {
  url              = %q
  headers          = { "X-Trace-Token" = var.trace_token }
  headers_from_env = { "api-key" = %q }
  duration         = "2s"
  min_events       = %d
}
check "chat_streams" {
  assert {
    condition     = ephemeral.sseready_stream_probe.chat.ok
    error_message = "The chat stream does not stream."
  }
}
resource "terraform_data" "after_the_stream" {
  lifecycle {
    precondition {
      condition     = ephemeral.sseready_stream_probe.chat.ok
      error_message = "The chat stream does not stream."
    }
  }
}
provider "echo" {
  data = { for k in ["ok", "outcome", "events", "status"] : k => ephemeral.sseready_stream_probe.chat[k] }
}
resource "echo" "probe" {}
`, url, envKeyVar, minEvents)
	}
	token := config.Variables{"trace_token": config.StringVariable(ephemeralSecret)}
	accTestEcho(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg(4), ConfigVariables: token,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{absent{envSecret}, absent{ephemeralSecret}}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.probe", tfjsonpath.New("data"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"ok": knownvalue.Bool(true), "outcome": knownvalue.StringExact("streamed"),
						"events": knownvalue.Int64Exact(4), "status": knownvalue.Int64Exact(200),
					})),
					absent{envSecret}, absent{ephemeralSecret},
				},
			},
			{
				Config: cfg(9), ConfigVariables: token,
				ExpectError: regexp.MustCompile(errorRe("Resource precondition failed").String() + `[\s\S]*` + errorRe("The chat stream does not stream.").String()),
			},
		},
	})
	logs(envSecret, ephemeralSecret)
	if got := sent.values("Api-Key"); !allEqual(got, envSecret) {
		t.Errorf("the endpoint got api-key %q", got)
	}
	if got := sent.values("X-Trace-Token"); !allEqual(got, ephemeralSecret) {
		t.Errorf("the endpoint got X-Trace-Token %q", got)
	}
}

// A variable headers_from_env names that is not set stops the plan, on
// the attribute, naming the header and the variable and what to do; no
// request goes out without the key, from any of the three.
func TestAccStreamHeadersFromEnvUnset(t *testing.T) {
	t.Parallel()
	var sent sentHeaders
	url := sent.endpoint(t)
	body := fmt.Sprintf(`url = %q
  headers_from_env = { "api-key" = %q }`, url, unsetVar)
	want := attrErrorRe("headers_from_env", fmt.Sprintf(`the header "api-key": the environment variable %s is not set or empty where terraform runs the provider: set it in the environment of terraform plan and apply (export %s=...`, unsetVar, unsetVar))
	// After every subtest (they run in parallel, after this function).
	t.Cleanup(func() {
		if n := len(sent.values("Api-Key")); n != 0 {
			t.Errorf("%d requests went out without their key", n)
		}
	})
	for _, tt := range []struct {
		name, config string
		versions     []tfversion.TerraformVersionCheck
	}{
		{"data source", `data "sseready_stream_probe" "x" {`, nil},
		{"resource", `resource "sseready_stream_check" "x" {`, nil},
		{"ephemeral resource", `ephemeral "sseready_stream_probe" "x" {`, []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{TerraformVersionChecks: tt.versions, Steps: []resource.TestStep{{
				Config: tt.config + "\n  " + body + "\n}\n", ExpectError: want, PlanOnly: true,
			}}})
		})
	}
}

// A header given in two attributes (or twice in one, whatever its case)
// is refused at validation, naming both places.
func TestAccStreamHeadersGivenTwice(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, config, attr, want string }{
		{"data source, headers and headers_from_env", `data "sseready_stream_probe" "x" {
  headers          = { "Api-Key" = "k" }
  headers_from_env = { "api-key" = "AZURE_OPENAI_KEY" }`, "headers_from_env", `the header "api-key" is also given as headers["Api-Key"]: give each header once`},
		{"ephemeral resource, headers and headers_from_env", `ephemeral "sseready_stream_probe" "x" {
  headers          = { "api-key" = "k" }
  headers_from_env = { "api-key" = "AZURE_OPENAI_KEY" }`, "headers_from_env", `the header "api-key" is also given as headers["api-key"]`},
		{"resource, headers and headers_wo", `resource "sseready_stream_check" "x" {
  headers    = { "api-key" = "k" }
  headers_wo = { "API-KEY" = "k" }`, "headers_wo", `the header "API-KEY" is also given as headers["api-key"]`},
		{"resource, headers_wo and headers_from_env", `resource "sseready_stream_check" "x" {
  headers_wo       = { "api-key" = "k" }
  headers_from_env = { "Api-Key" = "AZURE_OPENAI_KEY" }`, "headers_from_env", `the header "Api-Key" is also given as headers_wo["api-key"]`},
		{"resource, a key where its variable's name belongs", `resource "sseready_stream_check" "x" {
  headers_from_env = { "api-key" = "0f3c 9e sk-pasted" }`, "headers_from_env", `the value for the header "api-key" is not an environment variable name`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			accTest(t, resource.TestCase{
				TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}, // headers_wo
				Steps: []resource.TestStep{{
					Config: tt.config + "\n  url = \"http://127.0.0.1:1/\"\n}\n", ExpectError: attrErrorRe(tt.attr, tt.want), PlanOnly: true,
				}},
			})
		})
	}
}
