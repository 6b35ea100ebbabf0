# Application Insights for an SSE API: sampling and headers as you like,
# request and response bodies never logged.
data "sseready_apim_diagnostic" "chat" {
  identifier          = "applicationinsights"
  sampling_percentage = 25
  verbosity           = "information"
  headers_to_log = {
    frontend_request = ["X-Request-Id", "traceparent"]
  }
  data_masking = {
    frontend_request = {
      headers      = [{ mode = "Mask", value = "Authorization" }]
      query_params = []
    }
  }
}

# In azurerm_api_management_api_diagnostic (or the global
# azurerm_api_management_diagnostic):
#
#   identifier          = data.sseready_apim_diagnostic.chat.identifier
#   sampling_percentage = data.sseready_apim_diagnostic.chat.sampling_percentage
#   verbosity           = data.sseready_apim_diagnostic.chat.verbosity
#   frontend_request {
#     body_bytes     = data.sseready_apim_diagnostic.chat.frontend_request.body_bytes
#     headers_to_log = data.sseready_apim_diagnostic.chat.frontend_request.headers_to_log
#     dynamic "data_masking" {
#       for_each = data.sseready_apim_diagnostic.chat.frontend_request.data_masking[*]
#       content {
#         dynamic "headers" {
#           for_each = data_masking.value.headers
#           content {
#             mode  = headers.value.mode
#             value = headers.value.value
#           }
#         }
#       }
#     }
#   }
#   frontend_response { body_bytes = data.sseready_apim_diagnostic.chat.frontend_response.body_bytes }
#   backend_request   { body_bytes = data.sseready_apim_diagnostic.chat.backend_request.body_bytes }
#   backend_response  { body_bytes = data.sseready_apim_diagnostic.chat.backend_response.body_bytes }

output "body_bytes" {
  value = [
    data.sseready_apim_diagnostic.chat.frontend_request.body_bytes,
    data.sseready_apim_diagnostic.chat.frontend_response.body_bytes,
    data.sseready_apim_diagnostic.chat.backend_request.body_bytes,
    data.sseready_apim_diagnostic.chat.backend_response.body_bytes,
  ]
}
