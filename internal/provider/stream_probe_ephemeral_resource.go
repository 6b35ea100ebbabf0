package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sseready/terraform-provider-sseready/internal/streamcheck"
)

var (
	_ ephemeral.EphemeralResource                   = (*streamProbeEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithValidateConfig = (*streamProbeEphemeralResource)(nil)
)

func newStreamProbeEphemeralResource() ephemeral.EphemeralResource {
	return &streamProbeEphemeralResource{}
}

// streamProbeEphemeralResource is sseready_stream_probe's read with
// nothing stored: its inputs may be ephemeral values.
type streamProbeEphemeralResource struct{}

func (e *streamProbeEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_stream_probe"
}

func (e *streamProbeEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a deployed Server-Sent Events endpoint each time Terraform opens it (in the plan, and again " +
			"in the apply when it is needed there) and reports how the stream arrived, as the data source of the same name " +
			"does, but nothing it is given or returns is stored in the plan or the state (Terraform 1.10 and later). So its " +
			"`headers` may take ephemeral values: a key from another ephemeral resource, such as " +
			"`ephemeral \"azurerm_key_vault_secret\"`, or an ephemeral variable. Its results go where ephemeral values go: " +
			"a `check` block's assertion (a warning), a `precondition` of a resource that depends on the stream (it stops " +
			"the run), another ephemeral resource, a provider block, an ephemeral output. Prefer those to a `postcondition` " +
			"on the ephemeral resource itself, which makes `terraform show -json` of the plan crash in Terraform 1.11. A bad " +
			"stream is no error by itself: it is a warning that says what happened, since Terraform prints no error " +
			"message made of ephemeral values.",
		Attributes: map[string]schema.Attribute{
			"url":    schema.StringAttribute{Required: true, MarkdownDescription: descURL},
			"method": schema.StringAttribute{Optional: true, MarkdownDescription: descMethod},
			"body":   schema.StringAttribute{Optional: true, MarkdownDescription: descBody},
			"headers": schema.MapAttribute{Optional: true, Sensitive: true, ElementType: types.StringType,
				MarkdownDescription: descHeadersSent + " Nothing here is stored: a key may come from an ephemeral variable or " +
					"another ephemeral resource, or from the provider's environment in `headers_from_env`."},
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

func (e *streamProbeEphemeralResource) ValidateConfig(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var m streamProbeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.known(ctx) {
		return
	}
	_, errs := streamcheck.Parse(m.raw(ctx, types.MapNull(types.StringType), &resp.Diagnostics))
	addInputErrors(&resp.Diagnostics, errs)
}

func (e *streamProbeEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m streamProbeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.read(ctx, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	if !m.OK.ValueBool() {
		// Terraform prints no message made of ephemeral values, so a
		// check or a precondition on ok cannot say why: the warning does.
		// It names no input (the URL may be an ephemeral value too).
		var problems []string
		resp.Diagnostics.Append(m.Problems.ElementsAs(ctx, &problems, false)...)
		resp.Diagnostics.AddWarning("The stream did not pass: "+m.Outcome.ValueString(), strings.Join(problems, "\n\n"))
	}
}
