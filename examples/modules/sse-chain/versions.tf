terraform {
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

provider "azurerm" {
  features {}
}
