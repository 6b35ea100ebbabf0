package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/apimtier"
	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
)

var (
	_ function.Function = apimSKUSupportsSSEFunction{}
	_ function.Function = checkChainFunction{}
)

func newAPIMSKUSupportsSSEFunction() function.Function { return apimSKUSupportsSSEFunction{} }
func newCheckChainFunction() function.Function         { return checkChainFunction{} }

type apimSKUSupportsSSEFunction struct{}

func (apimSKUSupportsSSEFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "apim_sku_supports_sse"
}

func (apimSKUSupportsSSEFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether an API Management SKU supports the long-running connections SSE needs",
		MarkdownDescription: "Returns `false` for the Consumption tier (`Consumption_0`) and `true` for the classic " +
			"(Developer, Basic, Standard, Premium) and v2 (BasicV2, StandardV2, PremiumV2) tiers. A `sku_name` that azurerm " +
			"does not take, such as `Standard_5` or `standardv2_1`, is an error, never `false`. Use it in variable validation " +
			"and preconditions.",
		Parameters: []function.Parameter{function.StringParameter{
			Name:                "sku_name",
			MarkdownDescription: "`azurerm_api_management.sku_name`, such as `StandardV2_1`.",
		}},
		Return: function.BoolReturn{},
	}
}

func (apimSKUSupportsSSEFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var sku string
	if resp.Error = req.Arguments.Get(ctx, &sku); resp.Error != nil {
		return
	}
	ok, err := apimtier.SupportsSSE(sku)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, ok)
}

type checkChainFunction struct{}

var chainResultTypes = map[string]attr.Type{
	"ready":    types.BoolType,
	"complete": types.BoolType,
	"unknown":  types.ListType{ElemType: types.StringType},
	"findings": types.ListType{ElemType: findingType},
}

func (checkChainFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "check_chain"
}

func (checkChainFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Check every hop of a stream's path for what breaks Server-Sent Events",
		MarkdownDescription: "The `sseready_chain_check` data source as a function. The argument is an object with the same " +
			"keys as the data source (`front_door`, `app_gateway`, `app_gateway_for_containers`, `apim`, `backend`); keys " +
			"may be left out. Returns `ready`, `complete`, `unknown` and `findings`. Values unknown at plan time are reported, " +
			"not failed: `unknown` lists each setting not known yet once, `complete` is false, and `ready` and `findings` " +
			"are unknown until apply, so a condition on `ready` waits for the findings that explain it.",
		Parameters: []function.Parameter{function.DynamicParameter{
			Name:                "chain",
			MarkdownDescription: "The settings along the path, as an object.",
			AllowUnknownValues:  true,
		}},
		Return: function.ObjectReturn{AttributeTypes: chainResultTypes},
	}
}

func (checkChainFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var arg types.Dynamic
	if resp.Error = req.Arguments.Get(ctx, &arg); resp.Error != nil {
		return
	}
	if arg.IsUnknown() || arg.IsUnderlyingValueUnknown() {
		resp.Error = resp.Result.Set(ctx, chainResult(chaincheck.Result{Unknown: []string{"chain"}}))
		return
	}
	v, err := arg.UnderlyingValue().ToTerraformValue(ctx)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	c, errs := chainFromValue(v)
	if len(errs) == 0 {
		var res chaincheck.Result
		if res, errs = chaincheck.Check(c); len(errs) == 0 {
			resp.Error = resp.Result.Set(ctx, chainResult(res))
			return
		}
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	resp.Error = function.NewArgumentFuncError(0, strings.Join(msgs, "; "))
}

// chainResult builds the function's result. While some setting is
// unknown, ready and the findings are unknown together: a ready of false
// whose findings are unknown would fail a precondition without saying why.
func chainResult(res chaincheck.Result) types.Object {
	names := make([]attr.Value, len(res.Unknown))
	for i, u := range res.Unknown {
		names[i] = types.StringValue(u)
	}
	ready, findings := types.BoolValue(res.Ready), findingsValue(res.Findings)
	if len(res.Unknown) > 0 {
		ready, findings = types.BoolUnknown(), types.ListUnknown(findingType)
	}
	return types.ObjectValueMust(chainResultTypes, map[string]attr.Value{
		"ready":    ready,
		"complete": types.BoolValue(len(res.Unknown) == 0),
		"unknown":  types.ListValueMust(types.StringType, names),
		"findings": findings,
	})
}
