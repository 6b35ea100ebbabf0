// Package installtest tests `make install` as a user runs it: the provider
// installed into Terraform's implied local mirror, found by a real
// `terraform init` with no provider_installation block, and used by
// `terraform plan`; the sseready command installed into GOBIN. It holds
// tests only.
package installtest
