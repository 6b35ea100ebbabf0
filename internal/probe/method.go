package probe

import "strings"

// ValidMethod reports whether m is an HTTP method token (RFC 9110, 9.1),
// as net/http accepts.
func ValidMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < '!' || c > '~' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}
