// Command terraform-provider-sseready serves the sseready Terraform
// provider over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sseready/terraform-provider-sseready/internal/provider"
)

// version is set by goreleaser to the release being built.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/sseready/sseready",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
