// Package input holds what every domain package needs to say about bad
// input: an error that names the input (and, for XML, the place in it),
// and the parsing of durations as users write them.
package input

import (
	"fmt"
	"strings"
	"time"
)

// Error is a problem with one input. Field is the provider's attribute
// name, so a Terraform diagnostic can point at the attribute; Line and
// Column place the problem inside an XML input (0 otherwise).
type Error struct {
	Field        string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s, line %d, column %d: %s", e.Field, e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// Errorf builds an Error for field.
func Errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Duration reads a positive duration written in Go's syntax ("90s",
// "4m", "1h30m"). Zero and negative durations are errors: every duration
// sseready takes is a length of time that must pass.
func Duration(field, s string) (time.Duration, *Error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil:
		return 0, Errorf(field, "%q is not a duration: write it as Go does, such as \"90s\", \"4m\" or \"1h30m\"", s)
	case d < 0:
		return 0, Errorf(field, "%q is negative: a duration is a length of time, such as \"90s\"", s)
	case d == 0:
		return 0, Errorf(field, "%q is zero: give a length of time, such as \"90s\" (leave the attribute out if it does not apply)", s)
	}
	return d, nil
}

// Seconds renders d as a whole number of seconds, rounded up: timeouts
// derived from it must not fall short.
func Seconds(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}
