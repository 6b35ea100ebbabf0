package azurermstandin

import (
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// standinIP is what an attribute named for IP addresses gets on apply:
// the first address Azure hands out in a 10.0.0.0/24 subnet (it keeps .0
// to .3), so a configuration that feeds it to another resource (a DNS
// record, a firewall rule, a load balancer's backend) gets a valid one.
const standinIP = "10.0.0.4"

// fillUnknowns replaces every unknown in a planned value of a block
// (block may be nil: no attribute is optional) with a deterministic
// stand-in value, as an apply would learn them from Azure, in two passes.
// First an unknown list or set becomes one element, of unknown parts, so
// a configuration can index it (`private_ip_addresses[0]`,
// `kube_config[0].host`), unless it is an optional attribute the
// configuration left out: that stays empty, as azurerm leaves a setting
// nobody set (a virtual network's dns_servers and inline subnets, a key
// vault's access policies). An unknown object or tuple becomes one of
// unknown parts; an unknown map becomes empty. Then each unknown part
// gets a value by its attribute's name (see leafValue): the resource's ARM
// ID for `id`, the parent's ID plus the block and the element's name for a
// nested `id`.
func fillUnknowns(typeName string, block *tfprotov5.SchemaBlock, planned tftypes.Value) (tftypes.Value, error) {
	shaped, err := tftypes.Transform(planned, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		if a := schemaAttribute(block, p); a != nil && a.Optional {
			switch {
			case v.Type().Is(tftypes.List{}), v.Type().Is(tftypes.Set{}):
				return tftypes.NewValue(v.Type(), []tftypes.Value{}), nil
			case v.Type().Is(tftypes.Map{}):
				return tftypes.NewValue(v.Type(), map[string]tftypes.Value{}), nil
			}
		}
		return unknownShape(v.Type()), nil
	})
	if err != nil {
		return planned, err
	}
	id := resourceID(typeName, shaped)
	return tftypes.Transform(shaped, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		name := lastName(p)
		if name == "id" && v.Type().Is(tftypes.String) {
			return tftypes.NewValue(tftypes.String, nestedID(id, shaped, p)), nil
		}
		return leafValue(v.Type(), name), nil
	})
}

// schemaAttribute is the attribute of block that p leads to, through
// nested blocks and their elements, or nil if p leads elsewhere (to a
// block, or inside an attribute's value).
func schemaAttribute(block *tfprotov5.SchemaBlock, p *tftypes.AttributePath) *tfprotov5.SchemaAttribute {
	steps := p.Steps()
	for i := 0; i < len(steps) && block != nil; i++ {
		name, ok := steps[i].(tftypes.AttributeName)
		if !ok {
			return nil
		}
		for _, a := range block.Attributes {
			if a.Name == string(name) && i == len(steps)-1 {
				return a
			}
		}
		var next *tfprotov5.SchemaBlock
		for _, nb := range block.BlockTypes {
			if nb.TypeName == string(name) {
				next = nb.Block
				switch nb.Nesting {
				case tfprotov5.SchemaNestedBlockNestingModeList, tfprotov5.SchemaNestedBlockNestingModeSet, tfprotov5.SchemaNestedBlockNestingModeMap:
					i++ // the element's key
				}
			}
		}
		block = next
	}
	return nil
}

// unknownShape is a value of type t whose collections hold one element
// (maps none) and whose primitives are unknown.
func unknownShape(t tftypes.Type) tftypes.Value {
	switch tt := t.(type) {
	case tftypes.List:
		return tftypes.NewValue(t, []tftypes.Value{unknownShape(tt.ElementType)})
	case tftypes.Set:
		return tftypes.NewValue(t, []tftypes.Value{unknownShape(tt.ElementType)})
	case tftypes.Map:
		return tftypes.NewValue(t, map[string]tftypes.Value{})
	case tftypes.Tuple:
		elems := make([]tftypes.Value, len(tt.ElementTypes))
		for i, et := range tt.ElementTypes {
			elems[i] = unknownShape(et)
		}
		return tftypes.NewValue(t, elems)
	case tftypes.Object:
		attrs := make(map[string]tftypes.Value, len(tt.AttributeTypes))
		for k, at := range tt.AttributeTypes {
			attrs[k] = unknownShape(at)
		}
		return tftypes.NewValue(t, attrs)
	}
	return tftypes.NewValue(t, tftypes.UnknownValue)
}

// leafValue is a known value of the primitive type t for an attribute
// called name (for a collection's element, the collection's name): a
// plausible private IP for a string named for IP addresses (ipNamed),
// "standin-<name>" for other strings, 0, false, and null for a dynamic
// value, where nothing sensible can be invented.
func leafValue(t tftypes.Type, name string) tftypes.Value {
	switch {
	case t.Is(tftypes.String) && ipNamed(name):
		return tftypes.NewValue(t, standinIP)
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, "standin-"+name)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, new(big.Float))
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false)
	}
	return tftypes.NewValue(t, nil)
}

// ipNamed says whether an attribute's name says it holds IP addresses, as
// azurerm names them: ip, ips, ..._ip, ..._ips, ..._ip_address,
// ..._ip_addresses and the same with _list (private_ip_address,
// public_ip_addresses, outbound_ip_address_list, dns_service_ip). Names
// that only mention IPs (ip_address_allocation, public_ip_address_id,
// address_prefixes) do not.
func ipNamed(name string) bool {
	words := strings.Split(name, "_")
	if words[len(words)-1] == "list" {
		words = words[:len(words)-1]
	}
	switch n := len(words); {
	case n == 0:
		return false
	case words[n-1] == "ip", words[n-1] == "ips":
		return true
	case words[n-1] == "address", words[n-1] == "addresses":
		return n >= 2 && words[n-2] == "ip"
	}
	return false
}

// nestedID is the ID of the object that holds the `id` at p: the
// resource's own, or for a nested block's element the resource's ID, the
// block's name and the element's `name` (as Azure names sub-resources).
func nestedID(id string, planned tftypes.Value, p *tftypes.AttributePath) string {
	steps := p.Steps()
	if len(steps) <= 1 {
		return id
	}
	parts := []string{id}
	for _, s := range steps[:len(steps)-1] {
		if n, ok := s.(tftypes.AttributeName); ok {
			parts = append(parts, string(n))
		}
	}
	name := "standin-name"
	if holder, _, err := tftypes.WalkAttributePath(planned, p.WithoutLastStep()); err == nil {
		if obj, ok := holder.(tftypes.Value); ok {
			var attrs map[string]tftypes.Value
			var s string
			if obj.As(&attrs) == nil && attrs["name"].IsKnown() && attrs["name"].As(&s) == nil && s != "" {
				name = s
			}
		}
	}
	return strings.Join(append(parts, name), "/")
}

func lastName(p *tftypes.AttributePath) string {
	steps := p.Steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if n, ok := steps[i].(tftypes.AttributeName); ok {
			return string(n)
		}
	}
	return "value"
}
