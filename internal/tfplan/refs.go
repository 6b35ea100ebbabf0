package tfplan

import (
	"fmt"
	"slices"
	"strings"
)

// configModule is one module of the plan's configuration.
type configModule struct {
	// resources are by their address inside the module ("azurerm_x.y").
	resources map[string]*configResource
	calls     map[string]*moduleCall
	// outputs are each output's references.
	outputs map[string][]string
	parent  *configModule
}

type configResource struct {
	expressions map[string]any
}

type moduleCall struct {
	expressions map[string]any
	module      *configModule
}

func readConfigModule(v any, parent *configModule) *configModule {
	m, _ := v.(map[string]any)
	cm := &configModule{resources: map[string]*configResource{}, calls: map[string]*moduleCall{}, outputs: map[string][]string{}, parent: parent}
	resources, _ := m["resources"].([]any)
	for _, rv := range resources {
		r, _ := rv.(map[string]any)
		addr, _ := r["address"].(string)
		if addr == "" {
			continue
		}
		exprs, _ := r["expressions"].(map[string]any)
		cm.resources[addr] = &configResource{expressions: exprs}
	}
	calls, _ := m["module_calls"].(map[string]any)
	for name, cv := range calls {
		c, _ := cv.(map[string]any)
		exprs, _ := c["expressions"].(map[string]any)
		cm.calls[name] = &moduleCall{expressions: exprs, module: readConfigModule(c["module"], cm)}
	}
	outputs, _ := m["outputs"].(map[string]any)
	for name, ov := range outputs {
		o, _ := ov.(map[string]any)
		cm.outputs[name] = references(o["expression"])
	}
	return cm
}

// find returns the module at a path of module call names.
func (m *configModule) find(path []string) *configModule {
	for _, name := range path {
		if m == nil {
			return nil
		}
		c := m.calls[name]
		if c == nil {
			return nil
		}
		m = c.module
	}
	return m
}

// references collects every reference in an expression, and in the
// expressions of nested blocks.
func references(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if refs, ok := v["references"].([]any); ok {
				for _, r := range refs {
					if s, ok := r.(string); ok {
						out = append(out, s)
					}
				}
			}
			for k, e := range v {
				if k != "references" && k != "constant_value" {
					walk(e)
				}
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// refersTo returns the resources the configuration's expression for attr
// (an argument, or a nested block) of r refers to, following module
// variables to their callers and module outputs into their modules. Only
// resources of the given types count (all when none is given).
func (p *Plan) refersTo(r *Resource, attr string, types ...string) []*Resource {
	if r.conf == nil {
		return nil
	}
	var out []*Resource
	for _, t := range p.resolve(r.Module, r.mod, references(r.conf.expressions[attr]), 0) {
		if (len(types) == 0 || slices.Contains(types, t.Type)) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	// A reference to a counted resource names all its instances: the one
	// with r's own key is meant (azurerm_x.y[count.index]).
	if len(out) > 1 && r.Key != nil {
		var same []*Resource
		for _, t := range out {
			if fmt.Sprint(t.Key) == fmt.Sprint(r.Key) {
				same = append(same, t)
			}
		}
		if len(same) == 1 {
			return same
		}
	}
	return out
}

// resolve turns references made in a module instance into the resources
// they name.
func (p *Plan) resolve(module string, mod *configModule, refs []string, depth int) []*Resource {
	if mod == nil || depth > 16 {
		return nil
	}
	var out []*Resource
	for _, ref := range refs {
		tokens := dotTokens(ref)
		switch {
		case len(tokens) < 2:
		case tokens[0] == "var":
			if mod.parent == nil || module == "" {
				continue // a root variable: given from outside
			}
			steps := splitAddress(module)
			last := steps[len(steps)-1]
			call := mod.parent.calls[strings.TrimPrefix(stripKey(last), "module.")]
			if call == nil {
				continue
			}
			parent := strings.Join(steps[:len(steps)-1], ".")
			out = append(out, p.resolve(parent, mod.parent, references(call.expressions[stripKey(tokens[1])]), depth+1)...)
		case tokens[0] == "module":
			call := mod.calls[stripKey(tokens[1])]
			if call == nil {
				continue
			}
			prefix := joinModule(module, "module."+tokens[1])
			var outputs []string
			if len(tokens) > 2 {
				outputs = []string{stripKey(tokens[2])}
			} else {
				for name := range call.module.outputs {
					outputs = append(outputs, name)
				}
				slices.Sort(outputs)
			}
			for _, inst := range p.moduleInstances(prefix, strings.Contains(tokens[1], "[")) {
				for _, o := range outputs {
					out = append(out, p.resolve(inst, call.module, call.module.outputs[o], depth+1)...)
				}
			}
		case tokens[0] == "data", tokens[0] == "local", tokens[0] == "each", tokens[0] == "count",
			tokens[0] == "path", tokens[0] == "terraform", tokens[0] == "self":
		default:
			typ, name := tokens[0], tokens[1]
			key := ""
			if i := strings.IndexByte(name, '['); i >= 0 {
				name, key = name[:i], name[i:]
			}
			for _, r := range p.byConfig[module+" "+typ+"."+name] {
				if key != "" && !strings.HasSuffix(r.Address, key) {
					continue
				}
				out = append(out, r)
			}
		}
	}
	return out
}

// moduleInstances lists the module instances of a call ("module.a" ->
// module.a["x"], module.a["y"]); exact keeps only the one named.
func (p *Plan) moduleInstances(prefix string, exact bool) []string {
	var out []string
	for _, r := range p.Resources {
		m := r.Module
		inCall := m == prefix || strings.HasPrefix(m, prefix+".") || (!exact && strings.HasPrefix(m, prefix+"["))
		if !inCall {
			continue
		}
		// The instance is the module address up to this call's step.
		steps := splitAddress(m)
		n := len(splitAddress(prefix))
		inst := strings.Join(steps[:n], ".")
		if !slices.Contains(out, inst) {
			out = append(out, inst)
		}
	}
	return out
}

func joinModule(parent, step string) string {
	if parent == "" {
		return step
	}
	return parent + "." + step
}
