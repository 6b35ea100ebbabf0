package apimpolicy

// Node is one piece of a document: *Element, *Text, *Comment, *CData,
// *ProcInst or *Directive.
type Node interface {
	// Start is where the node begins in the source (invalid for nodes built
	// in code).
	Start() Pos
	node()
}

// Document is a parsed policy document or fragment.
type Document struct {
	// BOM records a UTF-8 byte order mark before the first node.
	BOM bool
	// Nodes are the top-level nodes in order: comments, whitespace and
	// processing instructions around the root element, and the root.
	Nodes []Node
	// Rootless is true for a file of policies with no <policies> or
	// <fragment> root (see ParseLoose): Nodes holds the policies.
	Rootless bool
	// src is the source a parsed document came from: String returns it
	// while the nodes print it.
	src string
}

// Root returns the document's root element, or nil for a rootless
// document.
func (d *Document) Root() *Element {
	if d.Rootless {
		return nil
	}
	for _, n := range d.Nodes {
		if e, ok := n.(*Element); ok {
			return e
		}
	}
	return nil
}

// Element is a tag with its attributes and children.
type Element struct {
	Name     string
	Attrs    []*Attr
	Children []Node
	// SelfClosing is true for <name/>; such an element has no children.
	SelfClosing bool
	// TagSpace is the whitespace written between the last attribute and
	// the closing '>' or "/>" of the start tag.
	TagSpace string
	// EndSpace is the whitespace written between the name and '>' of the
	// end tag.
	EndSpace string
	// Pos is the position of '<'; EndPos that of the end tag's '<' (equal
	// to Pos for a self-closing element).
	Pos, EndPos Pos
}

// Attr is one attribute as written: name="value" or name='value'.
type Attr struct {
	// Space is the whitespace before the name.
	Space string
	Name  string
	// Eq is "=" with the whitespace written around it.
	Eq string
	// Quote is '"' or '\''.
	Quote byte
	// Raw is the value between the quotes, exactly as written: entities
	// unexpanded, policy expressions intact.
	Raw string
	// Exprs are the policy expressions found in Raw.
	Exprs []Expr
	// Pos is the position of the name; ValuePos that of the first byte
	// after the opening quote.
	Pos, ValuePos Pos
}

// Text is character data between tags, as written.
type Text struct {
	Raw   string
	Exprs []Expr
	Pos   Pos
}

// Comment is <!--Raw-->.
type Comment struct {
	Raw string
	Pos Pos
}

// CData is <![CDATA[Raw]]>.
type CData struct {
	Raw   string
	Exprs []Expr
	Pos   Pos
}

// ProcInst is <?Raw?>, such as an XML declaration.
type ProcInst struct {
	Raw string
	Pos Pos
}

// Directive is <!Raw>, such as a DOCTYPE. It is kept, not interpreted.
type Directive struct {
	Raw string
	Pos Pos
}

// Expr is a policy expression: @(...) or @{...}.
type Expr struct {
	// Offset and Len locate the expression, '@' included, in the Raw
	// string of the node that holds it.
	Offset, Len int
	// Pos is where the '@' is in the source.
	Pos Pos
	// Err, when not empty, says why the expression does not scan as C#
	// (a string or bracket left open), and ErrPos where. The parser keeps
	// such an expression only where the attribute's closing quote is
	// evident from the tag around it; APIM would refuse to compile it.
	Err    string
	ErrPos Pos
}

func (e *Element) Start() Pos   { return e.Pos }
func (t *Text) Start() Pos      { return t.Pos }
func (c *Comment) Start() Pos   { return c.Pos }
func (c *CData) Start() Pos     { return c.Pos }
func (p *ProcInst) Start() Pos  { return p.Pos }
func (d *Directive) Start() Pos { return d.Pos }

func (*Element) node()   {}
func (*Text) node()      {}
func (*Comment) node()   {}
func (*CData) node()     {}
func (*ProcInst) node()  {}
func (*Directive) node() {}
