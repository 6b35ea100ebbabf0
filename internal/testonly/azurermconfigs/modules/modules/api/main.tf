terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

variable "name" {
  type = string
}

variable "backend" {
  type = string
}

variable "api_management_name" {
  type = string
}

variable "resource_group_name" {
  type = string
}

resource "azurerm_api_management_api" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  api_management_name = var.api_management_name
  revision            = "1"
  display_name        = var.name
  path                = var.name
  protocols           = ["https"]
}

resource "azurerm_api_management_api_policy" "this" {
  api_name            = azurerm_api_management_api.this.name
  api_management_name = var.api_management_name
  resource_group_name = var.resource_group_name
  xml_content         = <<-XML
    <policies>
        <inbound>
            <base />
        </inbound>
        <backend>
            ${var.backend}
        </backend>
        <outbound>
            <base />
        </outbound>
        <on-error>
            <base />
        </on-error>
    </policies>
  XML
}

resource "azurerm_api_management_api_operation" "stream" {
  operation_id        = "stream"
  api_name            = azurerm_api_management_api.this.name
  api_management_name = var.api_management_name
  resource_group_name = var.resource_group_name
  display_name        = "Stream"
  method              = "POST"
  url_template        = "/stream"
}

resource "azurerm_api_management_api_operation_policy" "stream" {
  api_name            = azurerm_api_management_api_operation.stream.api_name
  operation_id        = azurerm_api_management_api_operation.stream.operation_id
  api_management_name = var.api_management_name
  resource_group_name = var.resource_group_name
  xml_content         = <<-XML
    <policies>
        <inbound>
            <base />
        </inbound>
        <backend>
            <base />
        </backend>
        <outbound>
            <base />
        </outbound>
        <on-error>
            <base />
        </on-error>
    </policies>
  XML
}

output "api_id" {
  value = azurerm_api_management_api.this.id
}
