package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/chainrun"
	"github.com/sseready/terraform-provider-sseready/internal/gateway"
)

var (
	_ datasource.DataSource                   = (*emulatedStreamDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*emulatedStreamDataSource)(nil)
)

func newEmulatedStreamDataSource() datasource.DataSource { return &emulatedStreamDataSource{} }

type emulatedStreamDataSource struct{}

var (
	emulatedHopType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"name": types.StringType, "effect": types.StringType, "rules": types.ListType{ElemType: types.StringType},
		"outcome": types.StringType, "cut": types.StringType,
	}}
	emulatedEventType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"arrival_ms": types.Float64Type, "latency_ms": types.Float64Type,
	}}
)

func (d *emulatedStreamDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_emulated_stream"
}

func (d *emulatedStreamDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := chainAttributes()
	attrs[chainrun.KeyEventCount] = schema.Int64Attribute{Optional: true, MarkdownDescription: fmt.Sprintf(
		"Events the test origin sends, 1 to %d. Default %d.", chainrun.MaxEvents, chainrun.DefaultEvents)}
	attrs[chainrun.KeyInterval] = schema.StringAttribute{Optional: true, MarkdownDescription: fmt.Sprintf(
		"Time between events, on Azure's clock. Default `\"%s\"`. ", chainrun.DefaultInterval) + durationSyntax}
	attrs[chainrun.KeySilenceAfter] = schema.Int64Attribute{Optional: true, MarkdownDescription: fmt.Sprintf(
		"After this event the backend stays silent for `backend.max_event_gap` (default %s, longer than the load balancer's "+
			"4-minute idle cut), sending a comment heartbeat every `backend.heartbeat_interval` (none when a gap is given "+
			"without one; %s otherwise). 0: no silence. Default %d.", chainrun.DefaultSilence, chainrun.DefaultHeartbeat, chainrun.DefaultSilenceAfter)}
	attrs[chainrun.KeyTimeScale] = schema.Float64Attribute{Optional: true, MarkdownDescription: fmt.Sprintf(
		"Every clock, the hops' and the stream's, runs this many times faster: at the default %d the 4-minute idle cut takes 4 s. "+
			"1 to %d. The scaled stream must end within %s.", chainrun.DefaultTimeScale, gateway.MaxTimeScale, chainrun.MaxRealRunTime)}
	attrs[chainrun.KeyMaxLatency] = schema.StringAttribute{Optional: true, MarkdownDescription: fmt.Sprintf(
		"Relay latency, in real time, above which an event counts as held. Default `\"%s\"`, at most %s.", chainrun.DefaultMaxLatency, chainrun.MaxMaxLatency)}
	attrs[chainrun.KeyMethod] = schema.StringAttribute{Optional: true, MarkdownDescription: "The test stream's request method: " +
		"`GET` (an EventSource's, the default without a `body`) or `POST` (the default with one)."}
	attrs[chainrun.KeyBody] = schema.StringAttribute{Optional: true, MarkdownDescription: "The test stream's request body, as an LLM " +
		"client sends it: `jsonencode({ stream = true, messages = [...] })`. The API Management hop runs its policy for this " +
		"request, so a `<choose>` on the stream flag takes the branch a streaming request takes; without a body, a policy " +
		"that reads the body throws, as APIM's would, and the hop answers 500."}
	attrs[chainrun.KeyHeaders] = schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "The test " +
		"stream's request headers (`Accept: text/event-stream` unless given). The test origin needs no key: give none."}
	attrs["outcome"] = schema.StringAttribute{Computed: true, MarkdownDescription: descOutcome}
	attrs["ok"] = schema.BoolAttribute{Computed: true, MarkdownDescription: "True when every event arrived as it was sent and no hop holds a policy error the emulator does not enact."}
	attrs["message"] = schema.StringAttribute{Computed: true, MarkdownDescription: "Why `ok` is false: what happened, at which hop; null when `ok`."}
	attrs["hops"] = schema.ListNestedAttribute{Computed: true,
		MarkdownDescription: "The emulated hops, client side first.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name":    schema.StringAttribute{Computed: true, MarkdownDescription: "The hop: `front_door`, `app_gateway`, `apim`, `load_balancer`, ..."},
			"effect":  schema.StringAttribute{Computed: true, MarkdownDescription: "What it does to the response body: `stream`, `buffer`, `window` (content safety holds a window of events), `hold-all`, `answer` (a policy answers instead of the backend), `refuse` or `no-forward`."},
			"rules":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The rules behind its behaviour (see the rules guide)."},
			"outcome": schema.StringAttribute{Computed: true, MarkdownDescription: "`streamed` when the stream passed it; else the stream's outcome this hop caused (`cut`, `held`, `buffered`, `refused`)."},
			"cut":     schema.StringAttribute{Computed: true, MarkdownDescription: "Which of its clocks cut the stream, after how long; null when it cut nothing."},
		}}}
	attrs["events"] = schema.ListNestedAttribute{Computed: true,
		MarkdownDescription: "The events the client received, in order.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"arrival_ms": schema.Float64Attribute{Computed: true, MarkdownDescription: "When it arrived, in real milliseconds since the request."},
			"latency_ms": schema.Float64Attribute{Computed: true, MarkdownDescription: "Its arrival minus the time the origin sent it, in real milliseconds."},
		}}}
	attrs["notes"] = schema.ListAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "What a hop given does not emulate, and why (a clock whose default is not in sseready's sources)."}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs a test stream through an emulated chain on loopback, when it is read (at plan, or at apply " +
			"when an input is not known before): the test origin, and in front of it a hop for each one given, configured " +
			"with your settings (the policies per scope, SKU and diagnostics of API Management, the App Gateway's buffering " +
			"and request timeout, each hop's idle clock), every clock scaled by `time_scale`. It is the engine of " +
			"`sseready prove --chain`. It needs no Azure account, no credentials and no network, so a module's " +
			"`terraform test` can assert that its settings stream. It never fails on a bad stream: `outcome`, `hops` and " +
			"`events` say what happened, and the test asserts. Its inputs are `sseready_chain_check`'s, with the same names " +
			"and shapes, and the test stream's settings (how many events it sends is `event_count`: `events` are the ones received).",
		Attributes: attrs,
	}
}

func (d *emulatedStreamDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	_, errs := chainrun.DecodeEmulated(plainValue(req.Config.Raw), gateway.Config{})
	addInputErrors(&resp.Diagnostics, errs)
}

func (d *emulatedStreamDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	e, errs := chainrun.DecodeEmulated(plainValue(req.Config.Raw), gateway.Config{})
	if addInputErrors(&resp.Diagnostics, errs) {
		return
	}
	res, err := chainrun.Prove(ctx, e.Run)
	if err != nil {
		resp.Diagnostics.AddError("sseready could not run the emulated chain", err.Error()+
			" (the chain runs on 127.0.0.1: check that this process may listen there)")
		return
	}
	hops := []attr.Value{}
	for _, h := range res.Hops {
		rules := []attr.Value{}
		for _, r := range h.Behavior.Rules {
			rules = append(rules, types.StringValue(r))
		}
		cut := types.StringNull()
		if h.Cut != nil {
			cut = types.StringValue(h.Cut.Reason)
		}
		hops = append(hops, types.ObjectValueMust(emulatedHopType.AttrTypes, map[string]attr.Value{
			"name": types.StringValue(h.Name), "effect": types.StringValue(h.Behavior.Effect()),
			"rules": types.ListValueMust(types.StringType, rules), "outcome": types.StringValue(string(h.Outcome)), "cut": cut,
		}))
	}
	events := []attr.Value{}
	for _, ev := range res.Probe.Events {
		events = append(events, types.ObjectValueMust(emulatedEventType.AttrTypes, map[string]attr.Value{
			"arrival_ms": types.Float64Value(ev.ArrivalMS), "latency_ms": types.Float64PointerValue(ev.LatencyMS),
		}))
	}
	notes := []attr.Value{}
	for _, n := range e.Notes {
		notes = append(notes, types.StringValue(n))
	}
	message := types.StringNull()
	if !res.OK {
		message = types.StringValue(res.Error)
	}
	resp.State.Raw = req.Config.Raw
	for name, v := range map[string]attr.Value{
		"outcome": types.StringValue(string(res.Outcome)), "ok": types.BoolValue(res.OK), "message": message,
		"hops": types.ListValueMust(emulatedHopType, hops), "events": types.ListValueMust(emulatedEventType, events),
		"notes": types.ListValueMust(types.StringType, notes),
	} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}
