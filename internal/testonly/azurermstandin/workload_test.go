package azurermstandin_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermconfigs"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

// TestWorkload runs azurermconfigs/workload, resource types outside the SSE
// chain (a network, a Linux VM, AKS, a key vault, a storage account),
// through terraform validate, plan and apply, and reads in the state the
// values azurerm computes that other resources and outputs index:
// private_ip_addresses[0], ip_address, kube_config[0].host,
// kubelet_identity[0].object_id, public_ip_addresses[0].
func TestWorkload(t *testing.T) {
	t.Parallel()
	tf := azurermconfigs.Start(t, "workload")
	out, err := tf.Run("validate", "-json", "-no-color")
	var r azurermstandin.ValidateResult
	if jerr := json.Unmarshal(out, &r); jerr != nil || !r.Valid {
		t.Fatalf("azurermconfigs/workload is invalid: %v %v\n%s", err, jerr, r.String())
	}
	tf.MustRun("plan", "-input=false", "-no-color", "-out=standin.tfplan")
	tf.MustRun("apply", "-input=false", "-no-color", "standin.tfplan")
	state := decode(t, tf.MustRun("show", "-json", "-no-color"))
	root := state.Values.RootModule

	const ip = "10.0.0.4"
	aks := root.values(t, "azurerm_kubernetes_cluster.main")
	host, _ := at(aks, "kube_config", 0, "host").(string)
	kubelet, _ := at(aks, "kubelet_identity", 0, "object_id").(string)
	if host == "" || kubelet == "" {
		t.Fatalf("AKS has no kube_config[0].host (%q) or kubelet_identity[0].object_id (%q)", host, kubelet)
	}
	checks := []struct {
		address string
		path    []any
		want    any
	}{
		// The values azurerm computes, indexable.
		{"azurerm_network_interface.vm", []any{"private_ip_addresses", 0}, ip},
		{"azurerm_public_ip.vm", []any{"ip_address"}, ip},
		{"azurerm_linux_virtual_machine.vm", []any{"public_ip_addresses", 0}, ip},
		// ... and where the configuration feeds them.
		{"azurerm_private_dns_a_record.vm", []any{"records", 0}, ip},
		{"azurerm_network_security_rule.ssh", []any{"source_address_prefix"}, ip},
		{"azurerm_network_security_rule.ssh", []any{"destination_address_prefix"}, ip},
		{"azurerm_key_vault_secret.kube_host", []any{"value"}, host},
		{"azurerm_role_assignment.acr_pull", []any{"principal_id"}, kubelet},
		{"azurerm_role_assignment.acr_pull", []any{"scope"}, "/subscriptions/" + azurermstandin.SubscriptionID + "/resourceGroups/rg-work/providers/Microsoft.ContainerRegistry/registries/crwork"},
		{"azurerm_role_assignment.blob_reader", []any{"scope"}, "/subscriptions/" + azurermstandin.SubscriptionID},
		{"azurerm_key_vault.main", []any{"tenant_id"}, azurermstandin.SubscriptionID},
		{"azurerm_kubernetes_cluster.main", []any{"default_node_pool", 0, "vnet_subnet_id"}, "/subscriptions/" + azurermstandin.SubscriptionID + "/resourceGroups/rg-work/providers/Microsoft.Network/virtualNetworks/vnet-work/subnets/snet-aks"},
	}
	for _, c := range checks {
		if got := at(root.values(t, c.address), c.path...); got != c.want {
			t.Errorf("%s %v = %#v, want %#v", c.address, c.path, got, c.want)
		}
	}
	// Settings the configuration leaves out stay empty, as in azurerm.
	vnet := root.values(t, "azurerm_virtual_network.main")
	for _, attr := range []string{"dns_servers", "subnet"} {
		if got := vnet[attr]; !reflect.DeepEqual(got, []any{}) {
			t.Errorf("azurerm_virtual_network.main.%s = %#v, want []", attr, got)
		}
	}
	for name, want := range map[string]any{"vm_public_ip": ip, "vm_private_ip": ip, "kube_host": host} {
		if got := state.Values.Outputs[name].Value; got != want {
			t.Errorf("output %s = %#v, want %#v", name, got, want)
		}
	}

	// Applied as planned, and stable: nothing left to change.
	if out, err := tf.Run("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		t.Errorf("a plan after apply is not empty: %v\n%s", err, out)
	}
}
