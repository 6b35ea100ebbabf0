package report

import (
	"encoding/json"
	"io"
)

// JSON writes v, a command's output built of Findings, Paths and Problems,
// as indented JSON. <, > and & stay as written: messages quote policy
// elements, and pipelines grep for them.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
