package openapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// oas3 is a specification as APIM exports it for the APIOps extractor
// (OpenAPI 3, YAML): operationId is the operation's name.
const oas3 = `openapi: 3.0.1
info:
  title: chat
  version: '1.0'
servers:
  - url: https://contoso.azure-api.net/openai
paths:
  '/deployments/{deployment-id}/chat/completions':
    parameters:
      - name: deployment-id
        in: path
        required: true
        schema: { type: string }
    post:
      operationId: createChatCompletion
      responses:
        '200':
          description: OK
          content:
            application/json: { schema: { type: object } }
            text/event-stream: { schema: { type: string } }
        default:
          $ref: '#/components/responses/Error'
  /models:
    get:
      operationId: listModels
      responses:
        '200':
          description: OK
          content:
            application/json: {}
    delete:
      responses:
        '204':
          description: gone
components:
  responses:
    Error:
      description: error
      content:
        application/problem+json: {}
`

// swagger is OpenAPI 2 as JSON: produces at the root, overridden by one
// operation.
const swagger = `{
  "swagger": "2.0",
  "info": {"title": "orders", "version": "1"},
  "produces": ["application/json"],
  "paths": {
    "/orders": {
      "get": {"operationId": "list-orders", "responses": {"200": {"description": "ok"}}},
      "post": {"operationId": "create-order", "produces": ["application/xml", "application/json"], "responses": {"201": {"description": "ok"}}}
    }
  }
}`

func summary(s *Spec) []string {
	var out []string
	for _, o := range s.Operations {
		out = append(out, fmt.Sprintf("%s %s %s [%s] @%d:%d", o.Name(), o.Method, o.Path, strings.Join(o.MediaTypes, ","), o.Line, o.Column))
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		json    bool
		version string
		want    []string
	}{
		{"OpenAPI 3 YAML", oas3, false, "3.0.1", []string{
			"createChatCompletion POST /deployments/{deployment-id}/chat/completions [application/json,text/event-stream,application/problem+json] @14:5",
			"listModels GET /models [application/json] @25:5",
			"DELETE /models DELETE /models [] @32:5",
		}},
		{"OpenAPI 2 JSON", swagger, true, "2.0", []string{
			"list-orders GET /orders [application/json] @7:7",
			"create-order POST /orders [application/xml,application/json] @8:7",
		}},
		{"no paths", "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n", false, "3.1.0", nil},
		{"a response in another document leaves the media types unknown", "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {description: ok, content: {application/json: {}}}\n        '500': {$ref: 'common.yaml#/components/responses/Error'}\n", false, "3.0.1", []string{"a GET /a [] @4:5"}},
		{"YAML aliases", "openapi: 3.0.1\nx-ok: &ok {description: ok, content: {application/json: {}}}\npaths:\n  /a:\n    get: &op\n      operationId: a\n      responses: {'200': *ok}\n  /b:\n    get: *op\n", false, "3.0.1", []string{"a GET /a [application/json] @5:5", "a GET /b [application/json] @9:5"}},
		{"tabs in JSON", "{\n\t\"openapi\": \"3.0.0\",\n\t\"paths\": {\"/a\": {\"get\": {\"operationId\": \"a\"}}}\n}", true, "3.0.0", []string{"a GET /a [] @3:19"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.src), tt.json)
			if err != nil {
				t.Fatal(err)
			}
			if s.Version != tt.version {
				t.Errorf("version %q, want %q", s.Version, tt.version)
			}
			if got := summary(s); !slices.Equal(got, tt.want) {
				t.Errorf("operations\n  %q\nwant\n  %q", got, tt.want)
			}
		})
	}
}

// What cannot be read is a SyntaxError placed at its line (and column
// where the parser gives one), never a panic.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		json      bool
		line, col int
		msg       string
	}{
		{"YAML that does not parse", "openapi: 3.0.1\npaths:\n  /a:\n    get: {\n", false, 4, 0, "did not find expected node content"},
		{"JSON with a trailing comma", "{\n  \"openapi\": \"3.0.1\",\n}", true, 3, 1, "invalid character '}'"},
		{"JSON cut short", "{\n  \"openapi\": \"3.0.1\",\n  \"paths\": {", true, 3, 0, "ends before its last value"},
		{"two JSON values", "{\"openapi\": \"3.0.1\"}\n{}", true, 2, 1, "more than one JSON value"},
		{"empty JSON", "  \n", true, 1, 0, "empty"},
		{"empty YAML", "", false, 1, 0, "empty"},
		{"not a mapping", "- a\n- b\n", false, 1, 1, "is a list, not a mapping"},
		{"not OpenAPI", "info: {title: x}\npaths: {}\n", false, 1, 1, "neither openapi nor swagger"},
		{"paths a list", "openapi: 3.0.1\npaths:\n  - /a\n", false, 3, 3, "paths is a list"},
		{"operation a string", "openapi: 3.0.1\npaths:\n  /a:\n    get: nothing\n", false, 4, 10, `paths./a.get is the scalar "nothing", not an operation`},
		{"content a list", "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          content: [a]\n", false, 7, 20, "content is a list"},
		{"dangling $ref", "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n", false, 6, 23, `does not point at a response`},
		{"produces a string", "swagger: '2.0'\nproduces: application/json\npaths: {}\n", false, 2, 11, "produces is the scalar"},
		{"operationId a list", "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      operationId: [a]\n", false, 5, 20, "operationId is a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), tt.json)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a SyntaxError", err, err)
			}
			if se.Line != tt.line || se.Column != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("%d:%d %q, want %d:%d %q", se.Line, se.Column, se.Msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestSyntaxErrorText(t *testing.T) {
	for _, tt := range []struct {
		e    SyntaxError
		want string
	}{
		{SyntaxError{Line: 3, Column: 5, Msg: "m"}, "line 3, column 5: m"},
		{SyntaxError{Line: 3, Msg: "m"}, "line 3: m"},
		{SyntaxError{Msg: "m"}, "m"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}

// A $ref that loops is an error, not a hang.
func TestRefLoop(t *testing.T) {
	src := "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/A'}\ncomponents:\n  responses:\n    A: {$ref: '#/components/responses/B'}\n    B: {$ref: '#/components/responses/A'}\n"
	if _, err := Parse([]byte(src), false); err == nil || !strings.Contains(err.Error(), "circles") {
		t.Fatalf("error %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(oas3), false)
	f.Add([]byte(swagger), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		s, err := Parse(data, isJSON)
		if (s == nil) == (err == nil) {
			t.Fatalf("spec %v and error %v", s, err)
		}
	})
}
