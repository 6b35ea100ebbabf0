package azurermstandin

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// dataSourceValues are the fixed answers of data sources, by attribute:
// azurerm_client_config and azurerm_subscription are how configurations
// learn their tenant and subscription. Every other computed attribute
// gets a stand-in value, as on apply (fillUnknowns).
var dataSourceValues = map[string]map[string]string{
	"azurerm_client_config": {
		"id":              "clientConfigs/clientId=" + SubscriptionID + ";objectId=" + SubscriptionID + ";subscriptionId=" + SubscriptionID + ";tenantId=" + SubscriptionID,
		"client_id":       SubscriptionID,
		"object_id":       SubscriptionID,
		"subscription_id": SubscriptionID,
		"tenant_id":       SubscriptionID,
	},
	"azurerm_subscription": {
		"id":              "/subscriptions/" + SubscriptionID,
		"subscription_id": SubscriptionID,
		"tenant_id":       SubscriptionID,
		"state":           "Enabled",
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

// ReadDataSource answers with the configuration, every computed
// attribute it leaves null set, in nested blocks too: the fixed values
// above, else the stand-in values an apply gives (fillUnknowns), so
// `data.azurerm_kubernetes_cluster.x.kube_config[0].host` can be read.
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
	if config.IsNull() {
		config = nullAttributes(typ)
	}
	// Planned as a create: what is computed and null becomes unknown.
	planned, err := planBlock(d.Block, config, tftypes.NewValue(typ, nil), nil, "")
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	attrs := map[string]tftypes.Value{}
	if err := planned.As(&attrs); err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	for name, fixed := range dataSourceValues[req.TypeName] {
		if v, ok := attrs[name]; ok && !v.IsKnown() && v.Type().Is(tftypes.String) {
			attrs[name] = tftypes.NewValue(tftypes.String, fixed)
		}
	}
	state, err := newValue(typ, attrs, "")
	if err == nil {
		state, err = fillUnknowns(req.TypeName, d.Block, state)
	}
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, state)
	if err != nil {
		return &tfprotov5.ReadDataSourceResponse{Diagnostics: standinDiag("%s: %v", req.TypeName, err)}, nil
	}
	return &tfprotov5.ReadDataSourceResponse{State: &dv}, nil
}

// nullAttributes is an object of type typ with every attribute null.
func nullAttributes(typ tftypes.Type) tftypes.Value {
	obj, ok := typ.(tftypes.Object)
	if !ok {
		return tftypes.NewValue(typ, nil)
	}
	attrs := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	return tftypes.NewValue(typ, attrs)
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
