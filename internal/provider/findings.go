package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// rulesGuide is where each rule ID is explained.
const rulesGuide = "https://registry.terraform.io/providers/sseready/sseready/latest/docs/guides/sse-rules"

// findingAttrTypes is the object type of one finding, the same in every
// data source and function.
var findingAttrTypes = map[string]attr.Type{
	"rule":      types.StringType,
	"severity":  types.StringType,
	"message":   types.StringType,
	"line":      types.Int64Type,
	"column":    types.Int64Type,
	"element":   types.StringType,
	"attribute": types.StringType,
	"fragment":  types.StringType,
	"hop":       types.StringType,
	"reason":    types.StringType,
}

var findingType = types.ObjectType{AttrTypes: findingAttrTypes}

const findingsDescription = "What would break a Server-Sent Events stream, or cannot be known from here. " +
	"Each finding has `rule` (a stable ID such as `SSE101`, explained in the [SSE rules guide](" + rulesGuide + ")), " +
	"`severity` (`error`, `warning`, `info`, or `accepted` for a finding you accepted; only errors make a configuration " +
	"not ready), `message` (what is wrong and what to do), `line` and `column` (1-based, in the document; 0 when the " +
	"finding is about the whole document), `element` (the policy element, such as `forward-request`), `attribute` (the " +
	"attribute that holds the problem, or empty), `fragment` (the fragment-id when the finding is inside an included " +
	"fragment you gave, whose document `line` and `column` then point into; else empty), `hop` (the gateway, such as " +
	"`apim`) and `reason` (why it was accepted, or empty)."

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
			"rule":      types.StringValue(f.Rule),
			"severity":  types.StringValue(string(f.Severity)),
			"message":   types.StringValue(f.Message),
			"line":      types.Int64Value(int64(f.Line)),
			"column":    types.Int64Value(int64(f.Column)),
			"element":   types.StringValue(f.Element),
			"attribute": types.StringValue(f.Attribute),
			"fragment":  types.StringValue(f.Fragment),
			"hop":       types.StringValue(f.Hop),
			"reason":    types.StringValue(f.Reason),
		})
	}
	return types.ListValueMust(findingType, elems)
}

// Attributes shared by the policy data sources.
var (
	fragmentsDescription = "Policy fragments by `fragment-id`, each the fragment's document (`<fragment>...</fragment>`, as in " +
		"`azurerm_api_management_policy_fragment.value`). An `include-fragment` of one of them is checked as if the " +
		"fragment's policies stood in its place; a finding inside a fragment names it in `fragment`. An include of a " +
		"fragment not given stays a warning (`SSE130`)."
	acceptedRulesDescription = "Findings you accept, each a rule ID (`\"SSE103\"`) or a rule ID and your reason " +
		"(`\"SSE103: the health endpoint answers itself\"`). An accepted finding stays in `findings` with severity " +
		"`accepted` and the reason, and no longer makes the policy not ready; the automatic fix leaves it. You can also " +
		"accept in the policy itself, with `<!-- sseready:accept SSE103 the reason -->` before the element. See the " +
		"[SSE rules guide](" + rulesGuide + ")."
)

// policyOptions converts the fragments and accepted_rules attributes
// into the checker's options, reporting what is wrong with them; while
// either is unknown there is nothing to report yet.
func policyOptions(ctx context.Context, scope apimcheck.Scope, fragments types.Map, accepted types.Set, diags *diag.Diagnostics) apimcheck.Options {
	kf, errs := elementsUsable(ctx, "fragments", fragments)
	ka, errs2 := elementsUsable(ctx, "accepted_rules", accepted)
	if addInputErrors(diags, append(errs, errs2...)) || !kf || !ka {
		return apimcheck.Options{}
	}
	src := map[string]string{}
	var acc []string
	diags.Append(fragments.ElementsAs(ctx, &src, false)...)
	diags.Append(accepted.ElementsAs(ctx, &acc, false)...)
	if diags.HasError() {
		return apimcheck.Options{}
	}
	opts, inputErrs := checkOptions(scope, src, acc)
	addInputErrors(diags, inputErrs)
	return opts
}

// checkOptions builds the checker's options from plain values, for the
// data sources and the functions alike.
func checkOptions(scope apimcheck.Scope, fragments map[string]string, accepted []string) (apimcheck.Options, []*input.Error) {
	opts := apimcheck.Options{Scope: scope, AcceptedFrom: "in accepted_rules"}
	var errs []*input.Error
	for _, s := range accepted {
		a, err := rules.ParseAcceptance(s)
		if err != nil {
			errs = append(errs, input.Errorf("accepted_rules", "%v", err))
			continue
		}
		opts.Accepted = append(opts.Accepted, a)
	}
	if len(fragments) > 0 {
		docs, ferrs := apimcheck.ParseFragments(fragments)
		errs = append(errs, apimcheck.FragmentInputErrors("fragments", ferrs)...)
		opts.Fragments = docs
	}
	return opts, errs
}

// scopeValues are the scope names, in the order APIM applies them.
var scopeValues = func() []string {
	out := make([]string, len(apimcheck.Scopes))
	for i, s := range apimcheck.Scopes {
		out[i] = string(s)
	}
	return out
}()
