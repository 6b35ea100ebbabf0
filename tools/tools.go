//go:build generate

// Package tools pins the development tools of the repository. `make
// generate` runs the directives below from this directory.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "github.com/goreleaser/goreleaser/v2"
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Format the examples, which the docs embed.
//go:generate terraform fmt -recursive ../examples/

// Generate the docs from the provider schema, templates/ and examples/.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name sseready
