package provider

import (
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// chainFromValue reads the chain description, as the sseready_chain_check
// data source's configuration or check_chain's argument gives it: the
// value becomes a plain one and the domain decodes it (chaincheck.Decode,
// which the CLI uses on JSON too). outputs names the data source's
// computed attributes, which stand in its configuration as nulls.
func chainFromValue(v tftypes.Value, outputs ...string) (chaincheck.Chain, []*input.Error) {
	return chaincheck.Decode(plainValue(v), outputs...)
}

// plainValue converts a Terraform value into a plain value (package
// plain): null becomes nil, unknown plain.Unknown, numbers *big.Float so
// no precision is lost, objects and maps map[string]any, lists, sets and
// tuples []any.
func plainValue(v tftypes.Value) any {
	switch {
	case v.Type() == nil || (v.IsKnown() && v.IsNull()):
		return nil
	case !v.IsKnown():
		return plain.Unknown
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case t.Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case t.Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return &f
	case t.Is(tftypes.Object{}), t.Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = plainValue(e)
		}
		return out
	default: // list, set, tuple
		var items []tftypes.Value
		_ = v.As(&items)
		out := make([]any, len(items))
		for i, e := range items {
			out[i] = plainValue(e)
		}
		return out
	}
}
