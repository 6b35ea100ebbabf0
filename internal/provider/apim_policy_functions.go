package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

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

var scopeParameter = function.StringParameter{
	Name: "scope",
	MarkdownDescription: "Optional: where the document is attached, `global`, `workspace`, `product`, `api` (the default) or `operation`. " +
		"At most one.",
}

// policyArgs reads the xml and optional scope arguments.
func policyArgs(ctx context.Context, req function.RunRequest) ([]byte, apimcheck.Options, *function.FuncError) {
	var xml string
	var scopes []string
	if err := req.Arguments.Get(ctx, &xml, &scopes); err != nil {
		return nil, apimcheck.Options{}, err
	}
	if len(scopes) > 1 {
		return nil, apimcheck.Options{}, function.NewArgumentFuncError(1, fmt.Sprintf("at most one scope may be given, got %d", len(scopes)))
	}
	var opts apimcheck.Options
	if len(scopes) == 1 {
		scope, err := apimcheck.ParseScope(scopes[0])
		if err != nil {
			return nil, opts, function.NewArgumentFuncError(1, err.Error())
		}
		opts.Scope = scope
	}
	return []byte(xml), opts, nil
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
			"an error naming its line and column.",
		Parameters:        policyParameters,
		VariadicParameter: scopeParameter,
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
		VariadicParameter: scopeParameter,
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
