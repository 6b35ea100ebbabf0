package azurermstandin

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func unknown(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }

func list(elem tftypes.Type, elems ...tftypes.Value) tftypes.Value {
	return tftypes.NewValue(tftypes.List{ElementType: elem}, elems)
}

// TestFillUnknowns gives every kind of unknown a known stand-in value,
// and every unknown list or set one element a configuration can index.
func TestFillUnknowns(t *testing.T) {
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.Number, "b": tftypes.List{ElementType: tftypes.String}}}
	kube := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"host": tftypes.String, "id": tftypes.String, "port": tftypes.Number}}
	block := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String, "name": tftypes.String}}
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "name": tftypes.String, "resource_group_name": tftypes.String, "gateway_url": tftypes.String,
		"port": tftypes.Number, "enabled": tftypes.Bool, "tags": tftypes.Map{ElementType: tftypes.String},
		"ips": tftypes.Set{ElementType: tftypes.String}, "o": obj, "d": tftypes.DynamicPseudoType,
		"pair":                tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Bool}},
		"block":               tftypes.List{ElementType: block},
		"kube_config":         tftypes.List{ElementType: kube},
		"private_ip_address":  tftypes.String,
		"public_ip_addresses": tftypes.List{ElementType: tftypes.String},
		"zones":               tftypes.Set{ElementType: tftypes.Number},
	}}
	planned := tftypes.NewValue(typ, map[string]tftypes.Value{
		"id": unknown(tftypes.String), "name": str("svc"), "resource_group_name": str("rg"), "gateway_url": unknown(tftypes.String),
		"port": unknown(tftypes.Number), "enabled": unknown(tftypes.Bool), "tags": unknown(typ.AttributeTypes["tags"]),
		"ips": unknown(typ.AttributeTypes["ips"]), "o": unknown(obj), "d": unknown(tftypes.DynamicPseudoType),
		"pair":                unknown(typ.AttributeTypes["pair"]),
		"block":               list(block, tftypes.NewValue(block, map[string]tftypes.Value{"id": unknown(tftypes.String), "name": str("chat")})),
		"kube_config":         unknown(typ.AttributeTypes["kube_config"]),
		"private_ip_address":  unknown(tftypes.String),
		"public_ip_addresses": unknown(typ.AttributeTypes["public_ip_addresses"]),
		"zones":               unknown(typ.AttributeTypes["zones"]),
	})
	got, err := fillUnknowns("azurerm_api_management", nil, planned)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsFullyKnown() {
		t.Fatalf("unknowns left: %v", got)
	}
	var attrs map[string]tftypes.Value
	_ = got.As(&attrs)
	id := "/subscriptions/" + SubscriptionID + "/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc"
	for name, want := range map[string]tftypes.Value{
		"id": str(id), "gateway_url": str("standin-gateway_url"), "enabled": tftypes.NewValue(tftypes.Bool, false),
		"port": tftypes.NewValue(tftypes.Number, 0), "tags": tftypes.NewValue(typ.AttributeTypes["tags"], map[string]tftypes.Value{}),
		"d": tftypes.NewValue(tftypes.DynamicPseudoType, nil),
		// Named for IP addresses: a private IP, one in a collection.
		"ips":                 tftypes.NewValue(typ.AttributeTypes["ips"], []tftypes.Value{str("10.0.0.4")}),
		"private_ip_address":  str("10.0.0.4"),
		"public_ip_addresses": list(tftypes.String, str("10.0.0.4")),
		"zones":               tftypes.NewValue(typ.AttributeTypes["zones"], []tftypes.Value{tftypes.NewValue(tftypes.Number, 0)}),
		"pair":                tftypes.NewValue(typ.AttributeTypes["pair"], []tftypes.Value{str("standin-pair"), tftypes.NewValue(tftypes.Bool, false)}),
		"o": tftypes.NewValue(obj, map[string]tftypes.Value{
			"a": tftypes.NewValue(tftypes.Number, 0), "b": list(tftypes.String, str("standin-b")),
		}),
		// One element, its attributes filled by their own names; a
		// nested id is the resource's and the element's.
		"kube_config": list(kube, tftypes.NewValue(kube, map[string]tftypes.Value{
			"host": str("standin-host"), "id": str(id + "/kube_config/standin-name"), "port": tftypes.NewValue(tftypes.Number, 0),
		})),
		"block": list(block, tftypes.NewValue(block, map[string]tftypes.Value{"id": str(id + "/block/chat"), "name": str("chat")})),
	} {
		if !attrs[name].Equal(want) {
			t.Errorf("%s = %v, want %v", name, attrs[name], want)
		}
	}
}

func TestIPNamed(t *testing.T) {
	for name, want := range map[string]bool{
		"ip": true, "ip_address": true, "ip_addresses": true, "private_ip_address": true,
		"private_ip_addresses": true, "public_ip_addresses": true, "outbound_ip_address_list": true,
		"possible_outbound_ip_addresses": true, "next_hop_in_ip_address": true, "dns_service_ip": true,
		"virtual_router_ips": true, "external_ip": true,
		"ip_address_range": false, "private_ip_address_allocation": false, "private_ip_address_version": false,
		"public_ip_address_id": false, "address_prefixes": false, "mac_address": false, "gateway_address": false,
		"ip_forwarding_enabled": false, "backup_ip_id": false, "list": false, "vip_ods": false, "zip": false,
	} {
		if got := ipNamed(name); got != want {
			t.Errorf("ipNamed(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestReadDataSource: a data source answers with its configuration, the
// fixed values of the subscription, and stand-in values for the rest,
// nested lists holding one element.
func TestReadDataSource(t *testing.T) {
	ctx := context.Background()
	s := New()
	read := func(name string, attrs map[string]tftypes.Value) map[string]tftypes.Value {
		t.Helper()
		d, diags := s.dataSource(name)
		if diags != nil {
			t.Fatal(diags[0].Detail)
		}
		typ := d.ValueType()
		resp, _ := s.ReadDataSource(ctx, &tfprotov5.ReadDataSourceRequest{TypeName: name, Config: dynamic(t, typ, object(t, typ, attrs))})
		if resp.Diagnostics != nil {
			t.Fatalf("%s: %s", name, resp.Diagnostics[0].Detail)
		}
		return attrsOf(t, resp.State, typ)
	}
	aks := read("azurerm_kubernetes_cluster", map[string]tftypes.Value{"name": str("aks"), "resource_group_name": str("rg")})
	host, _, err := tftypes.WalkAttributePath(aks["kube_config"], tftypes.NewAttributePath().WithElementKeyInt(0).WithAttributeName("host"))
	if v, ok := host.(tftypes.Value); err != nil || !ok || !v.Equal(str("standin-host")) {
		t.Errorf("kube_config[0].host = %v (%v)", host, err)
	}
	if !aks["name"].Equal(str("aks")) || !aks["fqdn"].Equal(str("standin-fqdn")) {
		t.Errorf("name %v, fqdn %v", aks["name"], aks["fqdn"])
	}
	sub := read("azurerm_subscription", nil)
	if !sub["id"].Equal(str("/subscriptions/"+SubscriptionID)) || !sub["tenant_id"].Equal(str(SubscriptionID)) {
		t.Errorf("subscription id %v, tenant_id %v", sub["id"], sub["tenant_id"])
	}
	// version is optional and not computed: left null, it stays null.
	kv := read("azurerm_key_vault_secret", map[string]tftypes.Value{"name": str("s"), "key_vault_id": str("/kv")})
	if !kv["value"].Equal(str("standin-value")) || !kv["version"].IsNull() {
		t.Errorf("secret value %v, version %v", kv["value"], kv["version"])
	}
}

// TestComputedBlock: a block whose attributes are all computed, left out
// of the configuration, is unknown on create, so an apply gives it one
// element, and keeps that element on update; a block with a required or
// optional attribute stays as configured.
func TestComputedBlock(t *testing.T) {
	elem := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"object_id": tftypes.String}}
	identity := tftypes.List{ElementType: elem}
	computed := &tfprotov5.SchemaBlock{Attributes: []*tfprotov5.SchemaAttribute{{Name: "object_id", Type: tftypes.String, Optional: true, Computed: true}}}
	optional := &tfprotov5.SchemaBlock{Attributes: []*tfprotov5.SchemaAttribute{{Name: "object_id", Type: tftypes.String, Optional: true}}}
	for _, c := range []struct {
		block       *tfprotov5.SchemaBlock
		prior, want tftypes.Value
	}{
		{computed, tftypes.NewValue(identity, nil), unknown(identity)},
		{computed, list(elem, tftypes.NewValue(elem, map[string]tftypes.Value{"object_id": str("x")})), list(elem, tftypes.NewValue(elem, map[string]tftypes.Value{"object_id": str("x")}))},
		{optional, tftypes.NewValue(identity, nil), list(elem)},
	} {
		block := &tfprotov5.SchemaBlock{BlockTypes: []*tfprotov5.SchemaNestedBlock{{TypeName: "kubelet_identity", Nesting: tfprotov5.SchemaNestedBlockNestingModeList, Block: c.block}}}
		typ := block.ValueType()
		prior := tftypes.NewValue(typ, map[string]tftypes.Value{"kubelet_identity": c.prior})
		if c.prior.IsNull() {
			prior = tftypes.NewValue(typ, nil)
		}
		planned, err := planBlock(block, tftypes.NewValue(typ, map[string]tftypes.Value{"kubelet_identity": list(elem)}), prior, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := tftypes.NewValue(typ, map[string]tftypes.Value{"kubelet_identity": c.want}); !planned.Equal(want) {
			t.Errorf("prior %v: planned %v, want %v", c.prior, planned, want)
		}
	}
	// The apply: one element, filled.
	applied, err := fillUnknowns("azurerm_kubernetes_cluster", nil, tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"kubelet_identity": identity}},
		map[string]tftypes.Value{"kubelet_identity": unknown(identity)}))
	var attrs map[string]tftypes.Value
	if err != nil || applied.As(&attrs) != nil || !attrs["kubelet_identity"].Equal(list(elem, tftypes.NewValue(elem, map[string]tftypes.Value{"object_id": str("standin-object_id")}))) {
		t.Errorf("applied %v (%v)", applied, err)
	}
}

// TestFillUnknownsOptional: an optional attribute the configuration left
// out is empty after apply, as azurerm leaves a setting nobody set; a
// computed-only one holds one element, in nested blocks too.
func TestFillUnknownsOptional(t *testing.T) {
	strs := tftypes.List{ElementType: tftypes.String}
	subnet := tftypes.Set{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"name": tftypes.String}}}
	attrs := []*tfprotov5.SchemaAttribute{
		{Name: "dns_servers", Type: strs, Optional: true, Computed: true},
		{Name: "subnet", Type: subnet, Optional: true, Computed: true},
		{Name: "private_ip_addresses", Type: strs, Computed: true},
	}
	block := &tfprotov5.SchemaBlock{Attributes: attrs, BlockTypes: []*tfprotov5.SchemaNestedBlock{
		{TypeName: "ip_configuration", Nesting: tfprotov5.SchemaNestedBlockNestingModeList, Block: &tfprotov5.SchemaBlock{Attributes: attrs}},
	}}
	typ := block.ValueType()
	obj, _ := typ.(tftypes.Object)
	ipConfigs, _ := obj.AttributeTypes["ip_configuration"].(tftypes.List)
	ipConfig := ipConfigs.ElementType
	allUnknown := map[string]tftypes.Value{"dns_servers": unknown(strs), "subnet": unknown(subnet), "private_ip_addresses": unknown(strs)}
	planned := map[string]tftypes.Value{"ip_configuration": list(ipConfig, tftypes.NewValue(ipConfig, allUnknown))}
	for k, v := range allUnknown {
		planned[k] = v
	}
	got, err := fillUnknowns("azurerm_virtual_network", block, tftypes.NewValue(typ, planned))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]tftypes.Value{
		"dns_servers": list(tftypes.String), "subnet": tftypes.NewValue(subnet, []tftypes.Value{}),
		"private_ip_addresses": list(tftypes.String, str("10.0.0.4")),
	}
	wantTop := map[string]tftypes.Value{"ip_configuration": list(ipConfig, tftypes.NewValue(ipConfig, want))}
	for k, v := range want {
		wantTop[k] = v
	}
	if w := tftypes.NewValue(typ, wantTop); !got.Equal(w) {
		t.Errorf("got  %v\nwant %v", got, w)
	}
}
