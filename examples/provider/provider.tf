terraform {
  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}

# The provider has no settings: it calls no Azure API, so it works in
# `terraform plan` without credentials.
provider "sseready" {}
