package modulegen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apiops"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

// ErrUnknownAPI is an --api the source does not hold.
var ErrUnknownAPI = errors.New("no such API")

// FromAPIOps reads the API named api (its folder: "chat", or "chat;rev=2"
// for a revision) from an APIOps tree at dir: its policy, fixed where the
// fix is safe and kept as a file the module reads (with the fragments it
// includes); from its apiInformation.json (apiops.API.Info) its path,
// backend URL, display name, protocols, subscription settings, revision
// and version; its operations from its specification (apiops.API.Spec);
// and a logger per diagnostic. What the tree does not hold (the instance,
// its SKU, the backend's timing, the hops in front) is assumed (Assumed).
// What the fixes cannot settle along the API's request paths (the global,
// product and operation policies, a finding without a safe fix) goes in
// Unfixable and BeforeYouApply.
func FromAPIOps(dir, api string) (Spec, error) {
	s := Default()
	tree, errs := apiops.Load(dir)
	if tree == nil {
		return s, errors.Join(errs...)
	}
	level, a := findAPI(tree, api)
	if a == nil {
		return s, fmt.Errorf("%w %q in the APIOps tree %s: it has %s", ErrUnknownAPI, api, dir, listOrNone(apiNames(tree)))
	}
	for _, err := range errs {
		var le *apiops.LoadError
		if errors.As(err, &le) && strings.Contains(filepath.ToSlash(le.File), "/apis/"+a.Folder+"/") {
			return s, fmt.Errorf("the API's files cannot be read: %w", err)
		}
	}
	const in = "the APIOps tree"
	folder := filepath.ToSlash(filepath.Join(level.Dir, "apis", a.Folder))
	s.APIName, s.Path = a.Name, a.Name
	s.Origins = map[string]Origin{"api-name": {At: folder, In: in}, "path": {At: folder, In: in}}
	s.Source = fmt.Sprintf("the APIOps tree %s (API %s)", filepath.ToSlash(dir), a.Folder)
	if level.Workspace != "" {
		s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The API is in the workspace %s: the module puts it on the instance itself; move it into the workspace if it must stay there.", level.Workspace))
	}
	// What an APIOps tree never holds, then what this API's files leave out.
	s.assume("api_management", "api_management", "the tree does not name the instance it was extracted from", "apim-name", "resource-group")
	s.assume("sku_name", "api_management_sku_name", "the tree does not hold the instance's SKU", "apim-sku")
	s.assumeTiming("the tree")
	s.assume("hops", "", "the tree does not show what is in front of API Management", "hops")
	s.takeInformation(a, folder)
	s.takeOperations(a)

	if a.Policy != nil {
		src, err := os.ReadFile(a.Policy.File)
		if err != nil {
			return s, err
		}
		frags := map[string][]byte{}
		fragmentOf := func(id string) *apiops.Policy {
			p := level.Fragments[id]
			if p == nil && level != tree {
				p = tree.Fragments[id]
			}
			return p
		}
		// The fragments the policy includes, and those they include, as
		// the parsed documents say (a commented-out include is none).
		ids, missing := apimpolicy.IncludedIDs([]*apimpolicy.Document{a.Policy.Doc}, func(id string) *apimpolicy.Document {
			if p := fragmentOf(id); p != nil {
				return p.Doc
			}
			return nil
		})
		for _, id := range missing {
			s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The policy includes the fragment %s, which the tree does not hold: it is checked as unknown.", id))
		}
		for _, id := range ids {
			if frags[id], err = os.ReadFile(fragmentOf(id).File); err != nil {
				return s, err
			}
		}
		if err := s.fixPolicy(src, frags, filepath.ToSlash(a.Policy.File)); err != nil {
			return s, err
		}
	} else {
		s.BeforeYouApply = append(s.BeforeYouApply, "The API has no policy in the tree: the module renders one with sseready_apim_policy.")
	}

	for _, d := range a.Diagnostics {
		if id := loggerID(d.File); id != "" {
			s.Loggers[d.Identifier] = Logger{ID: id, Identifier: d.Identifier, From: Origin{At: filepath.ToSlash(d.File), In: in}}
		}
	}
	// The rest of the API's request paths: the global, workspace,
	// product and operation policies, and the global diagnostics.
	rep := tree.Check(apimcheck.Options{})
	own := ""
	if a.Policy != nil {
		own = filepath.ToSlash(a.Policy.File)
	}
	for _, f := range rep.Findings {
		if f.Severity != rules.Error || filepath.ToSlash(f.File) == own || !onAPI(f.Paths, a.Folder) {
			continue
		}
		if strings.Contains(filepath.ToSlash(f.File), "/apis/"+a.Folder+"/diagnostics/") {
			s.Fixed = append(s.Fixed, fmt.Sprintf("%s: %s: %s (the module's diagnostics log no bodies)", filepath.ToSlash(f.File), f.Rule, f.Message))
			continue
		}
		s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("%s:%d:%d: %s %s, on the API's path but not in this module: %s",
			filepath.ToSlash(f.File), f.Line, f.Column, f.Severity, f.Rule, f.Message))
	}
	return s, nil
}

// takeInformation takes the API's settings from its apiInformation.json
// (read by apiops), assuming what it leaves out, and its revision from the
// file or, failing that, from the folder's ;rev=N.
func (s *Spec) takeInformation(a *apiops.API, folder string) {
	const in = "the APIOps tree"
	info := a.Info
	file := filepath.ToSlash(a.InfoFile)
	at := Origin{At: file, In: in}
	// lacks says why a property is assumed.
	lacks := func(property string) string {
		if a.Info == nil {
			return "the API has no apiInformation.json"
		}
		return file + " has no " + property
	}
	if info == nil {
		info = &apiops.APIInformation{}
	}

	if p := strings.Trim(info.Path, "/"); p != "" {
		s.Path, s.Origins["path"] = p, at
	} else {
		s.assume("path", "path", lacks("path")+"; the API's name is taken", "path")
	}
	switch {
	case info.ServiceURL != "":
		s.BackendURL, s.Origins["backend-url"] = info.ServiceURL, at
	case a.Info != nil:
		// ARM's API has no serviceUrl when a policy or a backend entity
		// routes the request: null is the API's own setting.
		s.BackendURL = ""
	default:
		s.BackendURL = ""
		s.assume("service_url", "service_url", lacks("serviceUrl")+"; null leaves the routing to the policy", "backend-url")
	}
	if info.DisplayName != "" {
		s.DisplayName = info.DisplayName
	} else {
		s.assume("display_name", "display_name", lacks("displayName")+"; the API's name is taken")
	}
	if len(info.Protocols) > 0 {
		s.Protocols, s.Origins["protocols"] = slices.Clone(info.Protocols), at
	} else {
		s.assume("protocols", "protocols", lacks("protocols"))
	}
	if info.SubscriptionRequired != nil {
		s.SubscriptionRequired = *info.SubscriptionRequired
	} else {
		s.assume("subscription_required", "subscription_required", lacks("subscriptionRequired")+"; azurerm's default")
	}
	if k := info.SubscriptionKeyParameterNames; k != nil {
		s.SubscriptionKey, s.Origins["subscription-key"] = &SubscriptionKey{Header: k.Header, Query: k.Query}, at
	}

	_, folderRev, revFolder := strings.Cut(a.Folder, ";rev=")
	switch {
	case info.APIRevision != "":
		s.Revision, s.Origins["revision"] = info.APIRevision, at
		if revFolder && folderRev != info.APIRevision {
			s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The folder %s is named for revision %s, and %s says apiRevision %s: the module writes revision %s.", folder, folderRev, file, info.APIRevision, info.APIRevision))
		}
	case revFolder:
		s.Revision, s.Origins["revision"] = folderRev, Origin{At: folder, In: in}
	default:
		s.assume("revision", "revision", "neither the folder nor apiInformation.json names a revision")
	}
	if s.Revision != "1" {
		line := fmt.Sprintf("The module writes revision %s of the API %s: its operations, policy and diagnostics go on %s;rev=%s.", s.Revision, s.APIName, s.APIName, s.Revision)
		if info.IsCurrent != nil && !*info.IsCurrent {
			line += " " + file + " says it is not the current revision."
		}
		s.BeforeYouApply = append(s.BeforeYouApply, line)
	}

	switch {
	case info.APIVersion != "" && info.APIVersionSetID != "":
		s.Version, s.VersionSetID = info.APIVersion, info.APIVersionSetID
		s.Origins["api-version"] = at
		if !strings.HasPrefix(strings.ToLower(info.APIVersionSetID), "/subscriptions/") {
			s.assume("version_set_id", "version_set_id", file+" holds it relative to the instance; azurerm takes the version set's ID, azurerm_api_management_api_version_set.NAME.id")
		}
	case info.APIVersion != "":
		s.assume("api_version", "api_version", fmt.Sprintf("%s says version %q but names no version set (apiVersionSetId), which azurerm needs with it: the module writes no version", file, info.APIVersion))
	}
}

// takeOperations takes the operations the API's specification declares,
// each with its method and URL template.
func (s *Spec) takeOperations(a *apiops.API) {
	var names []string
	for _, op := range a.Operations {
		names = append(names, op.Name)
	}
	if a.Spec == nil || len(a.Spec.Operations) == 0 {
		why := "the tree holds no specification for the API"
		if a.Spec != nil {
			why = filepath.ToSlash(a.SpecFile) + " declares no operation"
		}
		s.assume("operations", "operations", why, "operation")
		if len(names) > 0 {
			s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The tree has operation policies for %s, but no specification that declares their methods and URL templates: set var.operations, and deploy the operation policies with azurerm_api_management_api_operation_policy.", strings.Join(names, ", ")))
		}
		return
	}
	spec := filepath.ToSlash(a.SpecFile)
	ops := map[string]Operation{}
	for _, d := range a.Spec.Operations {
		id := d.ID
		if id == "" {
			id = operationIDOf(d.Method, d.Path)
			s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("%s:%d:%d: %s %s has no operationId: the module names it %s.", spec, d.Line, d.Column, d.Method, d.Path, id))
		}
		ops[id] = Operation{DisplayName: id, Method: d.Method, URLTemplate: d.Path, From: Origin{At: fmt.Sprintf("%s:%d:%d", spec, d.Line, d.Column), In: "the APIOps tree"}}
	}
	s.Operations = ops
	if len(names) > 0 {
		s.BeforeYouApply = append(s.BeforeYouApply, fmt.Sprintf("The tree has operation policies for %s: the module declares the operations, not their policies; deploy those with azurerm_api_management_api_operation_policy.", strings.Join(names, ", ")))
	}
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// operationIDOf names an operation the specification gives no operationId:
// its method and URL template in lower case, hyphenated ("post-chat-completions").
func operationIDOf(method, path string) string {
	id := strings.Trim(nonName.ReplaceAllString(strings.ToLower(method+"-"+path), "-"), "-")
	if len(id) > 80 {
		id = strings.TrimRight(id[:80], "-")
	}
	return id
}

// assumeTiming records the backend's timing as assumed: what lacks it
// ("the tree", "the plan") does not hold it.
func (s *Spec) assumeTiming(what string) {
	why := what + " does not hold the backend's timing"
	s.assume("max_event_gap", "max_event_gap", why, "max-event-gap")
	s.assume("heartbeat_interval", "heartbeat_interval", why, "heartbeat")
	s.assume("max_time_to_headers", "max_time_to_headers", why, "max-time-to-headers")
}

// fixPolicy keeps src as the module's policy file with the safe fixes
// applied, recording them, and the errors no safe fix settles in
// Unfixable.
func (s *Spec) fixPolicy(src []byte, frags map[string][]byte, name string) error {
	texts := map[string]string{}
	for id, b := range frags {
		texts[id] = string(b)
	}
	docs, errs := apimcheck.ParseFragments(texts)
	if len(errs) > 0 {
		return fmt.Errorf("%s: %w", name, errs[0])
	}
	fixed, err := apimcheck.Fix(src, apimcheck.Options{Scope: apimcheck.API, Fragments: docs})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	s.Policy = &Policy{XML: fixed.Source, Fragments: frags}
	for _, f := range fixed.Applied {
		s.Fixed = append(s.Fixed, fmt.Sprintf("%s:%d:%d: %s: %s", name, f.Line, f.Column, f.Rule, f.Message))
	}
	for _, f := range fixed.Remaining.Findings {
		if f.Severity == rules.Error {
			s.Unfixable = append(s.Unfixable, fmt.Sprintf("%s (%s after the fixes), line %d, column %d: %s %s has no safe fix: %s",
				name, policyFile, f.Line, f.Column, f.Severity, f.Rule, f.Message))
		}
	}
	return nil
}

func findAPI(t *apiops.Tree, name string) (*apiops.Tree, *apiops.API) {
	for _, level := range append([]*apiops.Tree{t}, t.Workspaces...) {
		for _, a := range level.APIs {
			if a.Folder == name || (a.Name == name && !strings.Contains(a.Folder, ";rev=")) {
				return level, a
			}
		}
	}
	return nil, nil
}

func apiNames(t *apiops.Tree) []string {
	var out []string
	for _, level := range append([]*apiops.Tree{t}, t.Workspaces...) {
		for _, a := range level.APIs {
			out = append(out, a.Folder)
		}
	}
	return out
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "no API"
	}
	return strings.Join(names, ", ")
}

func onAPI(paths []string, folder string) bool {
	for _, p := range paths {
		if strings.Contains(p, "api "+folder) {
			return true
		}
	}
	return false
}

// loggerID reads a diagnostic's properties.loggerId.
func loggerID(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	var d struct {
		Properties struct {
			LoggerID string `json:"loggerId"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(b, &d)
	return d.Properties.LoggerID
}
