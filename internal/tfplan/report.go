package tfplan

import (
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// Report is the check of a whole plan or state.
type Report struct {
	Kind Kind
	// Paths are the stream paths checked: one per API Management API
	// path (product, API, operation), or per gateway when no API
	// Management is behind it.
	Paths []Path
	// NotOnPath are the addresses of the resources on no stream's path:
	// of types check-plan does not read, or not linked to an API.
	NotOnPath []string
	// Destroyed counts the resources the plan destroys, not checked.
	Destroyed int
	// Notes say what the plan as a whole leaves open.
	Notes []string
}

// Ready reports whether no path has an error finding or an input error.
func (r Report) Ready() bool {
	for _, p := range r.Paths {
		if !p.Ready || len(p.Errors) > 0 {
			return false
		}
	}
	return true
}

// Path is the check of one request path.
type Path struct {
	// API is the address of the API (azurerm_api_management_api), or of
	// the resource that names it, or of the gateway or Front Door profile
	// when no API Management is on the path.
	API string
	// Label names the path as APIM composes its policies: "product chat >
	// api chat > operation completions".
	Label string
	// Ready is true when no finding is an error (and no input is wrong);
	// Complete is false when a value is unknown until apply, so the
	// verdict may change then.
	Ready, Complete bool
	// Unknown are the settings not known until apply.
	Unknown []Place
	// Findings are the chain check's findings, front to back, each placed
	// on the resource attribute that holds its setting.
	Findings []Finding
	// Errors are values no gateway accepts, and policies that do not
	// parse: the chain is not judged while there are any.
	Errors []Error
	// Notes say what was assumed or left out while linking the path.
	Notes []string
	// Resources are the addresses of the resources on the path.
	Resources []string
	// Streaming is whether the path's API streams (decided once per API,
	// over all its paths: package streamapi), and StreamingEvidence why,
	// first reason first. The findings follow it (streamapi's
	// Decision.Adjust), and Ready counts the errors left. A path with no
	// API (a gateway in front of nothing in the plan) has no verdict ("")
	// and keeps its findings' severities.
	Streaming         streamapi.Verdict
	StreamingEvidence []string
	// Chain is the chain the path was checked as, its policies named by
	// their resource addresses (nil when it could not be read: Errors
	// says why). A picture of the path draws its hops and clocks from it.
	Chain *chaincheck.Chain
	// HopAddresses are the resources that put each hop on the path, by
	// the chain's hop ("apim": the azurerm_api_management), where one does.
	HopAddresses map[string]string
}

// Place is where a setting is: a resource address and the attribute in
// it, in Terraform's terms ("global.response_buffering_enabled",
// `backend_http_settings["chat"].request_timeout`). A setting the plan
// cannot hold (the backend's) has no address: Attribute is its name in
// sseready_stream_profile and Source where it came from.
type Place struct {
	Address   string `json:"address"`
	Attribute string `json:"attribute,omitempty"`
	Source    string `json:"source,omitempty"`
}

// Finding is a chain finding and the place it is about. Finding.Line and
// Column are inside the policy document (xml_content, or the fragment's
// value when Finding.Fragment is set); Finding.Element and
// Finding.Attribute name the policy element and its XML attribute.
type Finding struct {
	rules.Finding
	At Place
	// Setting is the chain's own path of the setting
	// ("apim.policies[1].xml"), as check-chain names it.
	Setting string
}

// Error is an input error placed on its resource attribute.
type Error struct {
	At           Place
	Line, Column int
	Message      string
}
