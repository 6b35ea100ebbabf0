package probe

import (
	"errors"
	"net/url"
	"sort"
	"strings"
)

// Redacted stands where a secret was: in the errors the probe reports, in
// the provider's problems and state, and in CI logs.
const Redacted = "REDACTED"

// secretWords are what a query parameter's name says when its value is a
// credential: API Management's subscription-key (its default query name;
// APIs may name it otherwise), api-key, access_token, a SAS token's sig,
// Azure Functions' code. A name that only looks like one (country_code)
// costs its value in a message, never more.
var secretWords = []string{"key", "token", "secret", "password", "passwd", "sig", "code", "auth", "credential"}

// SecretQueryParam reports whether a query parameter's name says its value
// is a credential, which no message may repeat.
func SecretQueryParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// KeyQueryParam reports whether a query parameter's name says, beyond
// doubt, that its value is a key: it ends in key, token, secret or
// password (subscription-key, api-key, access_token, client_secret), or
// it is sig (a SAS token's signature) or code (an Azure Function's key).
// It is narrower than SecretQueryParam, which only decides what a message
// hides: a warning on a name that merely contains "auth" or "code"
// (author, country_code) would cry wolf.
func KeyQueryParam(name string) bool {
	n := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(name))
	for _, end := range []string{"key", "token", "secret", "password"} {
		if strings.HasSuffix(n, end) {
			return true
		}
	}
	return n == "sig" || n == "code"
}

// KeyQueryParams are the parameters of rawURL's query that KeyQueryParam
// calls keys, in the order given, each once.
func KeyQueryParams(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if name, err := url.QueryUnescape(k); err == nil && KeyQueryParam(name) && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// QueryGivenTwice lists the parameters of q that rawURL's query has too,
// sorted: sent twice, which one a gateway reads is not for sseready to
// guess.
func QueryGivenTwice(rawURL string, q url.Values) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	own := u.Query()
	var out []string
	for k := range q {
		if own.Has(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// RedactURL is rawURL with the value of every secret query parameter (by
// name, and every parameter in also, which came from a secret store) and
// a userinfo password replaced by Redacted. The rest of the query keeps its
// order and bytes; a string that is not a URL is returned as it is.
func RedactURL(rawURL string, also url.Values) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), Redacted)
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, kv := range parts {
			k, _, hasValue := strings.Cut(kv, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if _, given := also[name]; hasValue && (given || SecretQueryParam(name)) {
				parts[i] = k + "=" + Redacted
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.String()
}

// redactError is err's text with the URL a *url.Error carries redacted
// (Go's client hides a URL's password there, not its query).
func redactError(err error, also url.Values) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err.Error()
	}
	safe := RedactURL(ue.URL, also)
	if safe == ue.URL {
		return err.Error()
	}
	return strings.ReplaceAll(err.Error(), ue.URL, safe)
}
