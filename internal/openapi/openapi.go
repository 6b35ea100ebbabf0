// Package openapi reads what sseready needs of an API's OpenAPI definition:
// its operations, each with its operationId, method, URL template and the
// media types its responses declare. It reads OpenAPI 3 (the media types
// are the keys of each response's content) and OpenAPI 2, swagger (the
// operation's produces, or the document's). YAML and JSON are read alike
// (JSON is YAML), a JSON file is held to JSON's own syntax first.
//
// It is its own package, not part of the APIOps tree reader, because an
// API's definition reaches sseready in other ways too: azurerm's
// azurerm_api_management_api import block holds the same documents.
//
// A document that cannot be read is a *SyntaxError with the line (and the
// column, where it is known) of the problem; nothing here panics on input.
package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Spec is what sseready reads of an OpenAPI document.
type Spec struct {
	// Version is the document's openapi ("3.0.1") or swagger ("2.0")
	// field.
	Version string
	// Operations are in the document's order: path by path, each path's
	// methods as written.
	Operations []Operation
}

// Operation is one operation the document declares.
type Operation struct {
	// ID is its operationId ("" when the document gives none). APIM names
	// an imported operation after it, and exports its operations with
	// their names as operationId.
	ID string
	// Method is the HTTP method, upper case ("POST").
	Method string
	// Path is the URL template, the key under paths
	// ("/deployments/{deployment-id}/chat/completions").
	Path string
	// MediaTypes are the media types its responses declare, each once, in
	// the order met; nil when they declare none, or when a response is
	// given by a $ref to another document, which is not read.
	MediaTypes []string
	// Line and Column place the method's key in the document.
	Line, Column int
}

// Name is what the operation is called: its operationId, or its method
// and URL template when it has none.
func (o Operation) Name() string {
	if o.ID != "" {
		return o.ID
	}
	return o.Method + " " + o.Path
}

// SyntaxError is a document that is not YAML or JSON, or not an OpenAPI
// document in the parts sseready reads. Column is 0 when the parser gives
// only the line.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// methods are the operations a path item may hold (OpenAPI 3.1's Path
// Item Object; OpenAPI 2 has all but trace).
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Parse reads an OpenAPI 2 or 3 document, YAML or JSON. isJSON holds the
// document to JSON's syntax (a specification.json), which is stricter
// than YAML's.
func Parse(data []byte, isJSON bool) (*Spec, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if isJSON {
		if err := checkJSON(data); err != nil {
			return nil, err
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &SyntaxError{Line: 1, Msg: "the document is empty: expected an OpenAPI document"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, at(root, "the document is %s, not a mapping: expected an OpenAPI document", kindName(root))
	}
	p := &parser{root: root}
	return p.spec()
}

type parser struct {
	root *yaml.Node
	v2   bool
}

func (p *parser) spec() (*Spec, error) {
	s := &Spec{}
	if v := get(p.root, "openapi"); v != nil {
		s.Version = v.Value
	} else if v := get(p.root, "swagger"); v != nil {
		s.Version, p.v2 = v.Value, true
	} else {
		return nil, at(p.root, "neither openapi nor swagger is set at the top: not an OpenAPI document")
	}
	var rootProduces []string
	if p.v2 {
		var err error
		if rootProduces, err = stringList(get(p.root, "produces"), "produces"); err != nil {
			return nil, err
		}
	}
	paths := get(p.root, "paths")
	if paths == nil {
		return s, nil // OpenAPI 3.1 allows a document of webhooks or components only
	}
	if paths.Kind != yaml.MappingNode {
		return nil, at(paths, "paths is %s, not a mapping", kindName(paths))
	}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		key, item := paths.Content[i], deref(paths.Content[i+1])
		if item.Kind != yaml.MappingNode {
			return nil, at(item, "paths.%s is %s, not a path item", key.Value, kindName(item))
		}
		for j := 0; j+1 < len(item.Content); j += 2 {
			mk, op := item.Content[j], deref(item.Content[j+1])
			method := strings.ToLower(mk.Value)
			if !slices.Contains(methods, method) {
				continue // parameters, summary, servers, $ref, x-...
			}
			where := "paths." + key.Value + "." + mk.Value
			if op.Kind != yaml.MappingNode {
				return nil, at(op, "%s is %s, not an operation", where, kindName(op))
			}
			o := Operation{Method: strings.ToUpper(method), Path: key.Value, Line: mk.Line, Column: mk.Column}
			if id := get(op, "operationId"); id != nil {
				if id.Kind != yaml.ScalarNode {
					return nil, at(id, "%s.operationId is %s, not a string", where, kindName(id))
				}
				o.ID = id.Value
			}
			var err error
			if p.v2 {
				o.MediaTypes, err = p.produces(op, where, rootProduces)
			} else {
				o.MediaTypes, err = p.content(op, where)
			}
			if err != nil {
				return nil, err
			}
			s.Operations = append(s.Operations, o)
		}
	}
	return s, nil
}

// produces is an OpenAPI 2 operation's produces, or the document's when
// the operation gives none.
func (p *parser) produces(op *yaml.Node, where string, root []string) ([]string, error) {
	n := get(op, "produces")
	if n == nil {
		return slices.Clone(root), nil
	}
	return stringList(n, where+".produces")
}

// content gathers the media types of an OpenAPI 3 operation's responses:
// the keys of each response's content, a response given by $ref to
// #/components/responses/ followed.
func (p *parser) content(op *yaml.Node, where string) ([]string, error) {
	responses := get(op, "responses")
	if responses == nil {
		return nil, nil
	}
	if responses.Kind != yaml.MappingNode {
		return nil, at(responses, "%s.responses is %s, not a mapping", where, kindName(responses))
	}
	var out []string
	for i := 0; i+1 < len(responses.Content); i += 2 {
		code, resp := responses.Content[i].Value, deref(responses.Content[i+1])
		rw := where + ".responses." + code
		resp, err := p.resolve(resp, rw)
		if errors.Is(err, errElsewhere) {
			// What another document declares is not read here: the
			// operation's media types are not known.
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if resp.Kind != yaml.MappingNode {
			return nil, at(resp, "%s is %s, not a response", rw, kindName(resp))
		}
		c := get(resp, "content")
		if c == nil {
			continue
		}
		if c.Kind != yaml.MappingNode {
			return nil, at(c, "%s.content is %s, not a mapping of media types", rw, kindName(c))
		}
		for j := 0; j < len(c.Content); j += 2 {
			if mt := c.Content[j].Value; !slices.Contains(out, mt) {
				out = append(out, mt)
			}
		}
	}
	return out, nil
}

// errElsewhere is a $ref to another document.
var errElsewhere = errors.New("a $ref to another document")

// resolve follows a response's $ref within the document
// (#/components/responses/X), up to a few hops. A $ref to another
// document is errElsewhere; one that points at nothing in this document
// is an error naming it.
func (p *parser) resolve(n *yaml.Node, where string) (*yaml.Node, error) {
	for range 8 {
		ref := get(n, "$ref")
		if n.Kind != yaml.MappingNode || ref == nil {
			return n, nil
		}
		if !strings.HasPrefix(ref.Value, "#") {
			return nil, errElsewhere
		}
		target, ok := p.pointer(ref.Value)
		if !ok {
			return nil, at(ref, "%s.$ref %q does not point at a response in this document", where, ref.Value)
		}
		n = target
	}
	return nil, at(n, "%s: $ref goes round in circles", where)
}

// pointer resolves a local JSON pointer ("#/components/responses/Error").
func (p *parser) pointer(ref string) (*yaml.Node, bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	n := p.root
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if n = get(n, tok); n == nil {
			return nil, false
		}
	}
	return n, true
}

// get is the value of key in a mapping node (nil when n is no mapping or
// has no such key).
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// deref is the node an alias (*name) stands for, or n.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func stringList(n *yaml.Node, where string) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, at(n, "%s is %s, not a list of media types", where, kindName(n))
	}
	var out []string
	for _, e := range n.Content {
		e = deref(e)
		if e.Kind != yaml.ScalarNode {
			return nil, at(e, "%s holds %s, not a media type", where, kindName(e))
		}
		if !slices.Contains(out, e.Value) {
			out = append(out, e.Value)
		}
	}
	return out, nil
}

func at(n *yaml.Node, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("the scalar %q", n.Value)
	}
	return "empty"
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns yaml.v3's error ("yaml: line 4: did not find expected
// key") into a SyntaxError with its line.
func yamlError(err error) *SyntaxError {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &SyntaxError{Line: line, Msg: m[2]}
	}
	return &SyntaxError{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// checkJSON holds data to JSON's syntax, placing an error by line and
// column.
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	var syn *json.SyntaxError
	switch {
	case err == nil:
		off := dec.InputOffset()
		if rest := bytes.TrimLeft(data[off:], " \t\r\n"); len(rest) > 0 {
			off = int64(len(data) - len(rest) + 1)
			return &SyntaxError{Line: lineOf(data, off), Column: colOf(data, off), Msg: "more than one JSON value"}
		}
		return nil
	case errors.As(err, &syn):
		return &SyntaxError{Line: lineOf(data, syn.Offset), Column: colOf(data, syn.Offset), Msg: syn.Error()}
	case errors.Is(err, io.EOF) && len(bytes.TrimSpace(data)) == 0:
		return &SyntaxError{Line: 1, Msg: "the file is empty: expected an OpenAPI document"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &SyntaxError{Line: lineOf(data, int64(len(data))), Msg: "the JSON ends before its last value does"}
	}
	return &SyntaxError{Msg: err.Error()}
}

// lineOf and colOf place the byte at 1-based offset off.
func lineOf(data []byte, off int64) int {
	off = min(max(off, 1), int64(len(data)))
	return bytes.Count(data[:off-1], []byte("\n")) + 1
}

func colOf(data []byte, off int64) int {
	off = min(max(off, 1), int64(len(data)))
	before := data[:off-1]
	return len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:]))) + 1
}
