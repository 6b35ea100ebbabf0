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
	// BackendURL its service_url ("": null, a policy routes the request).
	APIName, Path, BackendURL string
	// DisplayName is the API's display name ("": its name).
	DisplayName string
	// Protocols are the protocols the API is served on.
	Protocols []string
	// SubscriptionRequired says whether calls need a subscription key, and
	// SubscriptionKey which header and query parameter carry it (nil:
	// API Management's own names).
	SubscriptionRequired bool
	SubscriptionKey      *SubscriptionKey
	// Revision is the API revision the module writes ("1", "2").
	Revision string
	// Version is the API's version in the version set VersionSetID (both
	// "" when it is not versioned).
	Version, VersionSetID string
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
	// Origins say where in the source a value came from, by the flag that
	// would set it (api-name, apim-sku, path, ...): a value that cannot be
	// generated is blamed on its place in the source, not on a flag the
	// user did not give. Merge drops the origin of a value a flag replaces.
	Origins map[string]Origin
	// Assumed are the values the source does not hold: the module assumes
	// them, each the default of a variable, and says so (Assumptions).
	Assumed []Assumption
	// Unfixable are the API policy's errors that no safe fix settles
	// (apimcheck.Fix's Remaining): the module's own test fails on them,
	// and the README and sseready init say so (UnfixableSummary).
	Unfixable []string
	// BeforeYouApply lists what the generator could not settle, for the
	// README: settings it left as they were, findings elsewhere on the
	// API's request paths.
	BeforeYouApply []string
	// Fixed lists the fixes the generator applied, for the README.
	Fixed []string
}

// SubscriptionKey names the header and query parameter that carry the
// subscription key.
type SubscriptionKey struct {
	Header, Query string
}

// Origin is where a value is in the source: At the file (and line) or
// resource attribute, In the source ("the APIOps tree", "the plan").
type Origin struct {
	At, In string
}

func (o Origin) String() string { return o.At + " (from " + o.In + ")" }

// Instance is the API Management instance.
type Instance struct {
	Name, ResourceGroup, SKU string
}

// Logger is an API Management logger to attach.
type Logger struct {
	ID         string
	Identifier string // applicationinsights or azuremonitor
	// From is where the source holds it (zero: a flag gave it).
	From Origin
}

// Operation is one of the API's operations.
type Operation struct {
	DisplayName, Method, URLTemplate string
	// From is where the source declares it (zero: a flag gave it).
	From Origin
}

// Policy is an API policy kept as a file of the module, with the
// fragments it includes.
type Policy struct {
	XML       []byte
	Fragments map[string][]byte
}

// Default is the spec of sseready init without flags: a chat completions
// API on a StandardV2 instance, whose backend may stay silent ten minutes
// between answers and sends a heartbeat every 20 seconds. The API's own
// settings are azurerm's defaults (subscription required, API Management's
// key names, revision 1, no version set), served on https.
func Default() Spec {
	return Spec{
		APIName:              "chat",
		Path:                 "chat",
		BackendURL:           "https://my-openai.openai.azure.com/openai",
		Protocols:            []string{"https"},
		SubscriptionRequired: true,
		Revision:             "1",
		APIM:                 Instance{Name: "apim-chat", ResourceGroup: "rg-chat", SKU: "StandardV2_1"},
		Hops:                 []string{HopAPIM},
		MaxEventGap:          "10m", Heartbeat: "20s", MaxTimeToHeaders: "30s",
		Loggers: map[string]Logger{},
		Operations: map[string]Operation{
			"chat-completions": {DisplayName: "Chat completions (streaming)", Method: "POST", URLTemplate: "/deployments/{deployment-id}/chat/completions"},
		},
		Source:  "its command-line flags",
		Origins: map[string]Origin{},
	}
}

var (
	namePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,79}$`)
	methods       = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	identifiers   = []string{"applicationinsights", "azuremonitor"}
	knownHops     = []string{HopAPIM, HopAppGateway, HopFrontDoor}
	operationName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$`)
	// protocols are ARM's (Microsoft.ApiManagement API protocols).
	protocols       = []string{"http", "https", "ws", "wss"}
	revisionPattern = regexp.MustCompile(`^[0-9]+$`)
)

// Problem is a value that cannot be generated. Flag is the sseready init
// flag that sets it, without the dashes (for a setting no flag sets, the
// generated module's variable); Text says what is wrong, naming the flag,
// or the value's place in the source when it came from there.
type Problem struct {
	Flag, Text string
}

func (p Problem) Error() string { return p.Text }

// noFlag are the settings only a source gives: a problem with one that
// has no origin names the generated module's variable.
var noFlag = map[string]bool{"protocols": true, "revision": true, "api-version": true, "subscription-key": true}

// subject names what gave the value of flag: its place in the source, the
// flag, or (for a setting no flag sets) the variable.
func (s Spec) subject(flag string) string {
	if o, ok := s.Origins[flag]; ok {
		return o.String()
	}
	if noFlag[flag] {
		return strings.ReplaceAll(flag, "-", "_")
	}
	return "--" + flag
}

// Validate checks the spec. Each problem names the flag that gives the
// value, or its place in the source (Origins) when it came from there.
func (s Spec) Validate() []Problem {
	var errs []Problem
	fail := func(flag, format string, args ...any) {
		errs = append(errs, Problem{Flag: flag, Text: s.subject(flag) + ": " + fmt.Sprintf(format, args...)})
	}
	failAt := func(flag string, from Origin, format string, args ...any) {
		if from.At == "" {
			fail(flag, format, args...)
			return
		}
		errs = append(errs, Problem{Flag: flag, Text: from.String() + ": " + fmt.Sprintf(format, args...)})
	}
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
		const why = "does not keep long-running connections (rule SSE201): a module for a streaming API on it would fail its own test"
		if o, sourced := s.Origins["apim-sku"]; sourced {
			errs = append(errs, Problem{Flag: "apim-sku", Text: fmt.Sprintf("%s = %s (from %s) %s; move the API to a Developer, Basic, Standard, Premium or v2 instance, and give its SKU with --apim-sku",
				o.At, s.APIM.SKU, o.In, why)})
		} else {
			fail("apim-sku", "%s %s; use a Developer, Basic, Standard, Premium or v2 tier", s.APIM.SKU, why)
		}
	}
	if len(s.Protocols) == 0 {
		fail("protocols", "the API needs a protocol to be served on, such as https")
	}
	for _, p := range s.Protocols {
		if !slices.Contains(protocols, p) {
			fail("protocols", "%q is not a protocol API Management serves an API on (%s)", p, strings.Join(protocols, ", "))
		}
	}
	if !revisionPattern.MatchString(s.Revision) {
		fail("revision", "%q is not an API revision: a revision number, such as \"1\" or \"2\"", s.Revision)
	}
	if s.Version != "" && s.VersionSetID == "" {
		fail("api-version", "version %q needs the version set it belongs to (azurerm's version_set_id)", s.Version)
	}
	if k := s.SubscriptionKey; k != nil && (k.Header == "" || k.Query == "") {
		fail("subscription-key", "the subscription key needs both a header and a query parameter name (header %q, query %q)", k.Header, k.Query)
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
		for _, e := range berrs {
			fail(e.Field, "%s", e.Msg)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Loggers)) {
		l := s.Loggers[name]
		switch {
		case !operationName.MatchString(name):
			failAt("logger", l.From, "%q is not a logger name: letters, digits, hyphens and underscores", name)
		case l.ID == "":
			failAt("logger", l.From, "%s has no logger ID: give NAME=ID, the azurerm_api_management_logger's id", name)
		case !slices.Contains(identifiers, l.Identifier):
			failAt("logger", l.From, "%s: identifier %q must be applicationinsights or azuremonitor", name, l.Identifier)
		}
	}
	if len(s.Operations) == 0 {
		fail("operation", "the API needs an operation: give --operation ID=METHOD:/url-template")
	}
	for _, id := range slices.Sorted(maps.Keys(s.Operations)) {
		op := s.Operations[id]
		switch {
		case !operationName.MatchString(id):
			failAt("operation", op.From, "%q is not an operation_id: letters, digits, hyphens and underscores", id)
		case !slices.Contains(methods, op.Method):
			failAt("operation", op.From, "%s: %q is not an HTTP method in capitals (%s)", id, op.Method, strings.Join(methods, ", "))
		case !strings.HasPrefix(op.URLTemplate, "/"):
			failAt("operation", op.From, "%s: the URL template %q must start with /", id, op.URLTemplate)
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
