package azurermstandin

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// dataSourceValues are the fixed answers of data sources, by attribute:
// azurerm_client_config is how configurations learn their tenant and
// subscription. Every other computed attribute gets a stand-in value.
var dataSourceValues = map[string]map[string]string{
	"azurerm_client_config": {
		"id":              "clientConfigs/clientId=" + SubscriptionID + ";objectId=" + SubscriptionID + ";subscriptionId=" + SubscriptionID + ";tenantId=" + SubscriptionID,
		"client_id":       SubscriptionID,
		"object_id":       SubscriptionID,
		"subscription_id": SubscriptionID,
		"tenant_id":       SubscriptionID,
	},
}

func (s *Server) dataSource(name string) (*tfprotov5.Schema, []*tfprotov5.Diagnostic) {
	if s.broken != nil {
		return nil, s.broken
	}
	d, ok, err := s.schemas.dataSources.get(name)
	switch {
	case err != nil:
		return nil, standinDiag("%v", err)
	case !ok:
		return nil, standinDiag("azurerm has no data source %s", name)
	}
	return d, nil
}

func (s *Server) ValidateDataSourceConfig(_ context.Context, req *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	_, diags := s.dataSource(req.TypeName)
	return &tfprotov5.ValidateDataSourceConfigResponse{Diagnostics: diags}, nil
}

// ReadDataSource answers with the configuration, its computed top-level
// attributes set: the fixed values above, else stand-in values.
func (s *Server) ReadDataSource(_ context.Context, req *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	d, diags := s.dataSource(req.TypeName)
	if diags != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: diags}, nil
	}
	typ := d.ValueType()
	config, err := unmarshal(req.Config, typ)
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: reading the configuration: %v", req.TypeName, err)}, nil
	}
	attrs := map[string]tftypes.Value{}
	if !config.IsNull() && config.IsKnown() {
		if err := config.As(&attrs); err != nil {
			return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
		}
	}
	for _, a := range d.Block.Attributes {
		if v, ok := attrs[a.Name]; ok && !v.IsNull() && v.IsKnown() {
			continue
		}
		switch fixed, ok := dataSourceValues[req.TypeName][a.Name]; {
		case ok && a.Type.Is(tftypes.String):
			attrs[a.Name] = tftypes.NewValue(tftypes.String, fixed)
		case a.Computed:
			attrs[a.Name] = standinValue(a.Type, a.Name)
		default:
			attrs[a.Name] = tftypes.NewValue(a.Type, nil)
		}
	}
	for _, b := range d.Block.BlockTypes {
		if _, ok := attrs[b.TypeName]; !ok {
			attrs[b.TypeName] = tftypes.NewValue(b.ValueType(), nil)
		}
	}
	state, err := newValue(typ, attrs, "")
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	// Nested blocks may still hold unknowns from the configuration.
	if state, err = fillUnknowns(req.TypeName, state); err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, state)
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	return &tfprotov5.ReadDataSourceResponse{State: &dv}, nil
}

// The stand-in serves no functions and no ephemeral resources: the
// configurations sseready checks do not need them.

func (s *Server) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{}, nil
}

func (s *Server) CallFunction(_ context.Context, req *tfprotov5.CallFunctionRequest) (*tfprotov5.CallFunctionResponse, error) {
	return &tfprotov5.CallFunctionResponse{Error: &tfprotov5.FunctionError{Text: "azurerm stand-in (test only): no function " + req.Name}}, nil
}

func (s *Server) ValidateEphemeralResourceConfig(_ context.Context, req *tfprotov5.ValidateEphemeralResourceConfigRequest) (*tfprotov5.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov5.ValidateEphemeralResourceConfigResponse{Diagnostics: standinDiag("no ephemeral resource %s", req.TypeName)}, nil
}

func (s *Server) OpenEphemeralResource(_ context.Context, req *tfprotov5.OpenEphemeralResourceRequest) (*tfprotov5.OpenEphemeralResourceResponse, error) {
	return &tfprotov5.OpenEphemeralResourceResponse{Diagnostics: standinDiag("no ephemeral resource %s", req.TypeName)}, nil
}

func (s *Server) RenewEphemeralResource(_ context.Context, req *tfprotov5.RenewEphemeralResourceRequest) (*tfprotov5.RenewEphemeralResourceResponse, error) {
	return &tfprotov5.RenewEphemeralResourceResponse{Diagnostics: standinDiag("no ephemeral resource %s", req.TypeName)}, nil
}

func (s *Server) CloseEphemeralResource(_ context.Context, req *tfprotov5.CloseEphemeralResourceRequest) (*tfprotov5.CloseEphemeralResourceResponse, error) {
	return &tfprotov5.CloseEphemeralResourceResponse{Diagnostics: standinDiag("no ephemeral resource %s", req.TypeName)}, nil
}
