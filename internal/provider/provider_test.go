package provider

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the
// real terraform binary that plugin-testing runs (TF_ACC_TERRAFORM_PATH).
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"sseready": providerserver.NewProtocol6WithError(New("test")()),
}

// requiredProviders is the block users write; tests write it too, so the
// provider is addressed as registry.terraform.io/sseready/sseready.
const requiredProviders = `terraform {
  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}
`

func TestMain(m *testing.M) {
	// plugin-testing attaches the in-process provider under this namespace.
	if os.Getenv(resource.EnvTfAccProviderNamespace) == "" {
		os.Setenv(resource.EnvTfAccProviderNamespace, "sseready")
	}
	os.Exit(m.Run())
}

// accTest runs an acceptance test case with the provider and the
// required_providers block added to every inline configuration.
func accTest(t *testing.T, tc resource.TestCase) {
	t.Helper()
	tc.ProtoV6ProviderFactories = testAccProtoV6ProviderFactories
	for i := range tc.Steps {
		if tc.Steps[i].Config != "" {
			tc.Steps[i].Config = requiredProviders + tc.Steps[i].Config
		}
	}
	resource.Test(t, tc)
}

// errorRe matches a diagnostic text however terraform wraps its lines.
func errorRe(text string) *regexp.Regexp {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// attrErrorRe matches a diagnostic on attribute attr ("Invalid <attr>")
// whose detail holds text; terraform prints its source excerpt between.
func attrErrorRe(attr, text string) *regexp.Regexp {
	return regexp.MustCompile(`Invalid ` + regexp.QuoteMeta(attr) + `[\s\S]*` + errorRe(text).String())
}

func TestErrorRe(t *testing.T) {
	t.Parallel()
	re := errorRe(`line 2, column 1: SSE110 "x"`)
	if !re.MatchString("line 2,\ncolumn 1:   SSE110\n\"x\"") {
		t.Fatal("wrapped text does not match")
	}
	if re.MatchString("line 2, column 1: SSE111 \"x\"") {
		t.Fatal("other text matches")
	}
}
