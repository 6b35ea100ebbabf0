// Command azurermstandinschema copies azurerm's whole provider schema
// (the output of `terraform providers schema -json`: the provider block,
// every resource, data source, ephemeral resource and function) into
// internal/testonly/azurermstandin/testdata/azurerm-schema.json.gz, gzipped, for
// the test-only azurerm stand-in (internal/testonly/azurermstandin) to embed, so
// its tests never read the schema from outside the repository.
//
//	go run ./azurermstandinschema -in ../../shared/azurerm/schema.json -out ../internal/testonly/azurermstandin/testdata/azurerm-schema.json.gz
//
// The copy is the input's azurerm entry unchanged, in compact JSON, with
// a "comment" naming where it came from. Nothing is left out: terraform
// validates a configuration against exactly what is served, so a
// resource missing or cut short would reject valid azurerm
// configurations. The output is written only when its JSON differs from
// what the file holds, so regenerating from the same schema leaves the
// committed file as it is, whatever the Go version's gzip makes of it.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
)

const provider = "registry.terraform.io/hashicorp/azurerm"

func main() {
	in := flag.String("in", "", "the full schema JSON")
	out := flag.String("out", "", "where to write the gzipped copy")
	source := flag.String("source", "azurerm commit 69697b7 (August 2026, version line 5.2), from the steering repository's shared/azurerm/schema.json", "where the full schema came from")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	doc, err := copySchema(data, *source)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	if old, err := readGzip(*out); err == nil && bytes.Equal(old, doc) {
		log.Printf("%s is up to date", *out)
		return
	}
	gz, err := gzipped(doc)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, gz, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s: %d bytes of JSON, %d gzipped", *out, len(doc), len(gz))
}

// copySchema is the document the stand-in embeds: format_version and the
// azurerm entry of provider_schemas, each part as it is in the input.
func copySchema(data []byte, source string) ([]byte, error) {
	var full struct {
		FormatVersion   string                                `json:"format_version"`
		ProviderSchemas map[string]map[string]json.RawMessage `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &full); err != nil {
		return nil, err
	}
	azurerm, ok := full.ProviderSchemas[provider]
	if !ok || azurerm["provider"] == nil || azurerm["resource_schemas"] == nil {
		return nil, fmt.Errorf("no provider or resource schemas for %s", provider)
	}
	doc := map[string]any{
		"comment":          "azurerm's whole provider schema, served by the test-only stand-in internal/testonly/azurermstandin: " + source + ". Regenerate with tools/azurermstandinschema.",
		"format_version":   full.FormatVersion,
		"provider_schemas": map[string]any{provider: azurerm},
	}
	// Map keys sorted: the same input, the same bytes; <, > and & in the
	// descriptions stay as they are.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	// No name and no time in the header: the same JSON, the same file.
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
