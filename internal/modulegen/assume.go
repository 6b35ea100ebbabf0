package modulegen

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Assumption is a value the source does not hold: the module assumes it,
// as the default of a variable, and says so in sseready init's output and
// in its README.
type Assumption struct {
	// Setting is what is assumed, as the module's variables and azurerm
	// call it: sku_name, max_event_gap, operations, hops ...
	Setting string
	// Variable is the generated module's variable that holds it ("" for
	// the hops, which decide the files written and are no variable).
	Variable string
	// Why says what the source lacks: "the tree does not hold the
	// instance's SKU".
	Why string
	// Flags are the sseready init flags that give the value instead
	// (without the dashes); when all are given, nothing is assumed.
	Flags []string
}

// assume records that setting is assumed, held by variable and given by
// flags.
func (s *Spec) assume(setting, variable, why string, flags ...string) {
	s.Assumed = append(s.Assumed, Assumption{Setting: setting, Variable: variable, Why: why, Flags: flags})
}

// Assumptions say what the module assumes, one line each, for the output
// and the README: `sku_name = "StandardV2_1" (the tree does not hold the
// instance's SKU): set var.api_management_sku_name, or give --apim-sku`.
func (s Spec) Assumptions() []string {
	var out []string
	for _, a := range s.Assumed {
		flags := make([]string, len(a.Flags))
		for i, f := range a.Flags {
			flags[i] = "--" + f
		}
		line := fmt.Sprintf("%s = %s (%s): ", a.Setting, s.valueOf(a.Setting), a.Why)
		switch {
		case a.Variable == "":
			line += "give " + joinAnd(flags) + " (they decide which files are written: no variable holds them)"
		case len(flags) == 0:
			line += "set var." + a.Variable
		default:
			line += "set var." + a.Variable + ", or give " + joinAnd(flags)
		}
		out = append(out, line)
	}
	return out
}

// valueOf renders the spec's value of an assumed setting as HCL writes
// it.
func (s Spec) valueOf(setting string) string {
	str := func(v string) string {
		if v == "" {
			return "null"
		}
		return strconv.Quote(v)
	}
	switch setting {
	case "api_management":
		return fmt.Sprintf("{ name = %s, resource_group_name = %s }", str(s.APIM.Name), str(s.APIM.ResourceGroup))
	case "path":
		return str(s.Path)
	case "sku_name":
		return str(s.APIM.SKU)
	case "max_event_gap":
		return str(s.MaxEventGap)
	case "heartbeat_interval":
		return str(s.Heartbeat)
	case "max_time_to_headers":
		return str(s.MaxTimeToHeaders)
	case "hops":
		return strings.Join(s.Hops, ",")
	case "operations":
		var ops []string
		for _, id := range slices.Sorted(maps.Keys(s.Operations)) {
			op := s.Operations[id]
			ops = append(ops, fmt.Sprintf("%s = %s %s", id, op.Method, op.URLTemplate))
		}
		return "{ " + strings.Join(ops, ", ") + " }"
	case "display_name":
		if s.DisplayName == "" {
			return str(s.APIName)
		}
		return str(s.DisplayName)
	case "protocols":
		q := make([]string, len(s.Protocols))
		for i, p := range s.Protocols {
			q[i] = strconv.Quote(p)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case "subscription_required":
		return strconv.FormatBool(s.SubscriptionRequired)
	case "revision":
		return str(s.Revision)
	case "service_url":
		return str(s.BackendURL)
	case "api_version":
		return str(s.Version)
	case "version_set_id":
		return str(s.VersionSetID)
	}
	return "?"
}

// UnfixableSummary says how many of the policy's errors no safe fix
// settles, and what that does to the module: its test's first run stops
// at the API policy's precondition (check_apim_policy), as a plan or an
// apply of the module does. "" when there are none.
func (s Spec) UnfixableSummary() string {
	n := len(s.Unfixable)
	if n == 0 {
		return ""
	}
	what := fmt.Sprintf("%d errors in the API policy have", n)
	if n == 1 {
		what = "1 error in the API policy has"
	}
	return what + " no safe fix: the module's terraform test fails on them (its first run, settings, stops at the API policy's precondition, check_apim_policy, as terraform plan and apply do) until you change " + policyFile
}

// Flags are the values of sseready init's flags that the user gave: a
// nil pointer, slice or map is a flag not given.
type Flags struct {
	APIName, Path, BackendURL                *string
	APIMName, ResourceGroup, SKU             *string
	Hops                                     []string
	MaxEventGap, Heartbeat, MaxTimeToHeaders *string
	Loggers                                  map[string]Logger
	Operations                               map[string]Operation
}

// given lists the flags set, by name without the dashes, sorted.
func (f Flags) given() []string {
	var out []string
	for name, set := range map[string]bool{
		"api-name": f.APIName != nil, "path": f.Path != nil, "backend-url": f.BackendURL != nil,
		"apim-name": f.APIMName != nil, "resource-group": f.ResourceGroup != nil, "apim-sku": f.SKU != nil,
		"hops": f.Hops != nil, "max-event-gap": f.MaxEventGap != nil, "heartbeat": f.Heartbeat != nil,
		"max-time-to-headers": f.MaxTimeToHeaders != nil, "logger": f.Loggers != nil, "operation": f.Operations != nil,
	} {
		if set {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Merge is the spec sseready init generates: the flags given over the
// source's spec, or over Default's when source is nil (the path then
// follows the API name unless --path is given). --logger and --operation
// replace the source's loggers and operations as a whole. A value a flag
// replaces is no longer the source's: its origin goes (a problem with it
// names the flag) and so does its assumption, once every flag it names is
// given; Source says which flags were given.
func Merge(source *Spec, f Flags) Spec {
	var s Spec
	if source != nil {
		s = *source
		s.Origins = maps.Clone(source.Origins)
		s.Assumed = slices.Clone(source.Assumed)
	} else {
		s = Default()
	}
	if s.Origins == nil {
		s.Origins = map[string]Origin{}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.APIName, f.APIName)
	set(&s.Path, f.Path)
	if source == nil && f.Path == nil {
		s.Path = s.APIName
	}
	set(&s.BackendURL, f.BackendURL)
	set(&s.APIM.Name, f.APIMName)
	set(&s.APIM.ResourceGroup, f.ResourceGroup)
	set(&s.APIM.SKU, f.SKU)
	if f.Hops != nil {
		s.Hops = slices.Clone(f.Hops)
	}
	set(&s.MaxEventGap, f.MaxEventGap)
	set(&s.Heartbeat, f.Heartbeat)
	set(&s.MaxTimeToHeaders, f.MaxTimeToHeaders)
	if f.Loggers != nil {
		s.Loggers = maps.Clone(f.Loggers)
	}
	if f.Operations != nil {
		s.Operations = maps.Clone(f.Operations)
	}

	given := f.given()
	for _, flag := range given {
		delete(s.Origins, flag)
	}
	s.Assumed = slices.DeleteFunc(s.Assumed, func(a Assumption) bool {
		return len(a.Flags) > 0 && !slices.ContainsFunc(a.Flags, func(fl string) bool { return !slices.Contains(given, fl) })
	})
	if source != nil && len(given) > 0 {
		flags := make([]string, len(given))
		for i, g := range given {
			flags[i] = "--" + g
		}
		s.Source += ", with " + joinAnd(flags) + " given on the command line"
	}
	return s
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
