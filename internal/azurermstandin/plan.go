package azurermstandin

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// planBlock plans one block as an SDKv2 provider such as azurerm does,
// from Terraform's proposed new state: the configuration's values, and for
// computed attributes the configuration leaves null, the prior state's.
// What is still null there is unknown ("known after apply") if computed,
// and azurerm's default if it has one (defaults.go). A null proposed value
// only says "the configuration left it out and there was nothing before",
// so the configuration itself is not needed. prior is the prior state of
// the block (null on create), for the set blocks inside it.
func planBlock(block *tfprotov5.SchemaBlock, proposed, prior tftypes.Value, defaults map[string]tftypes.Value, path string) (tftypes.Value, error) {
	if proposed.IsNull() || !proposed.IsKnown() {
		return proposed, nil
	}
	var attrs map[string]tftypes.Value
	if err := proposed.As(&attrs); err != nil {
		return proposed, fmt.Errorf("%s: %w", orRoot(path), err)
	}
	out := make(map[string]tftypes.Value, len(attrs))
	for k, v := range attrs {
		out[k] = v
	}
	for _, a := range block.Attributes {
		v, ok := attrs[a.Name]
		if !ok || !v.IsNull() {
			continue
		}
		if d, ok := defaults[join(path, a.Name)]; ok && d.Type().Equal(a.Type) {
			out[a.Name] = d
		} else if a.Computed {
			out[a.Name] = tftypes.NewValue(a.Type, tftypes.UnknownValue)
		}
	}
	priorAttrs := map[string]tftypes.Value{}
	if !prior.IsNull() && prior.IsKnown() {
		_ = prior.As(&priorAttrs) // not an object: no prior to match
	}
	for _, b := range block.BlockTypes {
		v, ok := attrs[b.TypeName]
		if !ok {
			continue
		}
		planned, err := planNested(b, v, priorAttrs[b.TypeName], defaults, join(path, b.TypeName))
		if err != nil {
			return proposed, err
		}
		out[b.TypeName] = planned
	}
	return newValue(proposed.Type(), out, path)
}

// planNested plans each instance of a nested block. A list's elements
// and a map's match the prior ones by index and key, as terraform's
// proposed new state does; see matchPrior for a set's.
func planNested(b *tfprotov5.SchemaNestedBlock, v, prior tftypes.Value, defaults map[string]tftypes.Value, path string) (tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return v, nil
	}
	var priorList []tftypes.Value
	priorMap := map[string]tftypes.Value{}
	if prior.IsKnown() && !prior.IsNull() {
		_ = prior.As(&priorList) // a map or an object fails here and is read below
		_ = prior.As(&priorMap)
	}
	switch b.Nesting {
	case tfprotov5.SchemaNestedBlockNestingModeSingle, tfprotov5.SchemaNestedBlockNestingModeGroup:
		return planBlock(b.Block, v, prior, defaults, path)
	case tfprotov5.SchemaNestedBlockNestingModeList, tfprotov5.SchemaNestedBlockNestingModeSet:
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return v, fmt.Errorf("%s: %w", path, err)
		}
		set := b.Nesting == tfprotov5.SchemaNestedBlockNestingModeSet
		for i, e := range elems {
			var p tftypes.Value
			if !set && i < len(priorList) {
				p = priorList[i]
			}
			planned, err := planBlock(b.Block, e, p, defaults, path)
			if err != nil {
				return v, err
			}
			if set {
				planned = matchPrior(planned, priorList)
			}
			elems[i] = planned
		}
		return newValue(v.Type(), elems, path)
	case tfprotov5.SchemaNestedBlockNestingModeMap:
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			return v, fmt.Errorf("%s: %w", path, err)
		}
		for k, e := range elems {
			planned, err := planBlock(b.Block, e, priorMap[k], defaults, path)
			if err != nil {
				return v, err
			}
			elems[k] = planned
		}
		return newValue(v.Type(), elems, path)
	}
	return v, fmt.Errorf("%s: nesting mode %s", path, b.Nesting)
}

// matchPrior keeps a set element's prior value when the planned one
// conforms to it. Terraform pairs a set's elements with the prior ones
// only when their non-computed attributes are equal, and a default the
// configuration leaves out (request_timeout in a backend_http_settings)
// makes them differ: the element would be replaced, its computed
// attributes unknown again, on every plan. azurerm (SDKv2) diffs with the
// defaults applied and plans no change; so does this.
func matchPrior(planned tftypes.Value, prior []tftypes.Value) tftypes.Value {
	for _, p := range prior {
		if conforms(planned, p) {
			return p
		}
	}
	return planned
}

// conforms says whether prior could be what planned becomes on apply:
// equal where planned is known.
func conforms(planned, prior tftypes.Value) bool {
	switch {
	case !planned.IsKnown():
		return true
	case !prior.IsKnown() || planned.IsNull() || prior.IsNull():
		return planned.IsNull() && prior.IsNull() && prior.IsKnown()
	case planned.Type().Is(tftypes.Object{}), planned.Type().Is(tftypes.Map{}):
		var a, b map[string]tftypes.Value
		if planned.As(&a) != nil || prior.As(&b) != nil || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if pv, ok := b[k]; !ok || !conforms(v, pv) {
				return false
			}
		}
		return true
	case planned.Type().Is(tftypes.List{}), planned.Type().Is(tftypes.Tuple{}), planned.Type().Is(tftypes.Set{}):
		var a, b []tftypes.Value
		if planned.As(&a) != nil || prior.As(&b) != nil || len(a) != len(b) {
			return false
		}
		set := planned.Type().Is(tftypes.Set{})
		for i, v := range a {
			if (set && !anyConforms(v, b)) || (!set && !conforms(v, b[i])) {
				return false
			}
		}
		return true
	}
	return planned.Equal(prior)
}

// anyConforms says whether some element of prior conforms to planned.
func anyConforms(planned tftypes.Value, prior []tftypes.Value) bool {
	for _, p := range prior {
		if conforms(planned, p) {
			return true
		}
	}
	return false
}

// fillUnknowns replaces every unknown in a planned value with a
// deterministic stand-in value, as an apply would learn them from Azure:
// the resource's ARM ID for `id`, the parent's ID plus the block and the
// element's name for a nested block's `id`, "standin-<attribute>" for
// other strings, 0, false, and empty collections.
func fillUnknowns(typeName string, planned tftypes.Value) (tftypes.Value, error) {
	id := resourceID(typeName, planned)
	return tftypes.Transform(planned, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		name := lastName(p)
		if name == "id" && v.Type().Is(tftypes.String) {
			return tftypes.NewValue(tftypes.String, nestedID(id, planned, p)), nil
		}
		return standinValue(v.Type(), name), nil
	})
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

// standinValue is a known value of type t for an attribute called name.
func standinValue(t tftypes.Type, name string) tftypes.Value {
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, "standin-"+name)
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, new(big.Float))
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false)
	case t.Is(tftypes.List{}), t.Is(tftypes.Set{}):
		return tftypes.NewValue(t, []tftypes.Value{})
	case t.Is(tftypes.Map{}):
		return tftypes.NewValue(t, map[string]tftypes.Value{})
	case t.Is(tftypes.Tuple{}):
		tuple, _ := t.(tftypes.Tuple)
		elems := make([]tftypes.Value, len(tuple.ElementTypes))
		for i, et := range tuple.ElementTypes {
			elems[i] = standinValue(et, name)
		}
		return tftypes.NewValue(t, elems)
	case t.Is(tftypes.Object{}):
		obj, _ := t.(tftypes.Object)
		attrs := make(map[string]tftypes.Value, len(obj.AttributeTypes))
		for k, at := range obj.AttributeTypes {
			attrs[k] = standinValue(at, k)
		}
		return tftypes.NewValue(t, attrs)
	}
	// DynamicPseudoType: nothing sensible to invent, so null.
	return tftypes.NewValue(t, nil)
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

// newValue builds a value without tftypes.NewValue's panic on a mismatch.
func newValue(t tftypes.Type, v any, path string) (tftypes.Value, error) {
	if err := tftypes.ValidateValue(t, v); err != nil {
		return tftypes.Value{}, fmt.Errorf("%s: %w", orRoot(path), err)
	}
	return tftypes.NewValue(t, v), nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orRoot(path string) string {
	if path == "" {
		return "resource"
	}
	return path
}
