package report

import (
	"fmt"
	"io"
)

// Where is where the text names a finding: its place, "ADDRESS.attribute"
// (check-plan) or the chain's setting (check-chain), with where a setting
// no resource holds came from; or, for a finding only in a file, the file
// (the fragment's, when it is in one). Then ":line:column" in the document
// there, when the finding has a line.
func (f Finding) Where() string {
	s := place(f.Address, f.Attribute, f.Setting)
	switch {
	case s != "" && f.Address == "" && f.Source != "":
		s += " (" + f.Source + ")"
	case s == "" && f.FragmentFile != "":
		s = f.FragmentFile
	case s == "":
		s = f.File
	}
	return s + lineColumn(f.Line, f.Column)
}

// Where is where the text names a problem, as Finding.Where does.
func (p Problem) Where() string {
	s := place(p.Address, p.Attribute, p.Setting)
	if s == "" {
		s = p.File
	}
	return s + lineColumn(p.Line, p.Column)
}

func lineColumn(line, column int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf(":%d:%d", line, column)
}

// Text writes the finding as one line, as compilers do:
//
//	WHERE: severity RULE: message (accepted: reason) [on PATH, and 2 more paths]
//
// the reason only for an accepted finding, the paths only when it has
// them.
func Text(w io.Writer, f Finding) error {
	tail := ""
	if f.Reason != "" {
		tail = " (accepted: " + f.Reason + ")"
	}
	if len(f.Paths) > 0 {
		tail += " [on " + f.Paths[0]
		switch more := len(f.Paths) - 1; {
		case more == 1:
			tail += ", and 1 more path"
		case more > 1:
			tail += fmt.Sprintf(", and %d more paths", more)
		}
		tail += "]"
	}
	_, err := fmt.Fprintf(w, "%s: %s %s: %s%s\n", f.Where(), f.Severity, f.Rule, f.Message, tail)
	return err
}

// ProblemText writes the problem as one line: "WHERE: error: message".
func ProblemText(w io.Writer, p Problem) error {
	_, err := fmt.Fprintf(w, "%s: error: %s\n", p.Where(), p.Message)
	return err
}
