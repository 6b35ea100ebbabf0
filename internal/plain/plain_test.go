package plain

import (
	"math/big"
	"strings"
	"testing"
)

func TestFromJSON(t *testing.T) {
	v, err := FromJSON([]byte("\ufeff{\"a\": 12345678901234567890, \"b\": [true, null], \"c\": 1.5}"))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%T, want an object", v)
	}
	r := &Reader{}
	if n := r.Int(m, "", "a"); n != nil || len(r.Errs) != 1 || r.Errs[0].Error() != "a: 12345678901234567890 is too large" {
		t.Fatalf("large: %v %v", n, r.Errs)
	}
	for _, tt := range []struct{ src, want string }{
		{"{\n  \"a\": 1,\n  b: 2\n}", "line 3, column 3: invalid character 'b'"},
		{`{"a": 1} {"b": 2}`, "line 1, column 10: more than one JSON value"},
		{"", "EOF"},
	} {
		if _, err := FromJSON([]byte(tt.src)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.src, err, tt.want)
		}
	}
}

// The reader names every problem by its path, and every value not known
// yet once.
func TestReader(t *testing.T) {
	m := map[string]any{
		"n": big.NewFloat(1.5), "i": 7, "s": "x", "b": true, "u": Unknown,
		"blk": []any{map[string]any{"k": "v"}}, "two": []any{map[string]any{}, map[string]any{}}, "odd": 3,
	}
	r := &Reader{}
	if n := r.Int(m, "p", "i"); n == nil || *n != 7 {
		t.Errorf("int %v", n)
	}
	r.Int(m, "p", "n")
	r.Bool(m, "p", "s")
	r.String(m, "p", "u")
	r.String(m, "p", "u")
	if b := r.Block(m, "p", "blk"); b["k"] != "v" {
		t.Errorf("block %v", b)
	}
	r.Block(m, "p", "two")
	r.Object(m["odd"], "p.odd")
	r.Keys(map[string]any{"zz": 1, "a": 1}, "p", "a")
	var got []string
	for _, e := range r.Errs {
		got = append(got, e.Error())
	}
	want := []string{
		"p.n: must be a whole number, not 1.5",
		`p.s: must be true or false, not the string "x"`,
		"p.two: has 2 blocks: azurerm takes one",
		"p.odd: must be an object",
		"p.zz: is not a setting sseready knows here: use a",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(r.Unknown, ",") != "p.u" {
		t.Fatalf("unknown %v", r.Unknown)
	}
}
