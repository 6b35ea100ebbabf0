package apiops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/plain"
)

// AbsentBlockLogsNoBody is the reading of a diagnostic whose frontend or
// backend request or response block is absent from the tree: the
// extractor writes what the service returns, and sseready takes a block it
// does not return as logging no body. Microsoft does not say so (FACTS.md,
// "APIOps layout"): it is an assumption, named here and in the rules
// guide's notes on APIOps trees.
const AbsentBlockLogsNoBody = "an absent block in an extracted diagnostic logs no body"

// diagnostics reads dir/diagnostics/<name>/diagnosticInformation.json;
// global marks the service's (All APIs) ones. The folder name is the
// diagnostic's identifier (applicationinsights, azuremonitor); another one
// is not a logger sseready checks, and a note says so.
func (l *loader) diagnostics(dir string, global bool) []*Diagnostic {
	var out []*Diagnostic
	for _, name := range l.subdirs(filepath.Join(dir, diagnosticsDir)) {
		file := filepath.Join(dir, diagnosticsDir, name, diagnosticFile)
		data, err := os.ReadFile(file)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			l.fail(filepath.Join(dir, diagnosticsDir, name), fmt.Errorf("the folder has no %s", diagnosticFile))
			continue
		case err != nil:
			l.fail(file, err)
			continue
		}
		if apimdiag.ValidateIdentifier("", name) != nil {
			l.notes = append(l.notes, fmt.Sprintf("%s: the diagnostic %q is not applicationinsights or azuremonitor, whose body logging sseready checks: not checked", file, name))
			continue
		}
		v, err := plain.FromJSON(data)
		if err != nil {
			l.fail(file, err)
			continue
		}
		r := &plain.Reader{}
		d := decodeARM(r, v, name)
		if len(r.Errs) > 0 {
			l.fail(file, r.Errs[0])
			continue
		}
		d.Global = global
		out = append(out, &Diagnostic{File: file, Diagnostic: d, Keys: jsonKeys(data)})
	}
	return out
}

// decodeARM reads a diagnostic in the REST API's shape: properties (or
// the object itself) with frontend and backend, each with request and
// response, each with body.bytes.
func decodeARM(r *plain.Reader, v any, identifier string) apimdiag.Diagnostic {
	d := apimdiag.Diagnostic{Identifier: identifier, Blocks: map[string]*apimdiag.Block{}}
	root := r.Object(v, "")
	if root == nil {
		if len(r.Errs) == 0 {
			r.Fail("diagnostic", "is empty: expected the diagnostic's JSON as the extractor writes it")
		}
		return d
	}
	props := root
	if p := r.Object(root["properties"], "properties"); p != nil {
		props = p
	}
	for _, side := range []string{"frontend", "backend"} {
		s := r.Object(props[side], plain.Join("properties", side))
		for _, msg := range []string{"request", "response"} {
			var bytes int64
			if s != nil {
				if m := r.Object(s[msg], plain.Join("properties."+side, msg)); m != nil {
					if body := r.Object(m["body"], "properties."+side+"."+msg+".body"); body != nil {
						if n := r.Int(body, "properties."+side+"."+msg+".body", "bytes"); n != nil {
							bytes = *n
						}
					}
				}
			}
			// An absent block logs no body: AbsentBlockLogsNoBody.
			blk := apimdiag.Block{BodyBytes: bytes}
			if err := apimdiag.ValidateBlock("properties."+side+"."+msg+".body.bytes", blk); err != nil {
				r.Errs = append(r.Errs, err)
			}
			d.Blocks[side+"_"+msg] = &blk
		}
	}
	return d
}

// jsonKeys places every object key of a JSON document by its dotted path
// ("properties.frontend.response.body.bytes"): the line and column of its
// opening quote. Keys inside lists are left out. data is valid JSON (it
// was decoded first); a document it cannot walk gives what was placed.
func jsonKeys(data []byte) map[string]apimpolicy.Pos {
	out := map[string]apimpolicy.Pos{}
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		key    bool // the next string token is a key
		path   string
	}
	var stack []frame
	last := ""
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		end := dec.InputOffset()
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if k, ok := tok.(string); ok {
				start := keyStart(data, end)
				line, col := lineCol(data, int64(start)+1)
				last = plainJoin(top.path, k)
				if last != inList {
					out[last] = apimpolicy.Pos{Offset: start, Line: line, Column: col}
				}
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			path := ""
			if top != nil && top.object {
				path = last
			} else if top != nil {
				path = inList
			}
			if top != nil && top.object {
				top.key = true
			}
			stack = append(stack, frame{object: true, key: true, path: path})
			continue
		case json.Delim('['):
			if top != nil && top.object {
				top.key = true
			}
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.object {
			top.key = true // a value read: a key comes next
		}
	}
}

// keyStart finds the opening quote of the JSON string that ends (closing
// quote included) before offset end.
func keyStart(data []byte, end int64) int {
	i := int(end) - 1
	for i >= 0 && data[i] != '"' {
		i-- // the decoder may have read past the string (a colon, spaces)
	}
	for i--; i >= 0; i-- {
		if data[i] != '"' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			return i
		}
	}
	return 0
}

// inList is the path of what is inside a list: its keys are not placed.
const inList = "\x00"

func plainJoin(path, key string) string {
	switch path {
	case inList:
		return inList
	case "":
		return key
	}
	return path + "." + key
}
