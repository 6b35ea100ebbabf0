package streamcheck

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// The attributes request headers come in.
const (
	// FieldHeaders holds headers whose values are in the configuration
	// (and the state).
	FieldHeaders = "headers"
	// FieldHeadersWO holds headers whose values are in the configuration
	// only (write-only: never in the plan or the state).
	FieldHeadersWO = "headers_wo"
	// FieldHeadersFromEnv names, for each header, the environment variable
	// its value is read from when the stream is read: the value is in
	// neither the configuration, the plan nor the state.
	FieldHeadersFromEnv = "headers_from_env"
	// FieldQueryFromEnv names, for each query parameter (API Management's
	// subscription-key), the environment variable its value is read from
	// when the stream is read.
	FieldQueryFromEnv = "query_from_env"
)

// envName is a portable environment variable name.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// headerSource is one attribute's headers.
type headerSource struct {
	field  string
	header map[string]string
}

// mergeHeaders joins the headers given in each attribute. A header given
// twice, in two attributes or twice in one (HTTP names ignore case), is an
// error naming both places: which value would be sent is not for sseready
// to guess.
func mergeHeaders(sources ...headerSource) (http.Header, []*input.Error) {
	var errs []*input.Error
	out := http.Header{}
	where := map[string]string{} // canonical name: the attribute and the name as given
	for _, s := range sources {
		for _, k := range sortedKeys(s.header) {
			c := http.CanonicalHeaderKey(k)
			here := fmt.Sprintf("%s[%q]", s.field, k)
			if first, dup := where[c]; dup {
				errs = append(errs, input.Errorf(s.field, "the header %q is also given as %s: give each header once (HTTP header names ignore case); a key in %s keeps its value out of the plan and the state",
					k, first, FieldHeadersFromEnv))
				continue
			}
			where[c] = here
			if s.field == FieldHeadersFromEnv {
				if !envName.MatchString(s.header[k]) {
					errs = append(errs, notEnvName(s.field, "header", k, "AZURE_OPENAI_KEY"))
				}
				continue
			}
			out.Set(k, s.header[k])
		}
	}
	return out, errs
}

// notEnvName is the error on a value of field (headers_from_env,
// query_from_env) that is no environment variable's name. The value is not
// echoed: it may be the key itself, written where its variable's name
// belongs.
func notEnvName(field, what, name, example string) *input.Error {
	return input.Errorf(field, "the value for the %s %q is not an environment variable name (letters, digits and _, not starting with a digit): give the name of the variable that holds the key, such as %s, not the key", what, name, example)
}

// ReadHeaderEnv reads each header's value from the environment variable
// headers_from_env names for it, in this process's environment: the
// provider's, which terraform starts with its own. A variable that is
// unset or empty is an error naming the header and the variable and what
// to do, never an empty header.
func ReadHeaderEnv(fromEnv map[string]string) (http.Header, []*input.Error) {
	values, errs := readEnv(FieldHeadersFromEnv, "header", fromEnv)
	out := http.Header{}
	for k, v := range values {
		out.Set(k, v)
	}
	return out, errs
}

// ReadQueryEnv reads each query parameter's value from the environment
// variable query_from_env names for it, as ReadHeaderEnv reads headers.
func ReadQueryEnv(fromEnv map[string]string) (url.Values, []*input.Error) {
	values, errs := readEnv(FieldQueryFromEnv, "query parameter", fromEnv)
	out := url.Values{}
	for k, v := range values {
		out.Set(k, v)
	}
	return out, errs
}

func readEnv(field, what string, fromEnv map[string]string) (map[string]string, []*input.Error) {
	var errs []*input.Error
	out := map[string]string{}
	for _, k := range sortedKeys(fromEnv) {
		name := fromEnv[k]
		v, err := input.Env(name)
		if err != nil {
			errs = append(errs, input.Errorf(field, "the %s %q: %v where terraform runs the provider: set it in the environment of terraform plan and apply (export %s=..., or your CI system's secret variables; in HCP Terraform, a sensitive workspace environment variable)",
				what, k, err, name))
			continue
		}
		out[k] = v
	}
	return out, errs
}

// parseQueryEnv checks query_from_env: a parameter name and an
// environment variable's name each, and no parameter the URL's query has
// too.
func parseQueryEnv(rawURL string, fromEnv map[string]string) []*input.Error {
	var errs []*input.Error
	names := url.Values{}
	for _, k := range sortedKeys(fromEnv) {
		names.Set(k, "")
		if k == "" {
			errs = append(errs, input.Errorf(FieldQueryFromEnv, "a query parameter has no name: give its name, such as subscription-key"))
		}
		if !envName.MatchString(fromEnv[k]) {
			errs = append(errs, notEnvName(FieldQueryFromEnv, "query parameter", k, "APIM_SUBSCRIPTION_KEY"))
		}
	}
	for _, k := range probe.QueryGivenTwice(rawURL, names) {
		errs = append(errs, input.Errorf(FieldQueryFromEnv, "the query parameter %q is also in %s: give it once (in %s its value stays out of the plan and the state)", k, FieldURL, FieldQueryFromEnv))
	}
	return errs
}

// URLWarnings are the query parameters of url whose names say they hold a
// key (probe.KeyQueryParam): their values are in the configuration, and
// so in the plan and the state of what keeps them.
func URLWarnings(rawURL string) []*input.Error {
	var out []*input.Error
	for _, k := range probe.KeyQueryParams(rawURL) {
		out = append(out, input.Errorf(FieldURL, "the query parameter %q looks like a key: its value is stored in the plan and the state. Give it in %s instead, such as %s = { %q = \"APIM_SUBSCRIPTION_KEY\" }, with the key in that environment variable where terraform runs",
			k, FieldQueryFromEnv, FieldQueryFromEnv, k))
	}
	return out
}

// WithEnv returns the check with the headers and query parameters that
// come from the environment read into its request. Call it where and when
// the stream is read: the values are held nowhere else.
func (s Spec) WithEnv() (Spec, []*input.Error) {
	h, errs := ReadHeaderEnv(s.headerEnv)
	q, qerrs := ReadQueryEnv(s.queryEnv)
	if errs = append(errs, qerrs...); len(errs) > 0 {
		return s, errs
	}
	s.headerEnv, s.queryEnv = nil, nil
	if len(h) > 0 {
		merged := s.Request.Header.Clone()
		if merged == nil {
			merged = http.Header{}
		}
		for k, v := range h {
			merged[k] = v
		}
		s.Request.Header = merged
	}
	if len(q) > 0 {
		s.Request.Query = q
	}
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
