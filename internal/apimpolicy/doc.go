// Package apimpolicy reads and writes Azure API Management policy documents
// as APIM itself accepts them ("rawxml"), not as a strict XML parser would.
//
// Real policy files hold C# policy expressions, @(...) and @{...}, whose
// code may contain unescaped '"', '<' and "&&" even inside a double-quoted
// attribute. Most real files are therefore not well-formed XML. This
// package scans expressions with a small C# lexer (strings, verbatim and
// interpolated strings, character literals, comments, brackets) so that the
// XML structure around them is found correctly.
//
// Parsing is lossless: every byte of the input is kept in the tree (the
// whitespace inside tags, the quote style, entities as written), so
// Print(Parse(x)) == x for every document that parses. Edits made through
// the tree (setting an attribute, replacing a node) change only the bytes
// they touch.
//
// Every node carries the line and column where it starts. Columns count
// Unicode characters from 1; a tab counts as one.
package apimpolicy
