package moduledocs

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestOneLine(t *testing.T) {
	for src, want := range map[string]string{
		`"a"`:                          `"a"`,
		"{\n}":                         "{ }",
		"{\n  a = 1 # one\n  b = 2\n}": "{ a = 1, b = 2 }",
		"{ a = 1,\n  b = 2 }":          "{ a = 1, b = 2 }",
		"[\n  1,\n  2,\n]":             "[1, 2]",
		"(\n  1\n  + 2\n)":             "(1 + 2)",
		"{\n  for k, v in {a = 1} :\n  k => v\n}": "{ for k, v in {a = 1} : k => v }",
		"map(\n  string\n)":                       "map(string)",
		"\"${\"a\"}-b\"":                          "\"${\"a\"}-b\"",
		"<<EOT\nx \"q\"\nEOT\n":                   `"x \"q\"\n"`,
	} {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "t.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%q: %v", src, diags)
		}
		if got := oneLine([]byte(src), expr); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", src, got, want)
		}
	}
}
