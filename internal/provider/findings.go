package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// rulesGuide is where each rule ID is explained.
const rulesGuide = "https://registry.terraform.io/providers/sseready/sseready/latest/docs/guides/sse-rules"

// findingAttrTypes is the object type of one finding, the same in every
// data source and function.
var findingAttrTypes = map[string]attr.Type{
	"rule":     types.StringType,
	"severity": types.StringType,
	"message":  types.StringType,
	"line":     types.Int64Type,
	"column":   types.Int64Type,
	"element":  types.StringType,
	"hop":      types.StringType,
}

var findingType = types.ObjectType{AttrTypes: findingAttrTypes}

const findingsDescription = "What would break a Server-Sent Events stream, or cannot be known from here. " +
	"Each finding has `rule` (a stable ID such as `SSE101`, explained in the [SSE rules guide](" + rulesGuide + ")), " +
	"`severity` (`error`, `warning` or `info`; only errors make a configuration not ready), `message` " +
	"(what is wrong and what to do), `line` and `column` (1-based, in the document; 0 when the finding is about " +
	"the whole document), `element` (the policy element, such as `forward-request`) and `hop` (the gateway: `apim`)."

// findingsAttribute is the computed `findings` attribute of data sources.
func findingsAttribute() schema.ListAttribute {
	return schema.ListAttribute{
		Computed:            true,
		ElementType:         findingType,
		MarkdownDescription: findingsDescription,
	}
}

// findingsValue converts findings to a Terraform list of objects.
func findingsValue(findings []rules.Finding) types.List {
	elems := make([]attr.Value, len(findings))
	for i, f := range findings {
		elems[i] = types.ObjectValueMust(findingAttrTypes, map[string]attr.Value{
			"rule":     types.StringValue(f.Rule),
			"severity": types.StringValue(string(f.Severity)),
			"message":  types.StringValue(f.Message),
			"line":     types.Int64Value(int64(f.Line)),
			"column":   types.Int64Value(int64(f.Column)),
			"element":  types.StringValue(f.Element),
			"hop":      types.StringValue(f.Hop),
		})
	}
	return types.ListValueMust(findingType, elems)
}

// describeFinding renders a finding for a diagnostic detail.
func describeFinding(f rules.Finding) string {
	return fmt.Sprintf("line %d, column %d: %s %s: %s", f.Line, f.Column, f.Severity, f.Rule, f.Message)
}

// scopeValues are the scope names, in the order APIM applies them.
var scopeValues = func() []string {
	out := make([]string, len(apimcheck.Scopes))
	for i, s := range apimcheck.Scopes {
		out[i] = string(s)
	}
	return out
}()
