package provider

import (
	"context"
	"fmt"
	"strings"

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
	descHeaders = "Request headers. `Accept: text/event-stream` is sent unless given. Values here are stored in the " +
		"state: put keys in `headers_wo`."
	descDuration = fmt.Sprintf("How long to read the stream (default %s, at most %s). The stream may end sooner, as a "+
		"chat answer does after `data: [DONE]`, but must not be cut within it. ", streamcheck.DefaultDuration, streamcheck.MaxDuration) + durationSyntax
	descMaxFirstEvent = "The first event must arrive within this long after the request. " + durationSyntax
	descMinEvents     = fmt.Sprintf("The fewest events the stream must deliver (default %d).", streamcheck.DefaultMinEvents)

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
	URL           types.String `tfsdk:"url"`
	Method        types.String `tfsdk:"method"`
	Body          types.String `tfsdk:"body"`
	Headers       types.Map    `tfsdk:"headers"`
	Duration      types.String `tfsdk:"duration"`
	MaxFirstEvent types.String `tfsdk:"max_first_event"`
	MinEvents     types.Int64  `tfsdk:"min_events"`
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

// known reports whether every input is known (plan-time validation waits
// otherwise).
func (in streamCheckInputs) known() bool {
	for _, v := range []interface{ IsUnknown() bool }{in.URL, in.Method, in.Body, in.Headers, in.Duration, in.MaxFirstEvent, in.MinEvents} {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// raw converts the inputs, and the write-only headers, to the check's
// plain values.
func (in streamCheckInputs) raw(ctx context.Context, headersWO types.Map, diags *diag.Diagnostics) streamcheck.Raw {
	r := streamcheck.Raw{URL: in.URL.ValueString(), Method: strings.ToUpper(in.Method.ValueString()), Body: in.Body.ValueString(),
		Duration: in.Duration.ValueString(), MaxFirstEvent: in.MaxFirstEvent.ValueString(), Header: map[string]string{}}
	for _, m := range []types.Map{in.Headers, headersWO} {
		if m.IsNull() || m.IsUnknown() {
			continue
		}
		var h map[string]string
		diags.Append(m.ElementsAs(ctx, &h, false)...)
		for k, v := range h {
			r.Header[k] = v
		}
	}
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
