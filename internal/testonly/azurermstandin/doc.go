// Package azurermstandin is a TEST-ONLY STAND-IN for the azurerm Terraform
// provider (registry.terraform.io/hashicorp/azurerm). It is not azurerm and
// talks to no Azure API.
//
// Why it exists: sseready checks azurerm configurations (`sseready
// check-plan` reads `terraform show -json`), and its tests need real plan
// and state JSON written by the real terraform binary. The azurerm binary
// cannot be downloaded where the tests run, so this package serves
// azurerm's real schema over the plugin protocol azurerm speaks (protocol
// 5), in the test process, and plans what it is given:
//
//   - the schema is azurerm's own and whole: every resource type and data
//     source of azurerm 5.2 (testdata/azurerm-schema.json.gz, 3 MB of JSON
//     gzipped to 0.2 MB, written by tools/azurermstandinschema and
//     embedded; catalog.go reads it once per process and converts each
//     type when first asked for), so `terraform validate` rejects what
//     azurerm would reject by schema (names, types, required attributes
//     and blocks), not azurerm's value validators (ranges, enums), which
//     live in azurerm's Go code;
//   - a plan is Terraform's proposed new state, with computed attributes
//     the configuration leaves null unknown on create (and kept on
//     update), as are list and set blocks whose attributes are all
//     computed, such as kubelet_identity (plan.go's computedBlock), and a
//     few documented azurerm defaults filled in (defaults.go);
//   - an apply fills every unknown with a deterministic stand-in value
//     (fill.go), so real configurations can index what azurerm computes
//     (`private_ip_addresses[0]`, `kube_config[0].host`): an unknown list
//     or set gets one element, unless it is an optional attribute the
//     configuration left out (it stays empty, as azurerm leaves a setting
//     nobody set: dns_servers, inline subnets, access policies); an
//     unknown object (such an element too) gets each of its attributes
//     filled by the same rule; a string gets a plausible ARM resource ID
//     if it is an `id` (ids.go; a nested one is its resource's ID, the
//     block's name and the element's name), 10.0.0.4 if its name says it
//     holds IP addresses (private_ip_address, public_ip_addresses,
//     ..._ip, ..._ips), else "standin-<name>" (an element takes its
//     collection's name); numbers get 0, bools false, maps stay empty,
//     dynamic values null;
//   - a data source answers with its configuration and, for every
//     computed attribute it leaves null, the values an apply would give
//     (the subscription and tenant of azurerm_client_config and
//     azurerm_subscription are fixed: [SubscriptionID]);
//   - a read returns the state as it is; import is refused.
//
// Tests use it through [Plan], [State] and [Validate], which serve the
// stand-in in-process, point terraform at it with TF_REATTACH_PROVIDERS
// and run the real `terraform init`, `plan`, `apply`, `show -json` and
// `validate` in a copy of a configuration directory (see [Start]):
//
//	plan := azurermstandin.Plan(t, dir)   // show -json of a saved plan
//	state := azurermstandin.State(t, dir) // show -json of the state after apply
//	r := azurermstandin.Validate(t, dir, azurermstandin.WithProvider(
//		"registry.terraform.io/sseready/sseready", providerserver.NewProtocol6(provider.New("test")())))
//	if !r.Valid { t.Error(r) }
//
// With [WithMirror], Start serves nothing in-process: [BuildMirror]
// builds the stand-in (cmd/azurerm-standin) and other providers into a
// filesystem mirror, and terraform init installs them from it as it
// installs azurerm from the registry, version constraints, lock file and
// plugin processes included (the modules' tests run that way).
//
// [Start] returns the working directory for other commands (a second plan
// after an apply, say). [AzurermDirs] finds the configurations under a
// tree that declare azurerm resources. The configurations the tests plan
// are in internal/testonly/azurermconfigs, one copy each.
//
// What the whole schema costs, as azurerm's own does: terraform fetches
// it once per command (the stand-in declares GetProviderSchemaOptional)
// and spends about 0.3 s converting and checking its 1,500 types; the
// stand-in reads it once per process (about 0.05 s: a plugin process
// starts about 0.1 s later than with a subset) and converts each type
// when first asked for, all of them (about 0.1 s) for the first
// GetProviderSchema. So [Start] serves the types its configuration
// names ([ConfigTypes], [NewFor]), which terraform validates, plans and
// applies exactly as against the whole schema, in a few milliseconds;
// [WithWholeSchema] serves all of them, for the tests of the whole
// schema.
//
// What the stand-in does not do, unlike azurerm: replace a resource (no
// attribute forces a new one; every change is an update in place), run
// azurerm's value validators and CustomizeDiff, fill defaults beyond those
// in defaults.go, import, or serve functions and ephemeral resources
// (the schema has them; they are not served). Where Azure would compute
// a value the stand-in only makes one up: a collection that is computed
// and optional is empty when the configuration leaves it out, even where
// Azure would fill it in, and every IP address is 10.0.0.4.
package azurermstandin
