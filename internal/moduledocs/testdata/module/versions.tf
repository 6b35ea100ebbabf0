terraform {
  required_version = ">= 1.8"

  required_providers {
    azurerm = {
      source                = "hashicorp/azurerm"
      version               = ">= 4.0, < 6.0"
      configuration_aliases = [azurerm.hub]
    }
    sseready = {
      source = "sseready/sseready"
    }
    random = "~> 3.6"
  }
}
