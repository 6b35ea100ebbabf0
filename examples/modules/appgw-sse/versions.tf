terraform {
  required_version = ">= 1.8"

  required_providers {
    sseready = {
      source = "sseready/sseready"
    }
  }
}
