// Package azurermconfigs holds the azurerm configurations that the tests
// of every package plan against the azurerm stand-in
// (internal/testonly/azurermstandin), one copy of each, TEST-ONLY:
//
//   - good: an SSE chat API as it should be: Front Door, Application
//     Gateway, API Management with policies at every scope, diagnostics,
//     a load balancer rule, Azure OpenAI's content filter;
//   - broken: good as it often ends up. It holds only what differs from
//     good (an override file and three policies) and is planned laid over
//     good's files ([Options] says so), as Terraform's override files are
//     merged;
//   - shared: not a configuration of its own, but the resources good and
//     chain both declare word for word (the instance with its global
//     policy, product and chat API, the logger, the network, Front Door's
//     profile, Azure OpenAI); both are planned laid over it, each adding
//     its own resources in its main.tf;
//   - apis: one instance with an LLM chat API, an echo API and a REST API;
//   - flag: the stream flag set in one scope and read in another;
//   - modules: APIs made by a module per API, linked by references;
//   - chain: the stand-in's own realistic chain, Front Door without an
//     origin and API diagnostics that log bodies;
//   - workload: a workload around the chain (a network, a VM, AKS, a key
//     vault, a storage account), wired by values azurerm computes;
//   - legacy-api: a chat API as it often stands, for sseready init
//     --from-plan; consumption-api: one on the Consumption tier.
//
// examples/azurerm is not here: it is the users' example, planned as they
// would plan it (internal/tfplan's TestAzurermExample).
package azurermconfigs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// bases are the configurations laid over another's files: name -> base.
// A base may itself be laid over another.
var bases = map[string]string{"broken": "good", "good": "shared", "chain": "shared"}

// Dir is the directory of the named configuration (for a layered one,
// its own files only: plan it with [Options]).
func Dir(name string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "..", "testonly", "azurermconfigs", name)
	}
	return filepath.Join(filepath.Dir(file), name)
}

// layers are the names the named configuration is planned from, its
// lowest base first and itself last.
func layers(name string) []string {
	names := []string{name}
	for base, ok := bases[name]; ok; base, ok = bases[base] {
		names = append([]string{base}, names...)
	}
	return names
}

// Options are what [azurermstandin.Start] needs beside Dir(name) to plan
// the named configuration: its bases, for a layered one.
func Options(name string) []azurermstandin.Option {
	names := layers(name)
	if len(names) == 1 {
		return nil
	}
	var dirs []string
	for _, base := range names[:len(names)-1] {
		dirs = append(dirs, Dir(base))
	}
	return []azurermstandin.Option{azurermstandin.WithBase(dirs...)}
}

// File is the path of the file rel (slash-separated) of the named
// configuration as terraform plans it: its own, or for a layered one the
// highest base's that has it. A file no layer has is named in Dir(name).
func File(name, rel string) string {
	names := layers(name)
	for i := len(names) - 1; i >= 0; i-- {
		path := filepath.Join(Dir(names[i]), filepath.FromSlash(rel))
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return filepath.Join(Dir(name), filepath.FromSlash(rel))
}

// Plan is [azurermstandin.Plan] of the named configuration.
func Plan(t testing.TB, name string, opts ...azurermstandin.Option) []byte {
	t.Helper()
	return azurermstandin.Plan(t, Dir(name), append(Options(name), opts...)...)
}

// State is [azurermstandin.State] of the named configuration.
func State(t testing.TB, name string, opts ...azurermstandin.Option) []byte {
	t.Helper()
	return azurermstandin.State(t, Dir(name), append(Options(name), opts...)...)
}

// Start is [azurermstandin.Start] in a copy of the named configuration.
func Start(t testing.TB, name string, opts ...azurermstandin.Option) *azurermstandin.Terraform {
	t.Helper()
	return azurermstandin.Start(t, Dir(name), append(Options(name), opts...)...)
}

// Validate is [azurermstandin.Validate] of the named configuration.
func Validate(t testing.TB, name string, opts ...azurermstandin.Option) *azurermstandin.ValidateResult {
	t.Helper()
	return azurermstandin.Validate(t, Dir(name), append(Options(name), opts...)...)
}
