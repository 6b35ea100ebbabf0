package azurermstandin

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Server is the stand-in's protocol 5 provider server.
type Server struct {
	schemas *catalog
	// broken reports a schema that could not be read, on every call that
	// needs the schema, instead of failing at construction.
	broken []*tfprotov5.Diagnostic
}

var _ tfprotov5.ProviderServer = (*Server)(nil)

// New serves the embedded azurerm schema: every resource type and data
// source of azurerm, each converted when it is first asked for.
func New() *Server {
	c, err := embedded()
	if err != nil {
		return &Server{broken: standinDiag("%v", err)}
	}
	return &Server{schemas: c}
}

// NewFor serves the named types of the embedded schema and no other, as
// [Start] does for a configuration (see [ConfigTypes]): terraform then
// fetches and checks a handful of types per command instead of azurerm's
// 1,500, and validates, plans and applies that configuration exactly as
// against the whole schema, which holds the same schemas for the types it
// names and lacks the same ones (a misspelt type). A nil names serves the
// whole schema, as [New].
func NewFor(names []string) *Server {
	s := New()
	if names == nil || s.broken != nil {
		return s
	}
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return &Server{schemas: s.schemas.only(set)}
}

// NewWithSchemas serves the given schemas, or reports err on every call
// that needs them (tests of odd schema input).
func NewWithSchemas(s *Schemas, err error) *Server {
	if err != nil || s == nil {
		if err == nil {
			err = errors.New("no schema")
		}
		return &Server{broken: standinDiag("%v", err)}
	}
	return &Server{schemas: catalogOf(s)}
}

// capabilities are the stand-in's: see GetProviderSchema.
var capabilities = &tfprotov5.ServerCapabilities{GetProviderSchemaOptional: true}

func errorDiag(summary, detail string) []*tfprotov5.Diagnostic {
	return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: summary, Detail: detail}}
}

// standinDiag names the stand-in in every error, so nobody takes it for
// azurerm's own.
func standinDiag(format string, args ...any) []*tfprotov5.Diagnostic {
	return errorDiag("azurerm stand-in (test only)", fmt.Sprintf(format, args...))
}

func (s *Server) resource(name string) (*tfprotov5.Schema, []*tfprotov5.Diagnostic) {
	if s.broken != nil {
		return nil, s.broken
	}
	r, ok, err := s.schemas.resources.get(name)
	switch {
	case err != nil:
		return nil, standinDiag("%v", err)
	case !ok:
		return nil, standinDiag("azurerm has no resource type %s", name)
	}
	return r, nil
}

func (s *Server) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	if s.broken != nil {
		return &tfprotov5.GetMetadataResponse{Diagnostics: s.broken}, nil
	}
	resp := &tfprotov5.GetMetadataResponse{ServerCapabilities: capabilities}
	for _, name := range s.schemas.resources.names {
		resp.Resources = append(resp.Resources, tfprotov5.ResourceMetadata{TypeName: name})
	}
	for _, name := range s.schemas.dataSources.names {
		resp.DataSources = append(resp.DataSources, tfprotov5.DataSourceMetadata{TypeName: name})
	}
	return resp, nil
}

// GetProviderSchema answers with every type azurerm has, converted once
// per process (about 0.1 s). It declares GetProviderSchemaOptional, as
// azurerm's frameworks do: terraform then asks once per command and
// starts further instances of the provider without asking again, so a
// plugin process converts only the types it is asked to plan.
func (s *Server) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	if s.broken != nil {
		return &tfprotov5.GetProviderSchemaResponse{Diagnostics: s.broken}, nil
	}
	all, err := s.schemas.all()
	if err != nil {
		return &tfprotov5.GetProviderSchemaResponse{Diagnostics: standinDiag("%v", err)}, nil
	}
	return &tfprotov5.GetProviderSchemaResponse{
		ServerCapabilities: capabilities,
		Provider:           all.Provider,
		ResourceSchemas:    all.Resources,
		DataSourceSchemas:  all.DataSources,
	}, nil
}

func (s *Server) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{}, nil
}

// PrepareProviderConfig accepts what terraform core has checked against
// the provider schema (the stand-in needs no credentials), except a
// missing features block: azurerm requires exactly one with a validator
// the schema does not show, and users meet that error first.
func (s *Server) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	resp := &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}
	if s.broken != nil {
		resp.Diagnostics = s.broken
		return resp, nil
	}
	config, err := unmarshal(req.Config, s.schemas.provider.ValueType())
	if err != nil {
		resp.Diagnostics = standinDiag("reading the provider configuration: %v", err)
		return resp, nil
	}
	var attrs map[string]tftypes.Value
	var features []tftypes.Value
	if config.IsKnown() && !config.IsNull() && config.As(&attrs) == nil &&
		attrs["features"].IsKnown() && attrs["features"].As(&features) == nil && len(features) != 1 {
		// azurerm's own words (terraform-plugin-framework's list validator).
		resp.Diagnostics = []*tfprotov5.Diagnostic{{
			Severity:  tfprotov5.DiagnosticSeverityError,
			Summary:   "Invalid Attribute Value",
			Detail:    fmt.Sprintf("Attribute features list must contain at least 1 elements and at most 1 elements, got: %d", len(features)),
			Attribute: tftypes.NewAttributePath().WithAttributeName("features"),
		}}
	}
	return resp, nil
}

func (s *Server) ConfigureProvider(context.Context, *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	return &tfprotov5.ConfigureProviderResponse{}, nil
}

func (s *Server) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

// ValidateResourceTypeConfig accepts: the types and required attributes
// are core's to check against the served schema; azurerm's value
// validators are not reproduced.
func (s *Server) ValidateResourceTypeConfig(_ context.Context, req *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	_, diags := s.resource(req.TypeName)
	return &tfprotov5.ValidateResourceTypeConfigResponse{Diagnostics: diags}, nil
}

// UpgradeResourceState passes the stored JSON through: the stand-in has
// one schema version per resource, the one it wrote.
func (s *Server) UpgradeResourceState(_ context.Context, req *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	r, diags := s.resource(req.TypeName)
	if diags != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: diags}, nil
	}
	if req.RawState == nil || req.RawState.JSON == nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: standinDiag("%s: the state is not JSON (a flatmap state from Terraform 0.11 is not supported)", req.TypeName)}, nil
	}
	typ := r.ValueType()
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov5.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: standinDiag("%s: reading the stored state: %v", req.TypeName, err)}, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, v)
	if err != nil {
		return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	return &tfprotov5.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

// ReadResource returns the state as it is: there is no Azure to ask.
func (s *Server) ReadResource(_ context.Context, req *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (s *Server) PlanResourceChange(_ context.Context, req *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	r, diags := s.resource(req.TypeName)
	if diags != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: diags}, nil
	}
	typ := r.ValueType()
	proposed, err := unmarshal(req.ProposedNewState, typ)
	if err != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: standinDiag("%s: reading the proposed new state: %v", req.TypeName, err)}, nil
	}
	prior, err := unmarshal(req.PriorState, typ)
	if err != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: standinDiag("%s: reading the prior state: %v", req.TypeName, err)}, nil
	}
	planned, err := planBlock(r.Block, proposed, prior, defaults[req.TypeName], "")
	if err != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: standinDiag("%s: planning: %v", req.TypeName, err)}, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, planned)
	if err != nil {
		return &tfprotov5.PlanResourceChangeResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	return &tfprotov5.PlanResourceChangeResponse{
		PlannedState: &dv, PlannedPrivate: req.PriorPrivate,
		// As azurerm (SDKv2) does: it lets azurerm's defaults stand where
		// the configuration is null, which terraform's strict check of a
		// plan against the configuration would refuse.
		UnsafeToUseLegacyTypeSystem: true, //nolint:staticcheck // the stand-in plays an SDKv2 provider
	}, nil
}

func (s *Server) ApplyResourceChange(_ context.Context, req *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	r, diags := s.resource(req.TypeName)
	if diags != nil {
		return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: diags}, nil
	}
	typ := r.ValueType()
	planned, err := unmarshal(req.PlannedState, typ)
	if err != nil {
		return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: standinDiag("%s: reading the planned state: %v", req.TypeName, err)}, nil
	}
	newState := planned // a destroy plans null, and null it stays
	if !planned.IsNull() {
		if newState, err = fillUnknowns(req.TypeName, r.Block, planned); err != nil {
			return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: standinDiag("%s: applying: %v", req.TypeName, err)}, nil
		}
	}
	dv, err := tfprotov5.NewDynamicValue(typ, newState)
	if err != nil {
		return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	return &tfprotov5.ApplyResourceChangeResponse{
		NewState: &dv, Private: req.PlannedPrivate,
		UnsafeToUseLegacyTypeSystem: true, //nolint:staticcheck // as in PlanResourceChange
	}, nil
}

func (s *Server) ImportResourceState(_ context.Context, req *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: standinDiag(
		"cannot import %s %q: this is a test-only stand-in for azurerm that talks to no Azure API, so there is nothing to import; declare the resource in the configuration instead", req.TypeName, req.ID)}, nil
}

func (s *Server) MoveResourceState(_ context.Context, req *tfprotov5.MoveResourceStateRequest) (*tfprotov5.MoveResourceStateResponse, error) {
	return &tfprotov5.MoveResourceStateResponse{Diagnostics: standinDiag("moving state from %s to %s is not supported", req.SourceTypeName, req.TargetTypeName)}, nil
}

func (s *Server) UpgradeResourceIdentity(_ context.Context, req *tfprotov5.UpgradeResourceIdentityRequest) (*tfprotov5.UpgradeResourceIdentityResponse, error) {
	return &tfprotov5.UpgradeResourceIdentityResponse{Diagnostics: standinDiag("%s: resource identities are not served", req.TypeName)}, nil
}

func (s *Server) GenerateResourceConfig(_ context.Context, req *tfprotov5.GenerateResourceConfigRequest) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{Diagnostics: standinDiag("%s: generating configuration is not supported", req.TypeName)}, nil
}

func unmarshal(dv *tfprotov5.DynamicValue, typ tftypes.Type) (tftypes.Value, error) {
	if dv == nil {
		return tftypes.NewValue(typ, nil), nil
	}
	return dv.Unmarshal(typ)
}
