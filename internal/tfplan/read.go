package tfplan

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// Kind says what a `terraform show -json` output holds.
type Kind string

const (
	// KindPlan is a saved plan's: planned values, with what is not known
	// until apply marked unknown.
	KindPlan Kind = "plan"
	// KindState is a state's: every value known.
	KindState Kind = "state"
)

// Plan is what check-plan reads of `terraform show -json`: the managed
// resources that will exist after apply, their values (plain values,
// plain.Unknown where the plan does not know one yet), and the
// configuration's references between them.
type Plan struct {
	Kind Kind
	// Resources are the managed resource instances, in the order of the
	// file; resources the plan destroys are left out.
	Resources []*Resource
	// Destroyed counts the resources the plan destroys.
	Destroyed int

	byAddress map[string]*Resource
	// byConfig holds the instances of each resource block, by module
	// instance and "type.name".
	byConfig map[string][]*Resource
	root     *configModule
}

// Resource is one managed resource instance.
type Resource struct {
	// Address is the instance's full address
	// ("module.chat.azurerm_api_management_api.chat[0]").
	Address string
	// Module is the address of the module instance that holds it ("" for
	// the root module), Type and Name its resource type and name.
	Module, Type, Name string
	// Key is the count index or for_each key; nil without either.
	Key any
	// Values are its attributes after apply, as plain values: Unknown
	// where the plan does not know a value yet.
	Values map[string]any

	conf *configResource
	mod  *configModule
}

// Read reads `terraform show -json` of a saved plan or of a state.
func Read(data []byte) (*Plan, error) {
	v, err := plain.FromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: check-plan reads the JSON of `terraform show -json PLANFILE` or of `terraform show -json`", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not the output of `terraform show -json`: the file must hold a JSON object")
	}
	p := &Plan{byAddress: map[string]*Resource{}, byConfig: map[string][]*Resource{}}
	switch {
	case doc["planned_values"] != nil || doc["resource_changes"] != nil:
		p.Kind = KindPlan
		err = p.readPlan(doc)
	case doc["values"] != nil || (doc["format_version"] != nil && doc["terraform_version"] != nil):
		// A state with no resources has no "values" at all.
		p.Kind = KindState
		err = p.readModule(doc["values"], "values")
	default:
		return nil, errors.New("not the output of `terraform show -json`: it has neither planned_values nor resource_changes (a plan) nor values (a state); write it with `terraform show -json PLANFILE` or `terraform show -json`")
	}
	if err != nil {
		return nil, err
	}
	if conf, ok := doc["configuration"].(map[string]any); ok {
		p.root = readConfigModule(conf["root_module"], nil)
		for _, r := range p.Resources {
			r.mod = p.root.find(configPath(r.Module))
			if r.mod != nil {
				r.conf = r.mod.resources[r.Type+"."+r.Name]
			}
		}
	}
	return p, nil
}

func (p *Plan) add(r *Resource) {
	p.Resources = append(p.Resources, r)
	p.byAddress[r.Address] = r
	k := r.Module + " " + r.Type + "." + r.Name
	p.byConfig[k] = append(p.byConfig[k], r)
}

// readPlan reads the resources of resource_changes, each with the values
// it has after apply; a plan without changes (older formats) is read from
// planned_values.
func (p *Plan) readPlan(doc map[string]any) error {
	changes, ok := doc["resource_changes"].([]any)
	if !ok {
		if doc["resource_changes"] != nil {
			return errors.New("resource_changes must be a list")
		}
		return p.readModule(doc["planned_values"], "planned_values")
	}
	for i, c := range changes {
		rc, ok := c.(map[string]any)
		if !ok {
			return fmt.Errorf("resource_changes[%d] must be an object", i)
		}
		if rc["mode"] != "managed" || rc["deposed"] != nil {
			continue
		}
		ch, _ := rc["change"].(map[string]any)
		actions, _ := ch["actions"].([]any)
		if slices.Equal(actions, []any{"delete"}) || slices.Equal(actions, []any{"forget"}) {
			p.Destroyed++
			continue
		}
		r, err := resourceOf(rc, fmt.Sprintf("resource_changes[%d]", i))
		if err != nil {
			return err
		}
		after, _ := ch["after"].(map[string]any)
		merged, _ := withUnknown(after, ch["after_unknown"]).(map[string]any)
		if merged == nil {
			merged = map[string]any{}
		}
		r.Values = merged
		p.add(r)
	}
	return nil
}

// readModule reads a module of planned_values or of a state's values, and
// its child modules.
func (p *Plan) readModule(v any, where string) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be an object", where)
	}
	if root, ok := m["root_module"]; ok {
		return p.readModule(root, where+".root_module")
	}
	resources, _ := m["resources"].([]any)
	for i, rv := range resources {
		rm, ok := rv.(map[string]any)
		if !ok {
			return fmt.Errorf("%s.resources[%d] must be an object", where, i)
		}
		if rm["mode"] != "managed" {
			continue
		}
		r, err := resourceOf(rm, fmt.Sprintf("%s.resources[%d]", where, i))
		if err != nil {
			return err
		}
		r.Values, _ = rm["values"].(map[string]any)
		if r.Values == nil {
			r.Values = map[string]any{}
		}
		p.add(r)
	}
	children, _ := m["child_modules"].([]any)
	for i, c := range children {
		if err := p.readModule(c, fmt.Sprintf("%s.child_modules[%d]", where, i)); err != nil {
			return err
		}
	}
	return nil
}

func resourceOf(m map[string]any, where string) (*Resource, error) {
	r := &Resource{Key: m["index"]}
	r.Address, _ = m["address"].(string)
	r.Type, _ = m["type"].(string)
	r.Name, _ = m["name"].(string)
	r.Module, _ = m["module_address"].(string)
	if r.Address == "" || r.Type == "" || r.Name == "" {
		return nil, fmt.Errorf("%s has no address, type or name: not the output of `terraform show -json`", where)
	}
	if r.Module == "" {
		// planned_values and states do not say it: it is the address
		// before the resource.
		mods := splitAddress(r.Address)
		if len(mods) > 1 {
			r.Module = strings.Join(mods[:len(mods)-1], ".")
		}
	}
	return r, nil
}

// withUnknown sets Unknown in v wherever unknown (after_unknown) says
// true, building the objects and lists the plan leaves out for them.
func withUnknown(v, unknown any) any {
	switch u := unknown.(type) {
	case bool:
		if u {
			return plain.Unknown
		}
		return v
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			if v != nil {
				return v
			}
			m = map[string]any{}
		} else {
			m = maps.Clone(m)
		}
		for k, uk := range u {
			if nv := withUnknown(m[k], uk); nv != nil {
				m[k] = nv
			}
		}
		return m
	case []any:
		l, ok := v.([]any)
		if !ok && v != nil {
			return v
		}
		l = slices.Clone(l)
		for i, ui := range u {
			if i >= len(l) {
				l = append(l, nil)
			}
			l[i] = withUnknown(l[i], ui)
		}
		return l
	}
	return v
}

// splitAddress splits an address into its module steps and the resource
// ("module.a[\"x\"].azurerm_x.y[0]" -> module.a["x"], azurerm_x.y[0]):
// the dots inside keys do not split.
func splitAddress(addr string) []string {
	tokens := dotTokens(addr)
	var parts []string
	i := 0
	for ; i+1 < len(tokens) && tokens[i] == "module"; i += 2 {
		parts = append(parts, tokens[i]+"."+tokens[i+1])
	}
	if i < len(tokens) {
		parts = append(parts, strings.Join(tokens[i:], "."))
	}
	return parts
}

// dotTokens splits at the dots outside brackets and quotes.
func dotTokens(s string) []string {
	var out []string
	var cur strings.Builder
	depth, quoted, escaped := 0, false, false
	for _, c := range s {
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(c)
	}
	return append(out, cur.String())
}

// stripKey removes an instance key: module.a["x"] -> module.a.
func stripKey(s string) string {
	if i := strings.IndexByte(s, '['); i >= 0 {
		return s[:i]
	}
	return s
}

// configPath is the configuration module of a module instance address:
// the names of the module calls, without keys.
func configPath(module string) []string {
	if module == "" {
		return nil
	}
	var out []string
	for _, step := range splitAddress(module) {
		out = append(out, strings.TrimPrefix(stripKey(step), "module."))
	}
	return out
}

// str returns a known string value and whether it is one.
func str(m map[string]any, key string) (string, bool) {
	s, ok := m[key].(string)
	return s, ok
}

// blocks returns the elements of a nested block list or set.
func blocks(m map[string]any, key string) []map[string]any {
	l, _ := m[key].([]any)
	var out []map[string]any
	for _, e := range l {
		if b, ok := e.(map[string]any); ok {
			out = append(out, b)
		}
	}
	return out
}
