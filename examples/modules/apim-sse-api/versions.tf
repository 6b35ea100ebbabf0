terraform {
  # Provider-defined functions (apim_sku_supports_sse, check_apim_policy)
  # need Terraform 1.8 or OpenTofu 1.7.
  required_version = ">= 1.8"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0"
    }
    sseready = {
      source = "sseready/sseready"
    }
  }
}
