# Refuse a tier that cannot keep a stream open, at plan time.
variable "apim_sku_name" {
  type    = string
  default = "StandardV2_1"

  validation {
    condition     = provider::sseready::apim_sku_supports_sse(var.apim_sku_name)
    error_message = "The Consumption tier does not support long-running connections: choose a classic or v2 tier for SSE APIs."
  }
}

output "consumption_supports_sse" {
  value = provider::sseready::apim_sku_supports_sse("Consumption_0") # false
}
