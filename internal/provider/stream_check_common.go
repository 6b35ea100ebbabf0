package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/streamcheck"
)

// The descriptions sseready_stream_check and sseready_stream_probe share.
var (
	descURL = "The SSE endpoint to read: a chat completions URL behind API Management, Application Gateway or " +
		"Front Door (`https://apim-chat.azure-api.net/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`), " +
		"or any `text/event-stream` URL."
	descMethod = "The HTTP method. `GET` (an `EventSource`) by default, `POST` when `body` is given."
	descBody   = "The request body, such as `jsonencode({ stream = true, messages = [...] })`. `Content-Type: application/json` " +
		"is sent for a JSON body unless `headers` says otherwise."
	descHeadersSent = "Request headers. `Accept: text/event-stream` is sent unless given."
	// descHeaders ends with the attributes that keep keys out of the state.
	descHeaders        = descHeadersSent + " Values here are stored in the state: give keys in `headers_from_env`"
	descHeadersFromEnv = "Request headers whose values the provider reads from its own environment when it reads the stream: " +
		"header name to environment variable name, such as `{ \"api-key\" = \"AZURE_OPENAI_KEY\" }`. Only the variable's " +
		"name is in the configuration, the plan and the state, never its value. Terraform starts the provider with its own " +
		"environment: export the variable where `terraform plan` and `terraform apply` run (in CI, from its secret store), as " +
		"for `sseready probe --header-env`. A variable that is unset or empty is an error naming it, never an empty header. " +
		"A header named here must not be in another of the headers attributes too: that is an error naming both."
	descDuration = fmt.Sprintf("How long to read the stream (default %s, at most %s). The stream may end sooner, as a "+
		"chat answer does after `data: [DONE]`, but must not be cut within it. ", streamcheck.DefaultDuration, streamcheck.MaxDuration) + durationSyntax
	descMaxFirstEvent = "The first event must arrive within this long after the request. A reasoning model can think for minutes " +
		"before its first token: set this above that silence, and make sure every hop on the path lets the silence through " +
		"(a heartbeat such as `: ping` comments while the model thinks; `sseready_stream_profile` counts the silence before " +
		"the first event in `max_event_gap`). Comments before the first event do not count as the first event. " + durationSyntax
	descMinEvents = fmt.Sprintf("The fewest events the stream must deliver (default %d).", streamcheck.DefaultMinEvents)

	descOK           = "Whether the stream met every expectation."
	descProblems     = "The expectations missed: what happened and which settings to look at, by rule. Empty when `ok`."
	descOutcome      = "How the stream arrived: `streamed`, `buffered`, `held`, `cut`, `refused`, `not_sse` or `error`."
	descEvents       = "The events received."
	descFirstEventMS = "Milliseconds from the request to the first event; null when none arrived."
	descGapP95       = "The 95th percentile of the gaps between events, in milliseconds; null with fewer than two events."
	descCut          = "Whether the stream broke off, or ended before `min_events`, within `duration`."
	descStatus       = "The response's HTTP status; 0 when none came."
	descHeadersMS    = "Milliseconds from the request to the response headers."
)

// streamCheckInputs are the inputs both take, as the model holds them.
type streamCheckInputs struct {
	URL            types.String `tfsdk:"url"`
	Method         types.String `tfsdk:"method"`
	Body           types.String `tfsdk:"body"`
	Headers        types.Map    `tfsdk:"headers"`
	HeadersFromEnv types.Map    `tfsdk:"headers_from_env"`
	Duration       types.String `tfsdk:"duration"`
	MaxFirstEvent  types.String `tfsdk:"max_first_event"`
	MinEvents      types.Int64  `tfsdk:"min_events"`
}

// streamCheckOutputs are the figures both keep.
type streamCheckOutputs struct {
	Outcome      types.String  `tfsdk:"outcome"`
	Events       types.Int64   `tfsdk:"events"`
	FirstEventMS types.Float64 `tfsdk:"first_event_ms"`
	GapMSP95     types.Float64 `tfsdk:"gap_ms_p95"`
	Cut          types.Bool    `tfsdk:"cut"`
	Status       types.Int64   `tfsdk:"status"`
	HeadersMS    types.Float64 `tfsdk:"headers_ms"`
}

// known reports whether every input, and each value inside the header
// maps, is known (plan-time validation waits otherwise).
func (in streamCheckInputs) known(ctx context.Context) bool {
	for _, v := range []attr.Value{in.URL, in.Method, in.Body, in.Headers, in.HeadersFromEnv, in.Duration, in.MaxFirstEvent, in.MinEvents} {
		if !fullyKnown(ctx, v) {
			return false
		}
	}
	return true
}

func fullyKnown(ctx context.Context, v attr.Value) bool {
	t, err := v.ToTerraformValue(ctx)
	return err == nil && t.IsFullyKnown()
}

// goStrings is a known map of strings as Go holds it; nil when null.
func goStrings(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	var h map[string]string
	diags.Append(m.ElementsAs(ctx, &h, false)...)
	return h
}

// raw converts the inputs, and the write-only headers, to the check's
// plain values.
func (in streamCheckInputs) raw(ctx context.Context, headersWO types.Map, diags *diag.Diagnostics) streamcheck.Raw {
	r := streamcheck.Raw{URL: in.URL.ValueString(), Method: strings.ToUpper(in.Method.ValueString()), Body: in.Body.ValueString(),
		Duration: in.Duration.ValueString(), MaxFirstEvent: in.MaxFirstEvent.ValueString(),
		Header: goStrings(ctx, in.Headers, diags), HeaderWO: goStrings(ctx, headersWO, diags), HeaderFromEnv: goStrings(ctx, in.HeadersFromEnv, diags)}
	if !in.MinEvents.IsNull() {
		n := in.MinEvents.ValueInt64()
		r.MinEvents = &n
	}
	return r
}

// set fills the outputs from a check's result.
func (out *streamCheckOutputs) set(res streamcheck.Result) {
	rep := res.Report
	out.Outcome = types.StringValue(string(rep.Outcome))
	out.Events = types.Int64Value(int64(len(rep.Events)))
	out.FirstEventMS = types.Float64PointerValue(rep.FirstEventMS)
	out.GapMSP95 = types.Float64Null()
	if rep.GapMS != nil {
		out.GapMSP95 = types.Float64Value(rep.GapMS.P95)
	}
	out.Cut = types.BoolValue(rep.Cut)
	out.Status = types.Int64Value(int64(rep.Status))
	out.HeadersMS = types.Float64Value(rep.HeadersMS)
}

// parseWithEnv validates the inputs and reads the headers that come from
// the provider's environment: the step before the stream is read. It
// reports whether the check can run.
func parseWithEnv(r streamcheck.Raw, diags *diag.Diagnostics) (streamcheck.Spec, bool) {
	spec, errs := streamcheck.Parse(r)
	if addInputErrors(diags, errs) || diags.HasError() {
		return spec, false
	}
	spec, errs = spec.WithEnv()
	return spec, !addInputErrors(diags, errs)
}
