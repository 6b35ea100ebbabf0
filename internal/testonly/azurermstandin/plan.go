package azurermstandin

import (
	"fmt"

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
// proposed new state does; see matchPrior for a set's, and computedBlock
// for a block Azure fills in.
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
		if len(elems) == 0 && computedBlock(b.Block) {
			if len(priorList) > 0 {
				return prior, nil
			}
			return tftypes.NewValue(v.Type(), tftypes.UnknownValue), nil
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

// computedBlock says whether a list or set block is one Azure fills in
// when the configuration leaves it out (SDKv2's Optional and Computed
// block, which the schema shows as a block whose attributes are all
// computed, and which needs nothing: kubelet_identity of
// azurerm_kubernetes_cluster, autoscale_settings of the Cosmos DB
// resources). Left out, it is planned unknown on create, so an apply
// gives it one element (`kubelet_identity[0].object_id`), and its prior
// value is kept on update, as azurerm does.
func computedBlock(b *tfprotov5.SchemaBlock) bool {
	if b == nil || len(b.Attributes) == 0 {
		return false
	}
	for _, a := range b.Attributes {
		if !a.Computed {
			return false
		}
	}
	for _, nb := range b.BlockTypes {
		if nb.MinItems > 0 {
			return false
		}
	}
	return true
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
