# API Management whose name is not known until apply, with its APIs made by
# a module per API (for_each): every link between the resources is a
# reference, followed through the module's variables.

terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = "00000000-0000-0000-0000-000000000000"
}

resource "azurerm_resource_group" "main" {
  name     = "rg-apis"
  location = "westeurope"
}

resource "azurerm_api_management" "main" {
  name                = "apim-${substr(sha1(azurerm_resource_group.main.id), 0, 8)}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "Contoso"
  publisher_email     = "api@contoso.example"
  sku_name            = "BasicV2_1"
}

resource "azurerm_api_management_policy" "global" {
  api_management_id = azurerm_api_management.main.id
  xml_content       = <<-XML
    <policies>
        <inbound />
        <backend>
            <forward-request timeout="120" buffer-response="false" />
        </backend>
        <outbound />
        <on-error />
    </policies>
  XML
}

module "api" {
  source   = "./modules/api"
  for_each = {
    chat       = "<forward-request timeout=\"120\" buffer-response=\"false\" />"
    embeddings = "<forward-request timeout=\"60\" />"
  }
  name                = each.key
  backend             = each.value
  api_management_name = azurerm_api_management.main.name
  resource_group_name = azurerm_resource_group.main.name
}
