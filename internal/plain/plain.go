// Package plain reads settings given as plain values, the one form every
// front end can produce: JSON decoded with numbers kept (a file given to
// the CLI), or Terraform values converted by the provider. A Reader walks
// such a value by setting path ("apim.policies[0].xml"), records the
// values not known yet (at plan time), and turns each value of the wrong
// type or unknown key into an *input.Error naming its path, so the
// messages are the same whichever front end the value came from.
//
// Plain values are nil (null or missing), Unknown, bool, string, a number
// (json.Number, float64, int, int64 or *big.Float), []any and
// map[string]any.
package plain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/input"
)

// Unknown stands for a value that is not known yet.
var Unknown any = unknown{}

type unknown struct{}

// IsUnknown reports whether v is Unknown.
func IsUnknown(v any) bool { _, ok := v.(unknown); return ok }

// Reader reads one plain value; what it finds wrong or unknown collects in
// it.
type Reader struct {
	// Unknown are the paths of the values not known yet, each once, in the
	// order read.
	Unknown []string
	// Errs are the problems found, each naming its path.
	Errs []*input.Error
}

// Fail records a problem with the value at path.
func (r *Reader) Fail(path, format string, args ...any) {
	r.Errs = append(r.Errs, input.Errorf(path, format, args...))
}

// MarkUnknown records that the value at path is not known yet, once: a
// check may read a value more than once.
func (r *Reader) MarkUnknown(path string) {
	if !slices.Contains(r.Unknown, path) {
		r.Unknown = append(r.Unknown, path)
	}
}

// Join appends key to a setting path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Present reports whether v is given at all (unknown counts as given).
func Present(v any) bool { return v != nil }

// Known reports whether m[key] is given and known.
func Known(m map[string]any, key string) bool {
	v, ok := m[key]
	return ok && v != nil && !IsUnknown(v)
}

// Object returns the keys of an object; nil when it is missing or null,
// unknown (recorded) or not an object (an error).
func (r *Reader) Object(v any, path string) map[string]any {
	switch v := v.(type) {
	case nil:
		return nil
	case unknown:
		r.MarkUnknown(path)
		return nil
	case map[string]any:
		return v
	}
	r.Fail(path, "must be an object")
	return nil
}

// Keys reports the keys of m that are not allowed: a misspelt key would
// otherwise be ignored without a word.
func (r *Reader) Keys(m map[string]any, path string, allowed ...string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(allowed, k) {
			r.Fail(Join(path, k), "is not a setting sseready knows here: use %s", strings.Join(allowed, ", "))
		}
	}
}

// List returns the items of the list m[key]; nil when missing, null or
// unknown (recorded).
func (r *Reader) List(m map[string]any, path, key string) []any {
	switch v := m[key].(type) {
	case nil:
		return nil
	case unknown:
		r.MarkUnknown(Join(path, key))
		return nil
	case []any:
		return v
	}
	r.Fail(Join(path, key), "must be a list")
	return nil
}

// Block returns the object m[key], also when it is written as azurerm
// state writes a block: a list of at most one object.
func (r *Reader) Block(m map[string]any, path, key string) map[string]any {
	v := m[key]
	if list, ok := v.([]any); ok {
		switch len(list) {
		case 0:
			return nil
		case 1:
			v = list[0]
		default:
			r.Fail(Join(path, key), "has %d blocks: azurerm takes one", len(list))
			return nil
		}
	}
	return r.Object(v, Join(path, key))
}

// leaf returns m[key] when it is given and known.
func (r *Reader) leaf(m map[string]any, path, key string) (any, bool) {
	switch v := m[key].(type) {
	case nil:
		return nil, false
	case unknown:
		r.MarkUnknown(Join(path, key))
		return nil, false
	default:
		return v, true
	}
}

// String reads a string; ok is false when it is missing, null, unknown or
// not a string (an error).
func (r *Reader) String(m map[string]any, path, key string) (string, bool) {
	v, ok := r.leaf(m, path, key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		r.Fail(Join(path, key), "must be a string, not %s", Describe(v))
	}
	return s, ok
}

// Bool reads true or false.
func (r *Reader) Bool(m map[string]any, path, key string) (bool, bool) {
	v, ok := r.leaf(m, path, key)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		r.Fail(Join(path, key), "must be true or false, not %s", Describe(v))
	}
	return b, ok
}

// Int reads a whole number; nil when it is missing, null, unknown or not
// a whole number (an error).
func (r *Reader) Int(m map[string]any, path, key string) *int64 {
	v, ok := r.leaf(m, path, key)
	if !ok {
		return nil
	}
	f, ok := number(v)
	if !ok {
		r.Fail(Join(path, key), "must be a number, not %s", Describe(v))
		return nil
	}
	n, acc := f.Int64()
	switch {
	case acc != big.Exact && f.IsInt():
		r.Fail(Join(path, key), "%s is too large", numText(f))
		return nil
	case acc != big.Exact:
		r.Fail(Join(path, key), "must be a whole number, not %s", numText(f))
		return nil
	}
	return &n
}

// Float reads a number.
func (r *Reader) Float(m map[string]any, path, key string) *float64 {
	v, ok := r.leaf(m, path, key)
	if !ok {
		return nil
	}
	f, ok := number(v)
	if !ok {
		r.Fail(Join(path, key), "must be a number, not %s", Describe(v))
		return nil
	}
	x, _ := f.Float64()
	return &x
}

func number(v any) (*big.Float, bool) {
	switch v := v.(type) {
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 256, big.ToNearestEven)
		return f, err == nil
	case float64:
		return big.NewFloat(v), true
	case int:
		return new(big.Float).SetInt64(int64(v)), true
	case int64:
		return new(big.Float).SetInt64(v), true
	case *big.Float:
		return v, v != nil
	}
	return nil, false
}

// numText writes a number as a user wrote it: whole numbers in full.
func numText(f *big.Float) string {
	if f.IsInt() {
		return f.Text('f', 0)
	}
	return f.Text('g', -1)
}

// Describe names a plain value for a message: "the string \"x\"", "a list".
func Describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	if f, ok := number(v); ok {
		return "the number " + numText(f)
	}
	return fmt.Sprintf("%v", v)
}

// FromJSON decodes JSON into a plain value, numbers kept exact. A UTF-8
// byte order mark is skipped. A syntax error says where, as line and
// column.
func FromJSON(data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		off := dec.InputOffset() + 1
		return nil, fmt.Errorf("line %d, column %d: more than one JSON value", lineOf(data, off), colOf(data, off))
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return nil, fmt.Errorf("line %d, column %d: %v", lineOf(data, syn.Offset), colOf(data, syn.Offset), syn)
	case err != nil:
		return nil, err
	}
	return v, nil
}

func lineOf(data []byte, off int64) int {
	off = min(max(off, 1), int64(len(data)))
	return bytes.Count(data[:off-1], []byte("\n")) + 1
}

func colOf(data []byte, off int64) int {
	off = min(max(off, 1), int64(len(data)))
	before := data[:off-1]
	return int(off-1) - bytes.LastIndexByte(before, '\n')
}
