// Command azurerm-standin serves the test-only azurerm stand-in as a
// provider plugin binary, so a test can install it from a filesystem
// mirror the way terraform init installs azurerm from the registry (see
// azurermstandin.BuildMirror). It is not azurerm and talks to no Azure API.
// It serves the types SSEREADY_STANDIN_TYPES lists (azurermstandin.Start
// sets it to those its configuration names), or every type when unset.
package main

import (
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"

	"github.com/sseready/terraform-provider-sseready/internal/testonly/azurermstandin"
)

func main() {
	err := tf5server.Serve(azurermstandin.Address, func() tfprotov5.ProviderServer { return azurermstandin.NewFor(azurermstandin.TypesFromEnv()) })
	if err != nil {
		log.Fatal(err)
	}
}
