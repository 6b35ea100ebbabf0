package azurermstandin

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Address is the provider source address the stand-in answers for: the
// one terraform gives azurerm, so configurations need no change.
const Address = "registry.terraform.io/hashicorp/azurerm"

// Schemas is the provider schema in protocol 5 form.
type Schemas struct {
	Provider    *tfprotov5.Schema
	Resources   map[string]*tfprotov5.Schema
	DataSources map[string]*tfprotov5.Schema
}

// The JSON shapes of `terraform providers schema -json`.
type (
	jsonSchemas struct {
		ProviderSchemas map[string]jsonProvider `json:"provider_schemas"`
	}
	// jsonProvider keeps each resource's and data source's schema as
	// JSON, to be converted when it is first asked for (catalog.go).
	jsonProvider struct {
		Provider          *jsonSchema                `json:"provider"`
		ResourceSchemas   map[string]json.RawMessage `json:"resource_schemas"`
		DataSourceSchemas map[string]json.RawMessage `json:"data_source_schemas"`
	}
	jsonSchema struct {
		Version int64      `json:"version"`
		Block   *jsonBlock `json:"block"`
	}
	jsonBlock struct {
		Attributes      map[string]*jsonAttribute `json:"attributes"`
		BlockTypes      map[string]*jsonBlockType `json:"block_types"`
		Description     string                    `json:"description"`
		DescriptionKind string                    `json:"description_kind"`
		Deprecated      bool                      `json:"deprecated"`
	}
	jsonAttribute struct {
		Type            json.RawMessage `json:"type"`
		NestedType      *jsonNestedType `json:"nested_type"`
		Description     string          `json:"description"`
		DescriptionKind string          `json:"description_kind"`
		Required        bool            `json:"required"`
		Optional        bool            `json:"optional"`
		Computed        bool            `json:"computed"`
		Sensitive       bool            `json:"sensitive"`
		Deprecated      bool            `json:"deprecated"`
		WriteOnly       bool            `json:"write_only"`
	}
	// jsonNestedType is a protocol 6 nested attribute; azurerm has none
	// today, and protocol 5 has no such thing, so it is served as the
	// object type it stands for.
	jsonNestedType struct {
		Attributes  map[string]*jsonAttribute `json:"attributes"`
		NestingMode string                    `json:"nesting_mode"`
	}
	jsonBlockType struct {
		NestingMode string     `json:"nesting_mode"`
		Block       *jsonBlock `json:"block"`
		MinItems    int64      `json:"min_items"`
		MaxItems    int64      `json:"max_items"`
	}
)

// LoadSchemas converts the whole embedded azurerm schema at once (the
// server converts each type when it is first asked for).
func LoadSchemas() (*Schemas, error) {
	c, err := embedded()
	if err != nil {
		return nil, err
	}
	return c.all()
}

// ParseSchemas converts a `terraform providers schema -json` document's
// azurerm entry into protocol 5 schemas. Input it cannot read is an error,
// never a panic: the stand-in reports it as a diagnostic.
func ParseSchemas(data []byte) (*Schemas, error) {
	c, err := parseCatalog(data)
	if err != nil {
		return nil, err
	}
	return c.all()
}

// convertRaw converts one resource's or data source's schema.
func convertRaw(raw json.RawMessage) (*tfprotov5.Schema, error) {
	var s *jsonSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return convertSchema(s)
}

func convertSchema(s *jsonSchema) (*tfprotov5.Schema, error) {
	if s == nil {
		// No provider block: an empty one, as terraform reads it.
		return &tfprotov5.Schema{Block: &tfprotov5.SchemaBlock{}}, nil
	}
	b, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfprotov5.Schema{Version: s.Version, Block: b}, nil
}

func convertBlock(b *jsonBlock) (*tfprotov5.SchemaBlock, error) {
	out := &tfprotov5.SchemaBlock{}
	if b == nil {
		return out, nil
	}
	out.Description = b.Description
	out.DescriptionKind = stringKind(b.DescriptionKind)
	out.Deprecated = b.Deprecated
	// Sorted, so the schema served is the same on every run.
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		if a == nil {
			return nil, fmt.Errorf("attribute %s: empty", name)
		}
		t, err := attributeType(a)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{
			Name: name, Type: t, Description: a.Description, DescriptionKind: stringKind(a.DescriptionKind),
			Required: a.Required, Optional: a.Optional, Computed: a.Computed,
			Sensitive: a.Sensitive, Deprecated: a.Deprecated, WriteOnly: a.WriteOnly,
		})
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		bt := b.BlockTypes[name]
		if bt == nil {
			return nil, fmt.Errorf("block %s: empty", name)
		}
		nesting, err := nestingMode(bt.NestingMode)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		inner, err := convertBlock(bt.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{
			TypeName: name, Block: inner, Nesting: nesting, MinItems: bt.MinItems, MaxItems: bt.MaxItems,
		})
	}
	return out, nil
}

func attributeType(a *jsonAttribute) (tftypes.Type, error) {
	switch {
	case len(a.Type) > 0:
		return parseType(a.Type)
	case a.NestedType != nil:
		return nestedType(a.NestedType)
	}
	return nil, fmt.Errorf("neither type nor nested_type")
}

// nestedType is the type of a protocol 6 nested attribute.
func nestedType(n *jsonNestedType) (tftypes.Type, error) {
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}
	for name, a := range n.Attributes {
		if a == nil {
			return nil, fmt.Errorf("nested attribute %s: empty", name)
		}
		t, err := attributeType(a)
		if err != nil {
			return nil, fmt.Errorf("nested attribute %s: %w", name, err)
		}
		obj.AttributeTypes[name] = t
	}
	switch n.NestingMode {
	case "single", "group":
		return obj, nil
	case "list":
		return tftypes.List{ElementType: obj}, nil
	case "set":
		return tftypes.Set{ElementType: obj}, nil
	case "map":
		return tftypes.Map{ElementType: obj}, nil
	}
	return nil, fmt.Errorf("unknown nesting_mode %q", n.NestingMode)
}

// parseType reads cty's JSON type syntax: "string", "number", "bool",
// "dynamic", ["list"|"set"|"map", T], ["object", {name: T}] (with an
// optional third element, the optional attributes) and ["tuple", [T...]].
func parseType(raw json.RawMessage) (tftypes.Type, error) {
	var prim string
	if json.Unmarshal(raw, &prim) == nil {
		switch prim {
		case "string":
			return tftypes.String, nil
		case "number":
			return tftypes.Number, nil
		case "bool":
			return tftypes.Bool, nil
		case "dynamic":
			return tftypes.DynamicPseudoType, nil
		}
		return nil, fmt.Errorf("unknown type %q", prim)
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) < 2 {
		return nil, fmt.Errorf("unreadable type %s", raw)
	}
	var kind string
	if err := json.Unmarshal(parts[0], &kind); err != nil {
		return nil, fmt.Errorf("unreadable type %s", raw)
	}
	switch kind {
	case "list", "set", "map":
		elem, err := parseType(parts[1])
		if err != nil {
			return nil, err
		}
		switch kind {
		case "list":
			return tftypes.List{ElementType: elem}, nil
		case "set":
			return tftypes.Set{ElementType: elem}, nil
		}
		return tftypes.Map{ElementType: elem}, nil
	case "object":
		return parseObject(parts)
	case "tuple":
		var elems []json.RawMessage
		if err := json.Unmarshal(parts[1], &elems); err != nil {
			return nil, fmt.Errorf("unreadable tuple type %s", raw)
		}
		tuple := tftypes.Tuple{}
		for _, e := range elems {
			t, err := parseType(e)
			if err != nil {
				return nil, err
			}
			tuple.ElementTypes = append(tuple.ElementTypes, t)
		}
		return tuple, nil
	}
	return nil, fmt.Errorf("unknown type %s", raw)
}

func parseObject(parts []json.RawMessage) (tftypes.Type, error) {
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(parts[1], &attrs); err != nil {
		return nil, fmt.Errorf("unreadable object type %s", parts[1])
	}
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}
	for name, raw := range attrs {
		t, err := parseType(raw)
		if err != nil {
			return nil, fmt.Errorf("object attribute %s: %w", name, err)
		}
		obj.AttributeTypes[name] = t
	}
	if len(parts) > 2 {
		var optional []string
		if err := json.Unmarshal(parts[2], &optional); err != nil {
			return nil, fmt.Errorf("unreadable optional attributes %s", parts[2])
		}
		obj.OptionalAttributes = map[string]struct{}{}
		for _, name := range optional {
			if _, ok := obj.AttributeTypes[name]; !ok {
				return nil, fmt.Errorf("optional attribute %s is not in the object", name)
			}
			obj.OptionalAttributes[name] = struct{}{}
		}
	}
	return obj, nil
}

func nestingMode(mode string) (tfprotov5.SchemaNestedBlockNestingMode, error) {
	switch mode {
	case "single":
		return tfprotov5.SchemaNestedBlockNestingModeSingle, nil
	case "group":
		return tfprotov5.SchemaNestedBlockNestingModeGroup, nil
	case "list":
		return tfprotov5.SchemaNestedBlockNestingModeList, nil
	case "set":
		return tfprotov5.SchemaNestedBlockNestingModeSet, nil
	case "map":
		return tfprotov5.SchemaNestedBlockNestingModeMap, nil
	}
	return tfprotov5.SchemaNestedBlockNestingModeInvalid, fmt.Errorf("unknown nesting_mode %q", mode)
}

func stringKind(kind string) tfprotov5.StringKind {
	if kind == "markdown" {
		return tfprotov5.StringKindMarkdown
	}
	return tfprotov5.StringKindPlain
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
