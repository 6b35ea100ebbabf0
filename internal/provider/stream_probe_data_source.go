package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/streamcheck"
)

var (
	_ datasource.DataSource                   = (*streamProbeDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*streamProbeDataSource)(nil)
)

func newStreamProbeDataSource() datasource.DataSource { return &streamProbeDataSource{} }

type streamProbeDataSource struct{}

type streamProbeModel struct {
	streamCheckInputs
	streamCheckOutputs
	OK       types.Bool `tfsdk:"ok"`
	Problems types.List `tfsdk:"problems"`
}

func (d *streamProbeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_stream_probe"
}

func (d *streamProbeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a deployed Server-Sent Events endpoint on every plan and reports how the stream arrived, " +
			"for a `check` block (continuous validation): it never fails on a bad stream; the check's assertions judge " +
			"`ok`, `outcome` and the figures. The stream is read in its protocol (`protocol`, `completed`), decoded when " +
			"compressed, or is one MCP tool call's (`mcp_tool`). `sseready_stream_check` is the same read as a resource that fails the apply. " +
			"Headers in `headers` are stored in the state: give a key in `headers_from_env`, which the provider reads from " +
			"its environment, or read the stream with the ephemeral resource of the same name, which stores nothing.",
		Attributes: map[string]schema.Attribute{
			"url":              schema.StringAttribute{Required: true, MarkdownDescription: descURLStored},
			"method":           schema.StringAttribute{Optional: true, MarkdownDescription: descMethod},
			"body":             schema.StringAttribute{Optional: true, MarkdownDescription: descBody},
			"headers":          schema.MapAttribute{Optional: true, Sensitive: true, ElementType: types.StringType, MarkdownDescription: descHeaders + "."},
			"headers_from_env": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: descHeadersFromEnv},
			"query_from_env":   schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: descQueryFromEnv},
			"duration":         schema.StringAttribute{Optional: true, MarkdownDescription: descDuration},
			"max_first_event":  schema.StringAttribute{Optional: true, MarkdownDescription: descMaxFirstEvent},
			"min_events":       schema.Int64Attribute{Optional: true, MarkdownDescription: descMinEvents},
			"protocol":         schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: descProtocol},
			"compressed":       schema.BoolAttribute{Optional: true, MarkdownDescription: descCompressed},
			"mcp_tool":         schema.StringAttribute{Optional: true, MarkdownDescription: descMCPTool},
			"mcp_args":         schema.StringAttribute{Optional: true, MarkdownDescription: descMCPArgs},
			"mcp_transport":    schema.StringAttribute{Optional: true, MarkdownDescription: descMCPTransport},
			"ok":               schema.BoolAttribute{Computed: true, MarkdownDescription: descOK},
			"problems":         schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: descProblems},
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

func (d *streamProbeDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m streamProbeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.known(ctx) {
		return
	}
	_, errs := streamcheck.Parse(m.raw(ctx, types.MapNull(types.StringType), &resp.Diagnostics))
	addInputErrors(&resp.Diagnostics, errs)
	addInputWarnings(&resp.Diagnostics, summaryKeyInURL, streamcheck.URLWarnings(m.URL.ValueString()))
}

func (d *streamProbeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m streamProbeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.read(ctx, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}

// read reads the stream and fills the outputs, ok and problems: the data
// source's read and the ephemeral resource's open. It reports whether the
// inputs allowed a read; a bad stream is no error.
func (m *streamProbeModel) read(ctx context.Context, diags *diag.Diagnostics) bool {
	spec, ok := parseWithEnv(m.raw(ctx, types.MapNull(types.StringType), diags), diags)
	if !ok {
		return false
	}
	res := streamcheck.Run(ctx, spec)
	m.set(res)
	m.seen(res)
	m.OK = types.BoolValue(res.OK())
	problems := []attr.Value{}
	for _, p := range res.Problems {
		problems = append(problems, types.StringValue(p.String()))
	}
	m.Problems = types.ListValueMust(types.StringType, problems)
	return true
}
