package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// requestFlags are what a stream's client sends, shared by probe and
// load: --method, --data or --data-file, --header, and --header-env and
// --query-env for secrets, which are read from the environment so they
// stay out of argv, shell history and logs.
type requestFlags struct {
	method, data, dataFile       string
	headers, headerEnv, queryEnv stringList
}

func (r *requestFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.method, "method", "GET", "the HTTP method (POST for a chat completions API)")
	fs.StringVar(&r.data, "data", "", `the request body, such as {"stream": true, "messages": [...]} (POST unless --method says otherwise)`)
	fs.StringVar(&r.dataFile, "data-file", "", "read the request body from this file (- for standard input)")
	fs.Var(&r.headers, "header", "a request header, `K:V` (repeatable)")
	fs.Var(&r.headerEnv, "header-env", "a request header whose value is the environment variable's, `NAME=ENVVAR`, such as api-key=AZURE_OPENAI_KEY (repeatable; the value is never printed)")
	fs.Var(&r.queryEnv, "query-env", "a query parameter added after the URL's own, whose value is the environment variable's, `NAME=ENVVAR`, such as subscription-key=APIM_SUBSCRIPTION_KEY (repeatable; the value is never printed)")
}

// request builds the probe.Request, or says which flag is wrong. set
// tells whether --method was given (a body alone means POST).
func (r *requestFlags) request(set map[string]bool, stdin func() ([]byte, error)) (probe.Request, error) {
	out := probe.Request{Method: strings.ToUpper(r.method), Header: http.Header{}}
	switch {
	case r.data != "" && r.dataFile != "":
		return out, fmt.Errorf("give the body once: --data or --data-file, not both")
	case r.data != "":
		out.Body = []byte(r.data)
	case r.dataFile == "-":
		b, err := stdin()
		if err != nil {
			return out, fmt.Errorf("--data-file -: %v", err)
		}
		out.Body = b
	case r.dataFile != "":
		b, err := os.ReadFile(r.dataFile)
		if err != nil {
			return out, fmt.Errorf("--data-file: %v", err)
		}
		out.Body = b
	}
	if out.Body != nil && !set["method"] {
		out.Method = http.MethodPost
	}
	if !probe.ValidMethod(out.Method) {
		return out, fmt.Errorf("--method %q is not an HTTP method, such as GET or POST", r.method)
	}
	for _, h := range r.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return out, fmt.Errorf("--header %q is not K:V", h)
		}
		out.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	for _, h := range r.headerEnv {
		name, v, err := fromEnv("header-env", h, "api-key=AZURE_OPENAI_KEY")
		if err != nil {
			return out, err
		}
		out.Header.Add(strings.TrimSpace(name), v)
	}
	for _, q := range r.queryEnv {
		name, v, err := fromEnv("query-env", q, "subscription-key=APIM_SUBSCRIPTION_KEY")
		if err != nil {
			return out, err
		}
		if out.Query == nil {
			out.Query = url.Values{}
		}
		out.Query.Add(name, v)
	}
	return out, nil
}

// fromEnv reads a --header-env or --query-env value, NAME=ENVVAR: the name
// and the variable's value, or an error naming the flag.
func fromEnv(flag, given, example string) (name, value string, err error) {
	name, env, ok := strings.Cut(given, "=")
	if !ok || strings.TrimSpace(name) == "" || env == "" {
		return "", "", fmt.Errorf("--%s %q is not NAME=ENVVAR, such as %s", flag, given, example)
	}
	if value, err = input.Env(env); err != nil {
		return "", "", fmt.Errorf("--%s %s: %v", flag, strings.TrimSpace(name), err)
	}
	return name, value, nil
}

// givenOnce refuses a --query-env parameter that target's query has too.
func givenOnce(target string, req probe.Request) error {
	if twice := probe.QueryGivenTwice(target, req.Query); len(twice) > 0 {
		return fmt.Errorf("--query-env %s: the URL has this query parameter too: give it once", strings.Join(twice, ", "))
	}
	return nil
}
