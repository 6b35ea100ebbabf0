package azurermstandin

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
)

// schemaGzip is azurerm's whole schema, gzipped, in the format of
// `terraform providers schema -json` (3 MB of JSON; written by
// tools/azurermstandinschema).
//
//go:embed testdata/azurerm-schema.json.gz
var schemaGzip []byte

// embedded is the catalog of the embedded schema, read once per process
// and shared by every server in it.
var embedded = sync.OnceValues(func() (*catalog, error) {
	data, err := gunzip(schemaGzip)
	if err != nil {
		return nil, fmt.Errorf("azurerm stand-in schema: %w", err)
	}
	return parseCatalog(data)
})

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// catalog is azurerm's schema read as far as the names of its resources
// and data sources: a type's schema is converted to protocol 5 the first
// time it is asked for, and kept. Converting all 1,500 types takes about
// four times as long as reading the names, and a plugin process that
// terraform starts for one command plans a handful of them.
type catalog struct {
	provider    *tfprotov5.Schema
	resources   *lazySchemas
	dataSources *lazySchemas
	// all converts every type, once.
	all func() (*Schemas, error)
}

func parseCatalog(data []byte) (*catalog, error) {
	var doc jsonSchemas
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("azurerm stand-in schema: %w", err)
	}
	p, ok := doc.ProviderSchemas[Address]
	if !ok {
		return nil, fmt.Errorf("azurerm stand-in schema: no provider_schemas entry for %s", Address)
	}
	provider, err := convertSchema(p.Provider)
	if err != nil {
		return nil, fmt.Errorf("azurerm stand-in schema: provider: %w", err)
	}
	return newCatalog(provider, newLazy("resource", p.ResourceSchemas, nil), newLazy("data source", p.DataSourceSchemas, nil)), nil
}

// catalogOf serves schemas already converted.
func catalogOf(s *Schemas) *catalog {
	return newCatalog(s.Provider, newLazy("resource", nil, s.Resources), newLazy("data source", nil, s.DataSources))
}

func newCatalog(provider *tfprotov5.Schema, resources, dataSources *lazySchemas) *catalog {
	c := &catalog{provider: provider, resources: resources, dataSources: dataSources}
	c.all = sync.OnceValues(func() (*Schemas, error) {
		out := &Schemas{Provider: c.provider}
		var err error
		if out.Resources, err = c.resources.convertAll(); err != nil {
			return nil, err
		}
		if out.DataSources, err = c.dataSources.convertAll(); err != nil {
			return nil, err
		}
		return out, nil
	})
	return c
}

// lazySchemas are the schemas of one kind of type, by name: JSON until
// converted.
type lazySchemas struct {
	kind  string
	names []string // sorted
	raw   map[string]json.RawMessage
	mu    sync.Mutex
	done  map[string]*tfprotov5.Schema
}

func newLazy(kind string, raw map[string]json.RawMessage, done map[string]*tfprotov5.Schema) *lazySchemas {
	l := &lazySchemas{kind: kind, raw: raw, done: map[string]*tfprotov5.Schema{}}
	for name, s := range done {
		l.done[name] = s
	}
	names := map[string]bool{}
	for name := range raw {
		names[name] = true
	}
	for name := range done {
		names[name] = true
	}
	l.names = sortedKeys(names)
	return l
}

// get is the named type's schema; ok is false if azurerm has no such type.
func (l *lazySchemas) get(name string) (s *tfprotov5.Schema, ok bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.done[name]; ok {
		return s, true, nil
	}
	raw, ok := l.raw[name]
	if !ok {
		return nil, false, nil
	}
	if s, err = convertRaw(raw); err != nil {
		return nil, true, fmt.Errorf("azurerm stand-in schema: %s %s: %w", l.kind, name, err)
	}
	l.done[name] = s
	return s, true, nil
}

// convertAll converts every schema; the first error, by name, stops it.
func (l *lazySchemas) convertAll() (map[string]*tfprotov5.Schema, error) {
	out := make(map[string]*tfprotov5.Schema, len(l.names))
	for _, name := range l.names {
		s, _, err := l.get(name)
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

// only is the catalog restricted to the named types, resources and data
// sources alike; a name azurerm has no type for is left out, as it is
// missing from the whole schema too. Types already converted are shared.
func (c *catalog) only(names map[string]bool) *catalog {
	return newCatalog(c.provider, c.resources.only(names), c.dataSources.only(names))
}

func (l *lazySchemas) only(names map[string]bool) *lazySchemas {
	l.mu.Lock()
	defer l.mu.Unlock()
	raw, done := map[string]json.RawMessage{}, map[string]*tfprotov5.Schema{}
	for name := range names {
		if s, ok := l.done[name]; ok {
			done[name] = s
		} else if r, ok := l.raw[name]; ok {
			raw[name] = r
		}
	}
	return newLazy(l.kind, raw, done)
}
