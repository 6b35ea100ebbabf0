package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/streamcheck"
)

var (
	_ resource.Resource                   = (*streamCheckResource)(nil)
	_ resource.ResourceWithValidateConfig = (*streamCheckResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*streamCheckResource)(nil)
)

func newStreamCheckResource() resource.Resource { return &streamCheckResource{} }

type streamCheckResource struct{}

type streamCheckModel struct {
	ID types.String `tfsdk:"id"`
	streamCheckInputs
	HeadersWO types.Map `tfsdk:"headers_wo"`
	Triggers  types.Map `tfsdk:"triggers"`
	streamCheckOutputs
}

func (r *streamCheckResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_stream_check"
}

func (r *streamCheckResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a deployed Server-Sent Events endpoint when it is created or its inputs change, and fails " +
			"the apply when the stream does not arrive as a stream: buffered, held, cut, refused, not `text/event-stream`, " +
			"fewer than `min_events` content events, the first event later than `max_first_event`, a stream that ends " +
			"without its protocol's final event (chat completions, the Responses API, Anthropic Messages, an MCP tool call " +
			"with `mcp_tool`) or sends its error event. The error says what happened " +
			"and which settings to look at, by rule. The state keeps the outcome and the figures.\n\n" +
			"Put it after the resources that set the path (`depends_on`), and list what should make it read again in " +
			"`triggers`: the policy, the gateway's settings. Reading the state does not probe again, and destroying it " +
			"does nothing remote. Import is not supported: there is nothing remote to import.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The URL read.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"url":     schema.StringAttribute{Required: true, MarkdownDescription: descURLStored},
			"method":  schema.StringAttribute{Optional: true, MarkdownDescription: descMethod},
			"body":    schema.StringAttribute{Optional: true, MarkdownDescription: descBody},
			"headers": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: descHeaders + " or `headers_wo`."},
			"headers_from_env": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: descHeadersFromEnv + " The variables are looked up at plan time too, when the check will read. " +
					"A change to a variable's value alone does not read again: change `triggers` for that."},
			"query_from_env": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: descQueryFromEnv + " The variables are looked up at plan time too, when the check will read. " +
					"A change to a variable's value alone does not read again: change `triggers` for that."},
			"duration":        schema.StringAttribute{Optional: true, MarkdownDescription: descDuration},
			"max_first_event": schema.StringAttribute{Optional: true, MarkdownDescription: descMaxFirstEvent},
			"min_events":      schema.Int64Attribute{Optional: true, MarkdownDescription: descMinEvents},
			"protocol":        schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: descProtocol},
			"compressed":      schema.BoolAttribute{Optional: true, MarkdownDescription: descCompressed},
			"mcp_tool":        schema.StringAttribute{Optional: true, MarkdownDescription: descMCPTool},
			"mcp_args":        schema.StringAttribute{Optional: true, MarkdownDescription: descMCPArgs},
			"mcp_transport":   schema.StringAttribute{Optional: true, MarkdownDescription: descMCPTransport},
			"headers_wo": schema.MapAttribute{
				Optional: true, WriteOnly: true, Sensitive: true, ElementType: types.StringType,
				MarkdownDescription: "Request headers that are never stored in the plan or the state, such as " +
					"`{ \"api-key\" = var.openai_key }` with an ephemeral variable (Terraform 1.11 and later). A change to them alone " +
					"does not read again: change `triggers` for that. A header is given in one attribute only.",
			},
			"triggers": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Values that replace the check, so it reads again, when they change: the policy's XML, " +
					"the gateway's settings.",
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"outcome":          schema.StringAttribute{Computed: true, MarkdownDescription: descOutcome},
			"events":           schema.Int64Attribute{Computed: true, MarkdownDescription: descEvents},
			"content_events":   schema.Int64Attribute{Computed: true, MarkdownDescription: descContentEvts},
			"completed":        schema.BoolAttribute{Computed: true, MarkdownDescription: descCompleted},
			"content_encoding": schema.StringAttribute{Computed: true, MarkdownDescription: descContentEncoding},
			"first_event_ms":   schema.Float64Attribute{Computed: true, MarkdownDescription: descFirstEventMS},
			"gap_ms_p95":       schema.Float64Attribute{Computed: true, MarkdownDescription: descGapP95},
			"cut":              schema.BoolAttribute{Computed: true, MarkdownDescription: descCut},
			"status":           schema.Int64Attribute{Computed: true, MarkdownDescription: descStatus},
			"headers_ms":       schema.Float64Attribute{Computed: true, MarkdownDescription: descHeadersMS},
		},
	}
}

func (r *streamCheckResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m streamCheckModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.known(ctx) || !fullyKnown(ctx, m.HeadersWO) {
		return
	}
	_, errs := streamcheck.Parse(m.raw(ctx, m.HeadersWO, &resp.Diagnostics))
	addInputErrors(&resp.Diagnostics, errs)
	addInputWarnings(&resp.Diagnostics, summaryKeyInURL, streamcheck.URLWarnings(m.URL.ValueString()))
}

// ModifyPlan looks up the variables headers_from_env and query_from_env
// name when the apply
// will read the stream (a create, a replacement or an update), so that one
// unset fails the plan rather than the apply. Their values are dropped:
// the apply reads them again.
func (r *streamCheckResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || (!req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)) {
		return // destroyed, or nothing changes: no read
	}
	var headers, query types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(streamcheck.FieldHeadersFromEnv), &headers)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(streamcheck.FieldQueryFromEnv), &query)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if fullyKnown(ctx, headers) {
		_, errs := streamcheck.ReadHeaderEnv(goStrings(ctx, headers, &resp.Diagnostics))
		addInputErrors(&resp.Diagnostics, errs)
	}
	if fullyKnown(ctx, query) {
		_, errs := streamcheck.ReadQueryEnv(goStrings(ctx, query, &resp.Diagnostics))
		addInputErrors(&resp.Diagnostics, errs)
	}
}

func (r *streamCheckResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan streamCheckModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.check(ctx, req.Config, &plan, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

func (r *streamCheckResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan streamCheckModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.check(ctx, req.Config, &plan, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// configReader is the part of tfsdk.Config the check reads the
// write-only headers from: they are in the configuration only.
type configReader interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// check reads the stream and fills m's outputs; it reports whether the
// stream passed (a failure is an error diagnostic).
func (r *streamCheckResource) check(ctx context.Context, config configReader, m *streamCheckModel, diags *diag.Diagnostics) bool {
	var wo types.Map
	diags.Append(config.GetAttribute(ctx, path.Root(streamcheck.FieldHeadersWO), &wo)...)
	if diags.HasError() {
		return false
	}
	spec, ok := parseWithEnv(m.raw(ctx, wo, diags), diags)
	if !ok {
		return false
	}
	res := streamcheck.Run(ctx, spec)
	m.ID = m.URL
	m.HeadersWO = types.MapNull(types.StringType) // write-only: never in state
	m.set(res)
	m.seen(res)
	if !res.OK() {
		diags.AddError(fmt.Sprintf("The stream from %s did not pass: %s", spec.URL, res.Report.Outcome), problemsText(res.Problems))
		return false
	}
	return true
}

// problemsText lists the missed expectations, one paragraph each.
func problemsText(ps []streamcheck.Problem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "\n\n")
}

// Read keeps the state: reading the stream again is what triggers are for.
func (r *streamCheckResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state streamCheckModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete forgets the check: nothing remote was created.
func (r *streamCheckResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
