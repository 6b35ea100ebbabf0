package modulegen

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// file is one .tf file being written. Expressions of the generator's own
// (references, conditions) are parsed by hclwrite from constant code;
// every value that comes from the user goes in as a cty value, so no
// input can change the code around it.
type file struct {
	f   *hclwrite.File
	err error
}

func newFile() *file { return &file{f: hclwrite.NewEmptyFile()} }

// code is the tokens of an HCL expression written by the generator.
func (w *file) code(src string) hclwrite.Tokens {
	parsed, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "generated.tf", hcl.InitialPos)
	if diags.HasErrors() {
		if w.err == nil {
			w.err = fmt.Errorf("modulegen: generated expression %q does not parse (a bug in sseready init): %s", src, diags.Error())
		}
		return hclwrite.TokensForValue(cty.NullVal(cty.DynamicPseudoType))
	}
	return parsed.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

// set writes name = <code> into body.
func (w *file) set(body *hclwrite.Body, name, src string) {
	body.SetAttributeRaw(name, w.code(src))
}

// comment appends comment lines (without the leading "# ") to body.
func comment(body *hclwrite.Body, lines ...string) {
	for _, l := range lines {
		body.AppendUnstructuredTokens(hclwrite.Tokens{
			{Type: hclsyntax.TokenComment, Bytes: []byte(strings.TrimRight("# "+l, " ") + "\n")},
		})
	}
}

// bytes renders the file in terraform fmt's layout.
func (w *file) bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	return hclwrite.Format(w.f.Bytes()), nil
}

// strOrNull is s, or null when empty.
func strOrNull(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}
