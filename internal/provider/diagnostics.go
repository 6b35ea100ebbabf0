package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/input"
)

// addInputErrors turns input errors into diagnostics on the attribute at
// fault. It reports whether there were any.
func addInputErrors(diags *diag.Diagnostics, errs []*input.Error) bool {
	for _, e := range errs {
		if e.Field == "" {
			diags.AddError("sseready could not use the configuration", e.Msg)
			continue
		}
		detail := e.Msg
		if e.Line > 0 {
			detail = fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
		}
		// Terraform points at an attribute's expression, but not into an
		// object written inside it: a deeper path falls back to the whole
		// block, so the diagnostic names the top attribute and the summary
		// the setting.
		diags.AddAttributeError(rootOf(attrPath(e.Field)), "Invalid "+e.Field, detail)
	}
	return len(errs) > 0
}

// addInputWarnings adds each warning on the attribute it names, under
// summary.
func addInputWarnings(diags *diag.Diagnostics, summary string, warns []*input.Error) {
	for _, w := range warns {
		diags.AddAttributeWarning(rootOf(attrPath(w.Field)), summary, w.Msg)
	}
}

var pathStep = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)`)
var pathIndex = regexp.MustCompile(`\[(\d+)\]`)

// attrPath turns a dotted setting path such as "apim.policies[0].xml"
// into the framework's attribute path.
func attrPath(field string) path.Path {
	var p path.Path
	first := true
	for _, m := range pathStep.FindAllStringSubmatch(field, -1) {
		if first {
			p = path.Root(m[1])
			first = false
		} else {
			p = p.AtName(m[1])
		}
		for _, ix := range pathIndex.FindAllStringSubmatch(m[2], -1) {
			n, _ := strconv.Atoi(ix[1])
			p = p.AtListIndex(n)
		}
	}
	return p
}

// rootOf is the top attribute of p.
func rootOf(p path.Path) path.Path {
	steps := p.Steps()
	if len(steps) <= 1 {
		return p
	}
	if name, ok := steps[0].(path.PathStepAttributeName); ok {
		return path.Root(string(name))
	}
	return p
}

// getConfig reads the configuration into target. A value that does not
// convert (1.5 for a whole number) has been reported already, on its
// attribute, by the framework's type validation: the conversion error,
// which blames the provider, is left out.
func getConfig(ctx context.Context, get func(context.Context, any) diag.Diagnostics, target any, diags *diag.Diagnostics) bool {
	d := get(ctx, target)
	for _, e := range d {
		if e.Severity() == diag.SeverityError && e.Summary() == "Value Conversion Error" {
			continue
		}
		diags.Append(e)
	}
	return !d.HasError()
}

// addSyntaxError reports a document that does not parse, with its place.
func addSyntaxError(diags *diag.Diagnostics, p path.Path, err error) {
	var se *apimpolicy.SyntaxError
	if errors.As(err, &se) {
		diags.AddAttributeError(p, "Invalid policy XML",
			fmt.Sprintf("The policy document does not parse at line %d, column %d: %s.", se.Pos.Line, se.Pos.Column, se.Msg))
		return
	}
	diags.AddAttributeError(p, "Invalid policy XML", err.Error())
}

// lookInside converts a collection attribute so that its elements can be
// looked at: tfv is nil when there is nothing to look at (null, or not
// known through and through, when known is false).
func lookInside(ctx context.Context, name string, v attr.Value) (tfv *tftypes.Value, known bool, errs []*input.Error) {
	if v.IsNull() {
		return nil, true, nil
	}
	if v.IsUnknown() {
		return nil, false, nil
	}
	t, err := v.ToTerraformValue(ctx)
	if err != nil {
		return nil, false, []*input.Error{input.Errorf(name, "%v", err)}
	}
	if !t.IsFullyKnown() {
		return nil, false, nil
	}
	return &t, true, nil
}

// elementsUsable looks inside a collection attribute before its elements
// are converted: an unknown element anywhere means the value is not known
// yet (known false); a null element is an error naming the attribute.
func elementsUsable(ctx context.Context, name string, v attr.Value) (known bool, errs []*input.Error) {
	tfv, known, errs := lookInside(ctx, name, v)
	if tfv == nil {
		return known, errs
	}
	_ = tftypes.Walk(*tfv, func(p *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		if len(p.Steps()) > 0 && v.IsNull() {
			errs = append(errs, input.Errorf(name, "holds a null at %s: give a value or leave the element out", p))
		}
		return true, nil
	})
	return true, errs
}
