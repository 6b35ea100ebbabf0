package tfplan

import (
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/chaincheck"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// places records where each chain setting of one path is: the resource
// attribute it was read from (the chain's setting names are chaincheck's,
// the same a finding, an input error and an unknown value carry back).
type places map[string]Place

// at records that setting was read from r's attribute attr.
func (ps places) at(setting string, r *Resource, attr string) {
	ps[setting] = Place{Address: r.Address, Attribute: attr}
}

// backend records the backend settings, which no resource holds: each is
// named as sseready_stream_profile names it, with where its value came
// from (or how to give it).
func (ps places) backend(source map[string]string) {
	for _, k := range chaincheck.BackendKeys {
		ps[chaincheck.BackendSetting(k)] = Place{Attribute: k, Source: source[k]}
	}
}

// lookup places a setting: the longest recorded setting it starts with,
// the rest appended to the attribute.
func (ps places) lookup(setting string) Place {
	for s := setting; s != ""; s = parentSetting(s) {
		p, ok := ps[s]
		if !ok {
			continue
		}
		if rest := strings.TrimPrefix(strings.TrimPrefix(setting, s), "."); rest != "" {
			if p.Attribute == "" {
				p.Attribute = rest
			} else {
				p.Attribute += "." + rest
			}
		}
		return p
	}
	return Place{Attribute: setting}
}

func parentSetting(s string) string {
	i := strings.LastIndexAny(s, ".[")
	if i < 0 {
		return ""
	}
	return s[:i]
}

// place puts a chain finding on the resource attribute its Setting was
// read from. A value not known until apply is reported as check-plan's own
// finding, naming the attribute.
func (ps places) place(f rules.Finding) Finding {
	out := Finding{Finding: f, Setting: f.Setting, At: ps.lookup(f.Setting)}
	if f.Rule == rules.ValueUnknown {
		u := rules.MustLookup(rules.ValueUnknown).Finding(0, 0, f.Element, "%s is not known until apply: the checks that need it run then", out.At)
		u.Hop, u.Severity, u.Setting = f.Hop, f.Severity, f.Setting
		out.Finding = u
	}
	return out
}

// String writes the place as ADDRESS.attribute; a backend setting, which
// no resource holds, as backend.setting.
func (p Place) String() string {
	switch {
	case p.Address == "" && slices.Contains(chaincheck.BackendKeys, strings.SplitN(p.Attribute, ".", 2)[0]):
		return chaincheck.BackendSetting(p.Attribute)
	case p.Address == "":
		return p.Attribute // a chain setting no resource holds
	case p.Attribute == "":
		return p.Address
	}
	return p.Address + "." + p.Attribute
}
