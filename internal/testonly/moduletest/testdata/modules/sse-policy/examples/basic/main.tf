# The module as a root configuration uses it: planned by the harness.
terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
    sseready = {
      source = "sseready/sseready"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "main" {
  name     = "rg-chat"
  location = "westeurope"
}

module "policy" {
  source = "../.."

  api_name            = "chat"
  api_management_name = "apim-chat"
  resource_group_name = azurerm_resource_group.main.name
}

output "xml" {
  value = module.policy.xml
}
