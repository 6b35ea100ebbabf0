// Package modulegen writes a Terraform module for one streaming API behind
// API Management (and, when asked, the Application Gateway values in front
// of it): the module sseready init generates. It vendors the modules of
// examples/modules, whose tests pass in this repository, and writes the
// root around them with hclwrite: variables that default to the user's
// values, the module calls, outputs, a README and a terraform test that
// proves the settings stream with sseready_emulated_stream.
package modulegen

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimtier"
	"github.com/sseready/terraform-provider-sseready/internal/input"
)

// Hops a generated module can set besides API Management.
const (
	HopAppGateway = "app_gateway"
	HopFrontDoor  = "front_door"
	HopAPIM       = "apim"
)

// Spec is what the module is generated from: the user's API and its path.
type Spec struct {
	// APIName is the API's name in API Management, Path its URL suffix,
	// BackendURL its service_url.
	APIName, Path, BackendURL string
	// APIM names the instance the API goes on.
	APIM Instance
	// Hops are the gateways the stream crosses: always apim, and
	// app_gateway or front_door when in front of it.
	Hops []string
	// The backend's timing, as Go durations: its longest silence, its
	// heartbeat (empty: none) and its longest wait for response headers.
	MaxEventGap, Heartbeat, MaxTimeToHeaders string
	// Loggers are the API Management loggers to attach, by a name of the
	// user's, each a logger ID.
	Loggers map[string]Logger
	// Operations are the API's operations by operation_id.
	Operations map[string]Operation
	// Policy, when set, is the API policy to deploy as a file (from an
	// APIOps tree or a plan); nil renders it with sseready_apim_policy.
	Policy *Policy
	// Source says where the spec came from, for the README.
	Source string
	// BeforeYouApply lists what the generator could not fix, for the
	// README: findings without a safe fix, settings it left as they were.
	BeforeYouApply []string
	// Fixed lists the fixes the generator applied, for the README.
	Fixed []string
	// TimingAssumed is true when the source does not hold the backend's
	// timing (a plan): the README says which values the module assumes.
	TimingAssumed bool
}

// Instance is the API Management instance.
type Instance struct {
	Name, ResourceGroup, SKU string
}

// Logger is an API Management logger to attach.
type Logger struct {
	ID         string
	Identifier string // applicationinsights or azuremonitor
}

// Operation is one of the API's operations.
type Operation struct {
	DisplayName, Method, URLTemplate string
}

// Policy is an API policy kept as a file of the module, with the
// fragments it includes.
type Policy struct {
	XML       []byte
	Fragments map[string][]byte
}

// Default is the spec of sseready init without flags: a chat completions
// API on a StandardV2 instance, whose backend may stay silent ten minutes
// between answers and sends a heartbeat every 20 seconds.
func Default() Spec {
	return Spec{
		APIName:     "chat",
		Path:        "chat",
		BackendURL:  "https://my-openai.openai.azure.com/openai",
		APIM:        Instance{Name: "apim-chat", ResourceGroup: "rg-chat", SKU: "StandardV2_1"},
		Hops:        []string{HopAPIM},
		MaxEventGap: "10m", Heartbeat: "20s", MaxTimeToHeaders: "30s",
		Loggers: map[string]Logger{},
		Operations: map[string]Operation{
			"chat-completions": {DisplayName: "Chat completions (streaming)", Method: "POST", URLTemplate: "/deployments/{deployment-id}/chat/completions"},
		},
		Source: "its command-line flags",
	}
}

var (
	namePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,79}$`)
	methods       = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	identifiers   = []string{"applicationinsights", "azuremonitor"}
	knownHops     = []string{HopAPIM, HopAppGateway, HopFrontDoor}
	operationName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$`)
)

// Validate checks the spec; each error names the input by its flag name
// (api-name, path, ...) without the dashes.
func (s Spec) Validate() []*input.Error {
	var errs []*input.Error
	fail := func(field, format string, args ...any) { errs = append(errs, input.Errorf(field, format, args...)) }
	if !namePattern.MatchString(s.APIName) {
		fail("api-name", "%q is not an API name: 1 to 80 letters, digits and hyphens, starting with a letter or digit", s.APIName)
	}
	if s.Path == "" || strings.HasPrefix(s.Path, "/") || strings.ContainsAny(s.Path, " ?#") {
		fail("path", "%q is not a URL suffix: give it without a leading slash, such as \"chat\"", s.Path)
	}
	if s.BackendURL != "" && !strings.HasPrefix(s.BackendURL, "https://") && !strings.HasPrefix(s.BackendURL, "http://") {
		fail("backend-url", "%q is not an http(s) URL", s.BackendURL)
	}
	if s.APIM.Name == "" || s.APIM.ResourceGroup == "" {
		fail("apim-name", "the API Management instance needs a name and a resource group (--apim-name, --resource-group)")
	}
	if ok, err := apimtier.SupportsSSE(s.APIM.SKU); err != nil {
		fail("apim-sku", "%v", err)
	} else if !ok {
		fail("apim-sku", "%s does not keep long-running connections (rule SSE201): a module for a streaming API on it would fail its own test; use a Developer, Basic, Standard, Premium or v2 tier", s.APIM.SKU)
	}
	for _, h := range s.Hops {
		if !slices.Contains(knownHops, h) {
			fail("hops", "%q is not a hop sseready init writes: use %s", h, strings.Join(knownHops, ", "))
		}
	}
	if !slices.Contains(s.Hops, HopAPIM) {
		fail("hops", "the module is for an API behind API Management: hops must include apim")
	}
	if len(errs) == 0 {
		// The path's own problems, once the inputs above are sound.
		_, berrs := s.budget()
		errs = append(errs, berrs...)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Loggers)) {
		l := s.Loggers[name]
		switch {
		case !operationName.MatchString(name):
			fail("logger", "%q is not a logger name: letters, digits, hyphens and underscores", name)
		case l.ID == "":
			fail("logger", "%s has no logger ID: give NAME=ID, the azurerm_api_management_logger's id", name)
		case !slices.Contains(identifiers, l.Identifier):
			fail("logger", "%s: identifier %q must be applicationinsights or azuremonitor", name, l.Identifier)
		}
	}
	if len(s.Operations) == 0 {
		fail("operation", "the API needs an operation: give --operation ID=METHOD:/url-template")
	}
	for _, id := range slices.Sorted(maps.Keys(s.Operations)) {
		op := s.Operations[id]
		switch {
		case !operationName.MatchString(id):
			fail("operation", "%q is not an operation_id: letters, digits, hyphens and underscores", id)
		case !slices.Contains(methods, op.Method):
			fail("operation", "%s: %q is not an HTTP method in capitals (%s)", id, op.Method, strings.Join(methods, ", "))
		case !strings.HasPrefix(op.URLTemplate, "/"):
			fail("operation", "%s: the URL template %q must start with /", id, op.URLTemplate)
		}
	}
	return errs
}

// Has reports whether the stream crosses hop.
func (s Spec) Has(hop string) bool { return slices.Contains(s.Hops, hop) }

// describe renders a duration for a README line.
func describe(d string) string {
	if d == "" {
		return "none"
	}
	return fmt.Sprintf("`%s`", d)
}
