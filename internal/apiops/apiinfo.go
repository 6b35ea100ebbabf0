package apiops

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/openapi"
)

// Names of the API's own files (FACTS.md, "APIOps layout").
const (
	apiInformationFile = "apiInformation.json"
	productAPIsFile    = "apis.json"
	backendsDir        = "backends"
	backendFile        = "backendInformation.json"
)

// specFiles are the names the extractor gives an OpenAPI definition, in
// the order they are looked for: YAML (its default) or JSON.
var specFiles = []string{"specification.yaml", "specification.yml", "specification.json"}

// APIInformation is an API's apiInformation.json: the properties of ARM's
// Microsoft.ApiManagement/service/apis resource as the APIOps extractor
// writes them ({"properties": {...}}). A field the file leaves out is its
// zero value; the pointers tell a false or empty value written from one
// left out.
type APIInformation struct {
	// Path is the API's URL suffix under the gateway's base URL
	// ("openai", "versioned-api/v1").
	Path string `json:"path"`
	// ServiceURL is the backend URL the API's requests are forwarded to;
	// "" when none is set (a policy or a backend entity sets it).
	ServiceURL string `json:"serviceUrl"`
	// DisplayName is the name the portal shows.
	DisplayName string `json:"displayName"`
	// Protocols are the schemes the API is served on ("https", "wss").
	Protocols []string `json:"protocols"`
	// SubscriptionRequired says whether a request needs a subscription
	// key; nil when the file does not say.
	SubscriptionRequired *bool `json:"subscriptionRequired"`
	// SubscriptionKeyParameterNames are the header and query parameter
	// that carry the key, when the API renames them.
	SubscriptionKeyParameterNames *SubscriptionKeyParameterNames `json:"subscriptionKeyParameterNames"`
	// APIRevision is the revision this folder holds ("1", "2").
	APIRevision string `json:"apiRevision"`
	// IsCurrent says whether this revision is the one the API's URL
	// serves; nil when the file does not say.
	IsCurrent *bool `json:"isCurrent"`
	// APIVersion is the version in a version set ("v1"), and
	// APIVersionSetID the set ("/apiVersionSets/chat").
	APIVersion      string `json:"apiVersion"`
	APIVersionSetID string `json:"apiVersionSetId"`
	// Type is ARM's API type: http (also when left out), soap, graphql,
	// websocket, odata or mcp (KnownTypes), or another the file names.
	Type string `json:"type"`
	// MCPProperties are an MCP server API's (type mcp) settings.
	MCPProperties *MCPProperties `json:"mcpProperties"`
}

// SubscriptionKeyParameterNames are the names that carry a subscription
// key.
type SubscriptionKeyParameterNames struct {
	Header string `json:"header"`
	Query  string `json:"query"`
}

// MCPProperties are an MCP server API's settings: TransportType is
// "streamable" (Streamable HTTP) or "sse" (the older HTTP+SSE transport).
type MCPProperties struct {
	TransportType string `json:"transportType"`
}

// KnownTypes are ARM's API types sseready knows: the four of every API
// version (http, soap, graphql, websocket), odata (ARM's ApiType from
// 2023-03-01-preview on), and mcp, an MCP server (Microsoft's "Manage MCP
// servers programmatically in API Management": an API resource of type
// MCP, REST API 2025-09-01-preview or later; Azure-Samples/AI-Gateway
// deploys one with type 'mcp' and mcpProperties.transportType). An API of
// another type (grpc among them: sseready has not confirmed it in ARM's
// API types) is taken with caution: its specification's media types do
// not settle that it does not stream.
var KnownTypes = []string{"http", "soap", "graphql", "websocket", "odata", "mcp"}

// TypeName is the API's type in lower case, "http" when the file leaves
// it out (ARM's default).
func (i *APIInformation) TypeName() string {
	if i == nil || i.Type == "" {
		return "http"
	}
	return strings.ToLower(i.Type)
}

// readAPIInformation reads dir/apiInformation.json; nil when there is
// none. A file that is not JSON, or holds a value of the wrong type, is a
// LoadError naming it and the place.
func (l *loader) readAPIInformation(dir string) (*APIInformation, string) {
	file := filepath.Join(dir, apiInformationFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ""
	}
	if err != nil {
		l.fail(file, err)
		return nil, ""
	}
	var wrapped struct {
		Properties *APIInformation `json:"properties"`
	}
	if err := decodeJSON(data, &wrapped); err != nil {
		l.fail(file, err)
		return nil, ""
	}
	info := wrapped.Properties
	if info == nil {
		// Not wrapped in properties: the object itself (as diagnostics
		// are read).
		info = &APIInformation{}
		if err := decodeJSON(data, info); err != nil {
			l.fail(file, err)
			return nil, ""
		}
	}
	return info, file
}

// decodeJSON decodes data into v, placing a syntax or type error by line
// and column.
func decodeJSON(data []byte, v any) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	err := json.Unmarshal(data, v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset)
		return fmt.Errorf("line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, int64(valueStart(data, typ.Offset))+1)
		field := typ.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("line %d, column %d: %s is a JSON %s, not %s", line, col, field, typ.Value, jsonKind(typ.Type))
	}
	return err
}

// lineCol places the byte before offset (as encoding/json counts) by
// line and column, 1-based.
func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 1), int64(len(data)))
	before := data[:off-1]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, len([]rune(string(before[start:]))) + 1
}

// readSpec reads the API's OpenAPI definition (specification.yaml, .yml
// or .json); nil when there is none or it cannot be read (a LoadError
// then names the file, and line where known). A tree with more than one
// has the first read and a note say so.
func (l *loader) readSpec(dir string) (*openapi.Spec, string) {
	var found []string
	for _, name := range specFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			found = append(found, name)
		}
	}
	if len(found) == 0 {
		return nil, ""
	}
	file := filepath.Join(dir, found[0])
	if len(found) > 1 {
		l.notes = append(l.notes, fmt.Sprintf("%s: the API has %s: %s is read", dir, strings.Join(found, " and "), found[0]))
	}
	data, err := os.ReadFile(file)
	if err != nil {
		l.fail(file, err)
		return nil, ""
	}
	spec, err := openapi.Parse(data, strings.HasSuffix(file, ".json"))
	if err != nil {
		l.fail(file, err)
		return nil, ""
	}
	return spec, file
}

// productAPIs reads products/<p>/apis.json, the older extractor's list of
// the product's APIs: a JSON list of names, or of objects with a name
// ([{"name": "chat"}]). None when there is no such file.
func (l *loader) productAPIs(dir string) []string {
	file := filepath.Join(dir, productAPIsFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.fail(file, err)
		return nil
	}
	var list []json.RawMessage
	if err := decodeJSON(data, &list); err != nil {
		l.fail(file, fmt.Errorf("%v (expected a list of API names, or of objects with a name)", err))
		return nil
	}
	var names []string
	for i, raw := range list {
		var name string
		if json.Unmarshal(raw, &name) != nil {
			var obj struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(raw, &obj) != nil || obj.Name == "" {
				l.fail(file, fmt.Errorf("item %d is %s: expected an API name, or an object with a name", i, raw))
				return nil
			}
			name = obj.Name
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// Backend is a backend entity of the tree (backends/<name>/backendInformation.json).
type Backend struct {
	Name string
	// URL is the backend's properties.url.
	URL  string
	File string
}

// backends reads the level's backend entities' URLs, for set-backend-service
// backend-id. One that is not JSON is a LoadError naming it.
func (l *loader) backends(dir string) map[string]*Backend {
	out := map[string]*Backend{}
	for _, name := range l.subdirs(filepath.Join(dir, backendsDir)) {
		file := filepath.Join(dir, backendsDir, name, backendFile)
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			l.fail(file, err)
			continue
		}
		var b struct {
			Properties struct {
				URL string `json:"url"`
			} `json:"properties"`
		}
		if err := decodeJSON(data, &b); err != nil {
			l.fail(file, err)
			continue
		}
		out[name] = &Backend{Name: name, URL: b.Properties.URL, File: file}
	}
	return out
}

// valueStart finds where the scalar JSON value that ends before offset
// end (as encoding/json reports a type error) begins: its opening quote,
// or its first character.
func valueStart(data []byte, end int64) int {
	i := min(int(end), len(data)) - 1
	if i < 0 {
		return 0
	}
	if data[i] == '"' {
		return keyStart(data, end)
	}
	for i > 0 && !strings.ContainsRune(" \t\r\n:,[{", rune(data[i-1])) {
		i--
	}
	return i
}

// jsonKind names what a Go type takes, in JSON's words.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(jsonKind(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
