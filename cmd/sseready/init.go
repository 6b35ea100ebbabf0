package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/modulegen"
)

const initUsage = `Usage: sseready init --out DIR [flags]
       sseready init --out DIR --from-apiops TREE --api NAME [flags]
       sseready init --out DIR --from-plan PLAN.json --api ADDRESS [flags]

Writes a Terraform module for one streaming API behind Azure API
Management into DIR: variables that default to your values, a call of
sseready's apim-sse-api module (and of appgw-sse with --hops app_gateway),
both vendored under DIR/modules as they were tested, a check block on the
whole path, outputs, a README, and a terraform test that proves, with no
Azure account, that the settings stream:
  cd DIR && terraform init && terraform test

The API comes from the flags, or from an existing one: --from-apiops reads
the API NAME of an APIOps tree (what sseready lint DIR reads; NAME;rev=N
writes revision N of NAME), --from-plan the API at ADDRESS
(azurerm_api_management_api.NAME) in terraform show -json output of a plan
or state. A flag you give overrides what the source says (--logger and
--operation replace its loggers and operations); the others keep the
source's values. Without a source, every flag you leave out takes the
default shown. What the source does not hold (a tree has no SKU; no source
has the backend's timing) is assumed: each assumed value is printed
("assumed sku_name = ..."), listed in the README, and a variable's default.
A value from the source that cannot be used is blamed on its file or
resource attribute.

DIR must be empty or missing. --force writes into a directory anyway: a
file sseready init wrote earlier and you did not change is replaced; a
file you changed (or wrote) is kept and named, so delete it and run again
to regenerate it. What the path cannot survive whatever the module sets (a
silence longer than an idle cut, say) is printed as a warning and listed
in the README; the module's test fails on it. So is each error of the
API policy that no safe fix settles, counted: the module's test fails on
those too, at the policy's precondition.

Exit status: 0 when the module was written, 2 for a wrong flag or source
value, an API the source does not have, a directory that is not empty
without --force, or a file that cannot be read or written.

Flags:
`

// initFile is one line of the list of files init wrote.
type initFile struct{ name, note string }

func runInit(args []string, stdout, stderr io.Writer) int {
	def := modulegen.Default()
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the `DIR` to write the module into (required): a new or empty directory, or any with --force")
	force := fs.Bool("force", false, "write into a directory that is not empty: files sseready init wrote are replaced, files you changed are kept")
	fromAPIOps := fs.String("from-apiops", "", "read the API from an APIOps `TREE` (the extractor's output, as sseready lint DIR reads it); needs --api")
	fromPlan := fs.String("from-plan", "", "read the API from `PLAN.json`, terraform show -json output of a plan or state; needs --api")
	api := fs.String("api", "", "the API to read: its `NAME` in --from-apiops's tree, or its ADDRESS in --from-plan's plan (azurerm_api_management_api.NAME)")
	apiName := fs.String("api-name", def.APIName, "the API's `NAME` in API Management")
	apiPath := fs.String("path", "", "the API's URL `SUFFIX`, without a leading slash (default: the API name)")
	backendURL := fs.String("backend-url", def.BackendURL, "the backend's `URL` (the API's service_url)")
	apimName := fs.String("apim-name", def.APIM.Name, "the `NAME` of the API Management instance the API goes on")
	resourceGroup := fs.String("resource-group", def.APIM.ResourceGroup, "the API Management instance's resource `GROUP`")
	sku := fs.String("apim-sku", def.APIM.SKU, "the API Management instance's `SKU` (sku_name), such as StandardV2_1 or Premium_1; not Consumption, which cannot stream")
	hops := fs.String("hops", strings.Join(def.Hops, ","), "the gateways the stream crosses, a comma-separated `LIST` of "+modulegen.HopFrontDoor+", "+modulegen.HopAppGateway+" and "+modulegen.HopAPIM+", such as \"app_gateway,apim\"; apim is always included")
	gap := fs.String("max-event-gap", def.MaxEventGap, "the longest silence the backend keeps without an event, the silence before the first event included (a reasoning model thinking), a `DURATION` such as 90s or 10m")
	heartbeat := fs.String("heartbeat", def.Heartbeat, "how often the backend sends a comment heartbeat when no event goes out, a `DURATION`; \"none\" (or \"\") when it sends none")
	headers := fs.String("max-time-to-headers", def.MaxTimeToHeaders, "the longest the backend takes to send its response headers, a `DURATION`")
	var loggers, operations stringList
	fs.Var(&loggers, "logger", "attach an API Management logger, as `NAME=ID` (an Application Insights logger's azurerm_api_management_logger id) or NAME=ID@azuremonitor; its diagnostic never logs bodies (repeatable; default: none)")
	defOps := make([]string, 0, len(def.Operations))
	for _, id := range slices.Sorted(maps.Keys(def.Operations)) {
		op := def.Operations[id]
		defOps = append(defOps, id+"="+op.Method+":"+op.URLTemplate)
	}
	fs.Var(&operations, "operation", "an operation of the API, as `ID=METHOD:/url/template` (ID is its operation_id), such as \"stream=GET:/events\"; the operations given replace the default "+strings.Join(defOps, ", ")+" (repeatable)")
	fs.Usage = func() { fmt.Fprint(stderr, initUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sseready init: %s\n", fmt.Sprintf(format, a...))
		return exitInput
	}
	switch {
	case fs.NArg() > 0:
		return fail("unexpected argument %q: the module's values come as flags, and its directory as --out DIR", fs.Arg(0))
	case *out == "":
		return fail("--out is required: give the directory to write the module into, such as --out modules/chat")
	case *fromAPIOps != "" && *fromPlan != "":
		return fail("--from-apiops and --from-plan both give the API: give one of them")
	case (*fromAPIOps != "" || *fromPlan != "") && *api == "":
		source, what := "--from-apiops", "NAME: the API's directory name under apis/ in the tree"
		if *fromPlan != "" {
			source, what = "--from-plan", "ADDRESS: the address of its azurerm_api_management_api resource in the plan"
		}
		return fail("%s needs --api %s", source, what)
	case *api != "" && *fromAPIOps == "" && *fromPlan == "":
		return fail("--api names the API to read from --from-apiops TREE or --from-plan PLAN.json: give one of them, or leave --api out to generate from the flags")
	}

	// The flags given, over the source (modulegen.Merge). A flag that does
	// not parse is reported with what modulegen finds wrong with the
	// others, so one run names every wrong flag.
	var f modulegen.Flags
	given := func(name string, v *string) *string {
		if set[name] {
			return v
		}
		return nil
	}
	f.APIName, f.Path, f.BackendURL = given("api-name", apiName), given("path", apiPath), given("backend-url", backendURL)
	f.APIMName, f.ResourceGroup, f.SKU = given("apim-name", apimName), given("resource-group", resourceGroup), given("apim-sku", sku)
	f.MaxEventGap, f.MaxTimeToHeaders = given("max-event-gap", gap), given("max-time-to-headers", headers)
	if set["heartbeat"] {
		h := heartbeatOrNone(*heartbeat)
		f.Heartbeat = &h
	}
	var syntax []string
	if set["hops"] {
		h, err := parseHops(*hops)
		if err != nil {
			syntax = append(syntax, fmt.Sprintf("--hops %q: %v", *hops, err))
		}
		f.Hops = h
	}
	if set["logger"] {
		l, err := parseLoggers(loggers)
		if err != nil {
			syntax = append(syntax, err.Error())
		}
		f.Loggers = l
	}
	if set["operation"] {
		ops, err := parseOperations(operations)
		if err != nil {
			syntax = append(syntax, err.Error())
		}
		f.Operations = ops
	}

	var source *modulegen.Spec
	switch {
	case *fromAPIOps != "":
		s, err := specFromAPIOps(*fromAPIOps, *api)
		if err != nil {
			return initSourceError(stderr, "--from-apiops", err) // its errors name the tree
		}
		source = &s
	case *fromPlan != "":
		data, err := os.ReadFile(*fromPlan)
		if err != nil {
			return fail("--from-plan: %v", err)
		}
		s, err := specFromPlan(data, *api)
		if err != nil {
			return initSourceError(stderr, "--from-plan "+*fromPlan, err)
		}
		source = &s
	}
	spec := modulegen.Merge(source, f)

	files, err := modulegen.Generate(spec)
	var inErr *modulegen.InputError
	if errors.As(err, &inErr) {
		for _, p := range inErr.Problems {
			syntax = append(syntax, p.Text)
		}
	} else if err != nil && len(syntax) == 0 {
		return fail("%v", err)
	}
	if len(syntax) > 0 {
		for _, msg := range syntax {
			fmt.Fprintf(stderr, "sseready init: %s\n", msg)
		}
		return exitInput
	}
	res, err := modulegen.Write(*out, files, spec.Source, *force)
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "wrote the module for the API %s into %s:\n", spec.APIName, *out)
	for _, f := range listWritten(res.Written) {
		if f.note != "" {
			fmt.Fprintf(stdout, "  %-30s %s\n", f.name, f.note)
		} else {
			fmt.Fprintf(stdout, "  %s\n", f.name)
		}
	}
	for _, r := range res.Removed {
		fmt.Fprintf(stdout, "removed %s: an earlier run wrote it, you left it alone, and this run does not generate it\n", r)
	}
	for _, k := range res.Kept {
		fmt.Fprintf(stdout, "kept your change to %s; delete it and run again to regenerate it\n", k)
	}
	for _, a := range spec.Assumptions() {
		fmt.Fprintf(stdout, "assumed %s\n", a)
	}
	fmt.Fprintf(stdout, "next: cd %s && terraform init && terraform test\n", shellQuote(*out))
	if len(spec.Unfixable) > 0 {
		fmt.Fprintf(stderr, "sseready init: warning: %s:\n", spec.UnfixableSummary())
		for _, u := range spec.Unfixable {
			fmt.Fprintf(stderr, "sseready init: warning:   %s\n", u)
		}
	}
	for _, p := range modulegen.Problems(spec) {
		fmt.Fprintf(stderr, "sseready init: warning: %s\n", p)
	}
	return exitOK
}

// The sources of --from-apiops and --from-plan (variables, so the tests
// can give init a source of their own).
var (
	specFromAPIOps = modulegen.FromAPIOps
	specFromPlan   = modulegen.FromPlan
)

// initSourceError prints why the source gave no API: an API it does not
// have is --api's fault (the error lists those it has), anything else the
// source's.
func initSourceError(stderr io.Writer, source string, err error) int {
	if errors.Is(err, modulegen.ErrUnknownAPI) {
		source = "--api"
	}
	fmt.Fprintf(stderr, "sseready init: %s: %v\n", source, err)
	return exitInput
}

// parseHops reads --hops: names separated by commas, apim added when
// left out (the module is for an API behind it). modulegen says which
// names it does not know.
func parseHops(list string) ([]string, error) {
	var hops []string
	for h := range strings.SplitSeq(list, ",") {
		h = strings.TrimSpace(h)
		if h != "" && !slices.Contains(hops, h) {
			hops = append(hops, h)
		}
	}
	if len(hops) == 0 {
		return nil, fmt.Errorf("give the gateways the stream crosses, such as \"app_gateway,apim\"")
	}
	if !slices.Contains(hops, modulegen.HopAPIM) {
		hops = append(hops, modulegen.HopAPIM)
	}
	return hops, nil
}

// heartbeatOrNone reads --heartbeat: "", "none" or a zero duration is
// a backend that sends no heartbeat.
func heartbeatOrNone(v string) string {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "none") {
		return ""
	}
	if d, err := time.ParseDuration(v); err == nil && d == 0 {
		return ""
	}
	return v
}

// parseLoggers reads --logger NAME=ID[@IDENTIFIER].
func parseLoggers(list []string) (map[string]modulegen.Logger, error) {
	loggers := map[string]modulegen.Logger{}
	for _, v := range list {
		name, id, ok := strings.Cut(v, "=")
		name, id = strings.TrimSpace(name), strings.TrimSpace(id)
		if !ok || name == "" || id == "" {
			return nil, fmt.Errorf("--logger %q: write NAME=ID, such as appinsights=/subscriptions/.../loggers/appi (NAME=ID@azuremonitor for an Azure Monitor logger)", v)
		}
		if _, dup := loggers[name]; dup {
			return nil, fmt.Errorf("--logger %q: the logger %s is given twice", v, name)
		}
		l := modulegen.Logger{ID: id, Identifier: "applicationinsights"}
		if i := strings.LastIndex(id, "@"); i >= 0 {
			l.ID, l.Identifier = id[:i], id[i+1:]
			if l.ID == "" || (l.Identifier != "azuremonitor" && l.Identifier != "applicationinsights") {
				return nil, fmt.Errorf("--logger %q: after @ comes azuremonitor (or applicationinsights, the default), as NAME=ID@azuremonitor", v)
			}
		}
		loggers[name] = l
	}
	return loggers, nil
}

// parseOperations reads --operation ID=METHOD:/url/template; the method
// may be written in any case.
func parseOperations(list []string) (map[string]modulegen.Operation, error) {
	ops := map[string]modulegen.Operation{}
	for _, v := range list {
		id, rest, ok := strings.Cut(v, "=")
		method, tmpl, ok2 := strings.Cut(rest, ":")
		id, method, tmpl = strings.TrimSpace(id), strings.TrimSpace(method), strings.TrimSpace(tmpl)
		if !ok || !ok2 || id == "" || method == "" || tmpl == "" {
			return nil, fmt.Errorf("--operation %q: write ID=METHOD:/url/template, such as \"chat-completions=POST:/deployments/{deployment-id}/chat/completions\"", v)
		}
		if _, dup := ops[id]; dup {
			return nil, fmt.Errorf("--operation %q: the operation %s is given twice", v, id)
		}
		ops[id] = modulegen.Operation{DisplayName: id, Method: strings.ToUpper(method), URLTemplate: tmpl}
	}
	return ops, nil
}

// listWritten shortens the files written for the terminal: the module's
// own files one by one, each vendored module as one line.
func listWritten(written []string) []initFile {
	var own, vendored []initFile
	count := map[string]int{}
	for _, name := range written {
		if rest, ok := strings.CutPrefix(name, "modules/"); ok {
			m, _, _ := strings.Cut(rest, "/")
			dir := "modules/" + m + "/"
			if count[dir] == 0 {
				vendored = append(vendored, initFile{name: dir})
			}
			count[dir]++
			continue
		}
		note := initFileNotes[name]
		if strings.HasPrefix(name, "policies/fragments/") {
			note = "a policy fragment it includes"
		}
		own = append(own, initFile{name: name, note: note})
	}
	for i, v := range vendored {
		vendored[i].note = fmt.Sprintf("sseready's module, vendored (%d files)", count[v.name])
	}
	return append(own, vendored...)
}

// initFileNotes say what the module's files hold.
var initFileNotes = map[string]string{
	"README.md":               "what it deploys, its inputs and outputs",
	"main.tf":                 "the stream profile, the module calls, the chain check",
	"variables.tf":            "your values, as defaults",
	"outputs.tf":              "the policy and the path's settings, for your other resources",
	"versions.tf":             "Terraform 1.8 or later, azurerm, sseready",
	"policies/api.xml":        "the API policy, with the safe fixes",
	"tests/prove/main.tf":     "the test's helper: the emulated stream",
	"tests/stream.tftest.hcl": "terraform test: the settings stream",
}

// shellQuote quotes dir for the next command when a shell would split
// or expand it.
func shellQuote(dir string) string {
	if dir != "" && strings.Trim(dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:@,") == "" {
		return dir
	}
	return "'" + strings.ReplaceAll(dir, "'", `'\''`) + "'"
}
