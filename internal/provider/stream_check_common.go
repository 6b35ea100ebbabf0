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
	// descURLStored ends url's description where the URL is kept.
	descURLStored = descURL + " A key in its query (API Management's `subscription-key`) is stored with it in the plan and " +
		"the state, and a query parameter whose name says it holds a key is warned about: give the key in `query_from_env`."
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
	descQueryFromEnv = "Query parameters added after `url`'s own, whose values the provider reads from its own environment " +
		"when it reads the stream: parameter name to environment variable name, such as `{ \"subscription-key\" = " +
		"\"APIM_SUBSCRIPTION_KEY\" }` for an API Management API that takes its key in the query. Only the variable's name is in " +
		"the configuration, the plan and the state, never its value, and the provider's messages redact it, as they redact the " +
		"value of any query parameter whose name says it holds a key (`problems` included). Export the variable where " +
		"`terraform plan` and `terraform apply` run, as for `headers_from_env` and `sseready probe --query-env`. A variable " +
		"that is unset or empty is an error naming it; a parameter that `url` has too is an error."
	descDuration = fmt.Sprintf("How long to read the stream (default %s, at most %s). The stream may end sooner, as a "+
		"chat answer does after `data: [DONE]`, but must not be cut within it. ", streamcheck.DefaultDuration, streamcheck.MaxDuration) + durationSyntax
	descMaxFirstEvent = "The first event must arrive within this long after the request. A reasoning model can think for minutes " +
		"before its first token: set this above that silence, and make sure every hop on the path lets the silence through " +
		"(a heartbeat such as `: ping` comments while the model thinks; `sseready_stream_profile` counts the silence before " +
		"the first event in `max_event_gap`). Comments before the first event do not count as the first event. " + durationSyntax
	descMinEvents = fmt.Sprintf("The fewest content events the stream must deliver (default %d): events that carry output in "+
		"its protocol (a chat completions chunk with a delta, `response.output_text.delta`, `content_block_delta`, an MCP "+
		"progress notification; every event of a plain stream). A Responses or Anthropic stream's opening events, its final "+
		"event and Anthropic's pings do not count: `events` counts every event.", streamcheck.DefaultMinEvents)
	descProtocol = "The stream's protocol. Left out, it is recognised from the events, as `sseready probe` recognises it, and " +
		"this attribute then says which it was (`sse` when none was; empty when no stream was read). Given, it forces one: " +
		"`chat_completions`, `responses` (OpenAI's Responses API), `anthropic_messages`, `mcp` or `sse` (plain: every event is " +
		"content, nothing completes it). A stream whose protocol has a final event (`data: [DONE]`, `response.completed`, " +
		"`message_stop`, the MCP response) must end with it, or it was cut; an error event (`response.failed`, Anthropic's " +
		"`error`, a chat completions `{\"error\": {...}}` object in place of a chunk) makes the outcome `error`."
	descCompressed = "Ask for a compressed response (`Accept-Encoding: gzip, deflate, br`) and decode it: the stream is judged " +
		"read by read as it was decoded, so a compressor that flushes per event streams and one that compresses the whole " +
		"response in one piece is `buffered` or `held`. An `Accept-Encoding` given in the headers is honoured and decoded too; " +
		"without either, the request asks for `identity`."
	descMCPTool = "Read the stream of one call of this MCP tool: the provider initializes an MCP session at `url` (protocol " +
		"version 2025-06-18), calls the tool with `mcp_args` and a progress token, reads the call's stream (its progress " +
		"notifications are its content, the JSON-RPC response its final event) and closes the session. `method` and `body` " +
		"are not used; the headers go with every request of the session. A call answered with a JSON-RPC error is a problem " +
		"on `mcp_tool`."
	descMCPArgs = "The MCP tool's arguments, a JSON object as a string: `jsonencode({ steps = 5 })`. A string, as `body` is, " +
		"so that any JSON the tool takes (nested objects, lists, nulls) passes as written."
	descMCPTransport = "The MCP transport: `auto` (the default: Streamable HTTP, falling back to the 2024-11-05 HTTP+SSE " +
		"transport when the POST of `initialize` gets a 4xx), `streamable_http` or `http_sse`."

	descOK          = "Whether the stream met every expectation."
	descProblems    = "The expectations missed: what happened and which settings to look at, by rule. Empty when `ok`."
	descOutcome     = "How the stream arrived: `streamed`, `buffered`, `held`, `cut`, `refused`, `not_sse` or `error`."
	descEvents      = "The events received, content or not."
	descContentEvts = "The events received that carry content in the stream's protocol: what `min_events` counts."
	descCompleted   = "Whether the stream's final event arrived (`data: [DONE]`, `response.completed` or `response.incomplete`, " +
		"`message_stop`, the MCP response). Always false on a plain `sse` stream, which has none."
	descContentEncoding = "The response's content coding (`gzip`, `deflate`, `br`), which was decoded before the stream was judged; " +
		"empty for none."
	descFirstEventMS = "Milliseconds from the request to the first event; null when none arrived."
	descGapP95       = "The 95th percentile of the gaps between events, in milliseconds; null with fewer than two events."
	descCut          = "Whether the stream broke off, or ended before `min_events`, within `duration`."
	descStatus       = "The response's HTTP status; 0 when none came."
	descHeadersMS    = "Milliseconds from the request to the response headers."
)

// summaryKeyInURL heads the warning on a url whose query holds a key.
const summaryKeyInURL = "A key in url is stored in the state"

// streamCheckInputs are the inputs both take, as the model holds them.
type streamCheckInputs struct {
	URL            types.String `tfsdk:"url"`
	Method         types.String `tfsdk:"method"`
	Body           types.String `tfsdk:"body"`
	Headers        types.Map    `tfsdk:"headers"`
	HeadersFromEnv types.Map    `tfsdk:"headers_from_env"`
	QueryFromEnv   types.Map    `tfsdk:"query_from_env"`
	Duration       types.String `tfsdk:"duration"`
	MaxFirstEvent  types.String `tfsdk:"max_first_event"`
	MinEvents      types.Int64  `tfsdk:"min_events"`
	Protocol       types.String `tfsdk:"protocol"`
	Compressed     types.Bool   `tfsdk:"compressed"`
	MCPTool        types.String `tfsdk:"mcp_tool"`
	MCPArgs        types.String `tfsdk:"mcp_args"`
	MCPTransport   types.String `tfsdk:"mcp_transport"`
}

// streamCheckOutputs are the figures both keep.
type streamCheckOutputs struct {
	Outcome         types.String  `tfsdk:"outcome"`
	Events          types.Int64   `tfsdk:"events"`
	ContentEvents   types.Int64   `tfsdk:"content_events"`
	Completed       types.Bool    `tfsdk:"completed"`
	ContentEncoding types.String  `tfsdk:"content_encoding"`
	FirstEventMS    types.Float64 `tfsdk:"first_event_ms"`
	GapMSP95        types.Float64 `tfsdk:"gap_ms_p95"`
	Cut             types.Bool    `tfsdk:"cut"`
	Status          types.Int64   `tfsdk:"status"`
	HeadersMS       types.Float64 `tfsdk:"headers_ms"`
}

// known reports whether every input, and each value inside the header
// maps, is known (plan-time validation waits otherwise).
func (in streamCheckInputs) known(ctx context.Context) bool {
	for _, v := range []attr.Value{in.URL, in.Method, in.Body, in.Headers, in.HeadersFromEnv, in.QueryFromEnv, in.Duration, in.MaxFirstEvent, in.MinEvents,
		in.Protocol, in.Compressed, in.MCPTool, in.MCPArgs, in.MCPTransport} {
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
		Header: goStrings(ctx, in.Headers, diags), HeaderWO: goStrings(ctx, headersWO, diags), HeaderFromEnv: goStrings(ctx, in.HeadersFromEnv, diags),
		QueryFromEnv: goStrings(ctx, in.QueryFromEnv, diags),
		Protocol:     in.Protocol.ValueString(), Compressed: in.Compressed.ValueBool(),
		MCPTool: in.MCPTool.ValueString(), MCPArgs: in.MCPArgs.ValueString(), MCPTransport: in.MCPTransport.ValueString()}
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
	out.ContentEvents = types.Int64Value(int64(streamcheck.ContentEvents(rep)))
	out.Completed = types.BoolValue(rep.Completed)
	out.ContentEncoding = types.StringValue(rep.ContentEncoding)
	out.FirstEventMS = types.Float64PointerValue(rep.FirstEventMS)
	out.GapMSP95 = types.Float64Null()
	if rep.GapMS != nil {
		out.GapMSP95 = types.Float64Value(rep.GapMS.P95)
	}
	out.Cut = types.BoolValue(rep.Cut)
	out.Status = types.Int64Value(int64(rep.Status))
	out.HeadersMS = types.Float64Value(rep.HeadersMS)
}

// seen sets the protocol the stream spoke where none was forced.
func (in *streamCheckInputs) seen(res streamcheck.Result) {
	if in.Protocol.IsNull() || in.Protocol.IsUnknown() {
		in.Protocol = types.StringValue(string(res.Report.Protocol))
	}
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
