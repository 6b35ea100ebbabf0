package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
)

var (
	_ function.Function = checkAPIMPolicyFunction{}
	_ function.Function = fixAPIMPolicyFunction{}
)

func newCheckAPIMPolicyFunction() function.Function { return checkAPIMPolicyFunction{} }
func newFixAPIMPolicyFunction() function.Function   { return fixAPIMPolicyFunction{} }

var policyParameters = []function.Parameter{
	function.StringParameter{
		Name:                "xml",
		MarkdownDescription: "The policy document: a `<policies>` document or a `<fragment>`, as APIM accepts it (policy expressions may hold unescaped `\"`, `<` and `&&`).",
	},
}

// optionsParameter keeps today's calls (a scope string) working and takes
// the newer options as an object.
var optionsParameter = function.DynamicParameter{
	Name: "options",
	MarkdownDescription: "Optional, at most one. Either the scope as a string: where the document is attached, `global`, " +
		"`workspace`, `product`, `api` (the default) or `operation`. Or an object with any of `scope` (the same), " +
		"`fragments` (a map of `fragment-id` to the fragment's document: an `include-fragment` of one of them is " +
		"checked as if its policies stood there) and `accepted_rules` (a list of `\"SSE103\"` or " +
		"`\"SSE103: the reason\"`: those findings are reported as `accepted` with the reason, and no longer fail).",
}

// policyArgs reads the xml argument and the optional options.
func policyArgs(ctx context.Context, req function.RunRequest) ([]byte, apimcheck.Options, *function.FuncError) {
	var xml string
	var options []types.Dynamic
	if err := req.Arguments.Get(ctx, &xml, &options); err != nil {
		return nil, apimcheck.Options{}, err
	}
	if len(options) > 1 {
		return nil, apimcheck.Options{}, function.NewArgumentFuncError(1, fmt.Sprintf("at most one options argument may be given, got %d", len(options)))
	}
	var scope string
	var fragments map[string]string
	var accepted []string
	if len(options) == 1 {
		var err error
		if scope, fragments, accepted, err = decodePolicyOptions(ctx, options[0]); err != nil {
			return nil, apimcheck.Options{}, function.NewArgumentFuncError(1, err.Error())
		}
	}
	sc, err := apimcheck.ParseScope(scope)
	if err != nil {
		return nil, apimcheck.Options{}, function.NewArgumentFuncError(1, err.Error())
	}
	opts, errs := checkOptions(sc, fragments, accepted)
	if len(errs) > 0 {
		return nil, opts, function.NewArgumentFuncError(1, errs[0].Error())
	}
	return []byte(xml), opts, nil
}

// decodePolicyOptions reads the options argument: a scope string, or an
// object of scope, fragments and accepted_rules, whatever collection types
// Terraform gives them (an object or a map, a tuple, list or set).
func decodePolicyOptions(ctx context.Context, d types.Dynamic) (scope string, fragments map[string]string, accepted []string, err error) {
	const want = "give a scope such as \"operation\", or an object with scope, fragments and accepted_rules"
	if d.IsNull() || d.IsUnderlyingValueNull() {
		return "", nil, nil, fmt.Errorf("the options are null: %s", want)
	}
	tv, terr := d.UnderlyingValue().ToTerraformValue(ctx)
	if terr != nil {
		return "", nil, nil, terr
	}
	if tv.Type().Is(tftypes.String) {
		err = tv.As(&scope)
		return scope, nil, nil, err
	}
	var fields map[string]tftypes.Value
	if !tv.Type().Is(tftypes.Object{}) && !tv.Type().Is(tftypes.Map{}) || tv.As(&fields) != nil {
		return "", nil, nil, fmt.Errorf("the options are a %s: %s", tv.Type(), want)
	}
	for _, name := range sortedNames(fields) {
		v := fields[name]
		if v.IsNull() {
			continue
		}
		switch name {
		case "scope":
			if !v.Type().Is(tftypes.String) || v.As(&scope) != nil {
				return "", nil, nil, fmt.Errorf("options.scope must be a string such as \"operation\"")
			}
		case "fragments":
			var m map[string]tftypes.Value
			isMap := v.Type().Is(tftypes.Object{}) || v.Type().Is(tftypes.Map{})
			if !isMap || v.As(&m) != nil {
				return "", nil, nil, fmt.Errorf("options.fragments must be a map of fragment-id to the fragment's document")
			}
			fragments = map[string]string{}
			for id, fv := range m {
				var s string
				if !fv.Type().Is(tftypes.String) || fv.IsNull() || fv.As(&s) != nil {
					return "", nil, nil, fmt.Errorf("options.fragments[%q] must be the fragment's document, a string", id)
				}
				fragments[id] = s
			}
		case "accepted_rules":
			var list []tftypes.Value
			if v.As(&list) != nil {
				return "", nil, nil, fmt.Errorf("options.accepted_rules must be a list of rule IDs, such as [\"SSE103: the reason\"]")
			}
			for i, lv := range list {
				var s string
				if !lv.Type().Is(tftypes.String) || lv.IsNull() || lv.As(&s) != nil {
					return "", nil, nil, fmt.Errorf("options.accepted_rules[%d] must be a string such as \"SSE103\"", i)
				}
				accepted = append(accepted, s)
			}
		default:
			return "", nil, nil, fmt.Errorf("options has no attribute %q: %s", name, want)
		}
	}
	return scope, fragments, accepted, nil
}

func sortedNames(m map[string]tftypes.Value) []string {
	return slices.Sorted(maps.Keys(m))
}

func syntaxFuncError(err error) *function.FuncError {
	var se *apimpolicy.SyntaxError
	if errors.As(err, &se) {
		return function.NewArgumentFuncError(0, fmt.Sprintf("the policy document does not parse at line %d, column %d: %s", se.Pos.Line, se.Pos.Column, se.Msg))
	}
	return function.NewArgumentFuncError(0, err.Error())
}

type checkAPIMPolicyFunction struct{}

var checkResultTypes = map[string]attr.Type{
	"ready":    types.BoolType,
	"findings": types.ListType{ElemType: findingType},
}

func (checkAPIMPolicyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "check_apim_policy"
}

func (checkAPIMPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Check an API Management policy for what breaks Server-Sent Events",
		MarkdownDescription: "Returns an object with `ready` (true when no finding is an error) and `findings`, the same " +
			"as the `sseready_apim_policy_check` data source. " + findingsDescription + " A document that does not parse is " +
			"an error naming its line and column. The optional second argument is the scope as a string, as in earlier " +
			"versions, or an object of `scope`, `fragments` and `accepted_rules`.",
		Parameters:        policyParameters,
		VariadicParameter: optionsParameter,
		Return:            function.ObjectReturn{AttributeTypes: checkResultTypes},
	}
}

func (checkAPIMPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	src, opts, ferr := policyArgs(ctx, req)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	res, err := apimcheck.CheckSource(src, opts)
	if err != nil {
		resp.Error = syntaxFuncError(err)
		return
	}
	obj := types.ObjectValueMust(checkResultTypes, map[string]attr.Value{
		"ready":    types.BoolValue(res.Ready),
		"findings": findingsValue(res.Findings),
	})
	resp.Error = resp.Result.Set(ctx, obj)
}

type fixAPIMPolicyFunction struct{}

func (fixAPIMPolicyFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "fix_apim_policy"
}

func (fixAPIMPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Apply the safe SSE fixes to an API Management policy",
		MarkdownDescription: "Returns the document with every safe automatic fix applied: `buffer-response=\"false\"` on each " +
			"`forward-request`, and at `api` and `global` scope a `<backend>` that only inherits `<base />` replaced by " +
			"`<forward-request buffer-response=\"false\" />`. Every other byte is kept, so a ready document comes back " +
			"unchanged. Findings without a safe fix (caching, body-buffering policies) are left for you: check the " +
			"result with `check_apim_policy`.",
		Parameters:        policyParameters,
		VariadicParameter: optionsParameter,
		Return:            function.StringReturn{},
	}
}

func (fixAPIMPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	src, opts, ferr := policyArgs(ctx, req)
	if ferr != nil {
		resp.Error = ferr
		return
	}
	fixed, err := apimcheck.Fix(src, opts)
	if err != nil {
		resp.Error = syntaxFuncError(err)
		return
	}
	resp.Error = resp.Result.Set(ctx, string(fixed.Source))
}
