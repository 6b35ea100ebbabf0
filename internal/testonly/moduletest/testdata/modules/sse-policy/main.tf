# A fixture module for the harness's own test: an API policy rendered by
# sseready and handed to azurerm.
terraform {
  required_version = ">= 1.8"
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
    sseready = {
      source = "sseready/sseready"
    }
  }
}

variable "api_name" {
  description = "The API the policy is for."
  type        = string
}

variable "api_management_name" {
  description = "The API Management instance."
  type        = string
}

variable "resource_group_name" {
  description = "The instance's resource group."
  type        = string
}

variable "timeout" {
  description = "forward-request timeout in seconds."
  type        = number
  default     = 120
}

data "sseready_apim_policy" "this" {
  timeout = var.timeout
}

resource "azurerm_api_management_api_policy" "this" {
  api_name            = var.api_name
  api_management_name = var.api_management_name
  resource_group_name = var.resource_group_name
  xml_content         = data.sseready_apim_policy.this.xml
}

output "xml" {
  description = "The policy document."
  value       = data.sseready_apim_policy.this.xml
}
