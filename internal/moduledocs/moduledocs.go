// Package moduledocs writes the Requirements, Inputs and Outputs tables
// of a Terraform module's README, in terraform-docs' markdown table
// format, between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->. It
// reads the module's *.tf with hcl (no terraform-docs binary to install):
// types and defaults are shown as written, on one line.
package moduledocs

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

type (
	input struct {
		name, description, typ, def string
		required                    bool
	}
	output      struct{ name, description string }
	requirement struct{ name, source, version string }
	module      struct {
		inputs       []input
		outputs      []output
		requirements []requirement
	}
)

// Render returns the markdown for the module in dir: Requirements (when
// its terraform block has any), Inputs and Outputs, each sorted by name.
func Render(dir string) (string, error) {
	m, err := read(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if len(m.requirements) > 0 {
		b.WriteString("## Requirements\n\n| Name | Source | Version |\n|------|--------|---------|\n")
		for _, r := range m.requirements {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", code(r.name), cell(r.source), cell(r.version))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Inputs\n\n")
	if len(m.inputs) == 0 {
		b.WriteString("No inputs.\n")
	} else {
		b.WriteString("| Name | Description | Type | Default | Required |\n|------|-------------|------|---------|:--------:|\n")
		for _, in := range m.inputs {
			def, required := "n/a", "yes"
			if !in.required {
				def, required = code(in.def), "no"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", code(in.name), cell(in.description), code(in.typ), def, required)
		}
	}
	b.WriteString("\n## Outputs\n\n")
	if len(m.outputs) == 0 {
		b.WriteString("No outputs.\n")
	} else {
		b.WriteString("| Name | Description |\n|------|-------------|\n")
		for _, o := range m.outputs {
			fmt.Fprintf(&b, "| %s | %s |\n", code(o.name), cell(o.description))
		}
	}
	return b.String(), nil
}

// read parses dir's *.tf files (not *.tf.json, nor subdirectories).
func read(dir string) (*module, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.tf files", dir)
	}
	sort.Strings(files)
	p := hclparse.NewParser()
	m := &module{}
	versions := map[string]bool{}
	providers := map[string]requirement{}
	for _, name := range files {
		f, diags := p.ParseHCLFile(name)
		if diags.HasErrors() {
			return nil, diagError(diags)
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, blk := range body.Blocks {
			var err error
			switch {
			case blk.Type == "variable" && len(blk.Labels) == 1:
				err = m.addInput(blk, f.Bytes)
			case blk.Type == "output" && len(blk.Labels) == 1:
				var d string
				d, err = description(blk)
				m.outputs = append(m.outputs, output{blk.Labels[0], d})
			case blk.Type == "terraform":
				err = readTerraform(blk, versions, providers)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(m.inputs, func(i, j int) bool { return m.inputs[i].name < m.inputs[j].name })
	sort.Slice(m.outputs, func(i, j int) bool { return m.outputs[i].name < m.outputs[j].name })
	if len(versions) > 0 {
		m.requirements = append(m.requirements, requirement{"terraform", "", strings.Join(slices.Sorted(maps.Keys(versions)), ", ")})
	}
	for _, name := range slices.Sorted(maps.Keys(providers)) {
		m.requirements = append(m.requirements, providers[name])
	}
	return m, nil
}

func (m *module) addInput(blk *hclsyntax.Block, src []byte) error {
	d, err := description(blk)
	if err != nil {
		return err
	}
	in := input{name: blk.Labels[0], description: d, typ: "any", required: true}
	if a := blk.Body.Attributes["type"]; a != nil {
		in.typ = oneLine(src, a.Expr)
	}
	if a := blk.Body.Attributes["default"]; a != nil {
		in.def, in.required = oneLine(src, a.Expr), false
	}
	m.inputs = append(m.inputs, in)
	return nil
}

// readTerraform gathers required_version and required_providers; an
// entry is { source, version, ... } or, in old configurations, a version.
func readTerraform(blk *hclsyntax.Block, versions map[string]bool, providers map[string]requirement) error {
	if a := blk.Body.Attributes["required_version"]; a != nil {
		v, err := str(a.Expr, "required_version")
		if err != nil {
			return err
		}
		versions[v] = true
	}
	for _, rp := range blk.Body.Blocks {
		if rp.Type != "required_providers" {
			continue
		}
		for name, a := range rp.Body.Attributes {
			r := requirement{name: name}
			obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
			if !ok {
				v, err := str(a.Expr, name)
				if err != nil {
					return err
				}
				r.version = v
				providers[name] = r
				continue
			}
			// Item by item: configuration_aliases holds references,
			// which do not evaluate without a context.
			for _, item := range obj.Items {
				key, _ := strOK(item.KeyExpr)
				switch key {
				case "source":
					r.source, ok = strOK(item.ValueExpr)
				case "version":
					r.version, ok = strOK(item.ValueExpr)
				default:
					ok = true
				}
				if !ok {
					return posError(item.ValueExpr.Range(), "%s.%s is not a literal string", name, key)
				}
			}
			providers[name] = r
		}
	}
	return nil
}

// description is a block's description, on one line: newlines as <br>.
func description(blk *hclsyntax.Block) (string, error) {
	a := blk.Body.Attributes["description"]
	if a == nil {
		return "", nil
	}
	d, err := str(a.Expr, "description")
	return strings.ReplaceAll(strings.TrimSpace(d), "\n", "<br>"), err
}

func str(expr hcl.Expression, what string) (string, error) {
	s, ok := strOK(expr)
	if !ok {
		return "", posError(expr.Range(), "%s is not a literal string", what)
	}
	return s, nil
}

// strOK evaluates a literal (no references) as a string.
func strOK(expr hcl.Expression) (string, bool) {
	var s string
	diags := gohcl.DecodeExpression(expr, nil, &s)
	return s, !diags.HasErrors()
}

// code is s as a markdown code span in a table cell.
func code(s string) string {
	fence := "`"
	if strings.Contains(s, "`") {
		fence = "``"
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// cell is s in a table cell; n/a when empty, as terraform-docs has it.
func cell(s string) string {
	if s == "" {
		return "n/a"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// posError names file:line:col, as editors read it.
func posError(r hcl.Range, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", r.Filename, r.Start.Line, r.Start.Column, fmt.Sprintf(format, args...))
}

func diagError(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil {
			return posError(*d.Subject, "%s: %s", d.Summary, d.Detail)
		}
	}
	return diags
}
