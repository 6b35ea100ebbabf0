variable "location" {
  description = "The Azure region."
  type        = string
  default     = "westeurope"
}

variable "prefix" {
  description = "A prefix for every resource name."
  type        = string
  default     = "chat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.prefix))
    error_message = "prefix must be 2 to 21 lower-case letters, digits and hyphens, starting with a letter: it starts every resource name."
  }
}

variable "max_event_gap" {
  description = "The longest silence your backend keeps without an event, the silence before the first event included (a reasoning model thinking), as a Go duration."
  type        = string
  default     = "10m"
}

variable "heartbeat_interval" {
  description = "How often your backend sends a comment heartbeat when no event goes out (a Go duration); null when it sends none."
  type        = string
  default     = "20s"
}

variable "max_time_to_headers" {
  description = "The longest your backend takes to send its response headers (a Go duration)."
  type        = string
  default     = "30s"
}

variable "openai_endpoint" {
  description = "The Azure OpenAI endpoint the API forwards to."
  type        = string
  default     = "https://aoai-chat-example.openai.azure.com/openai"
}

variable "deployment" {
  description = "The model deployment the stream check calls."
  type        = string
  default     = "gpt-4o"
}

variable "subscription_key" {
  description = "An API Management subscription key for the stream check, scoped to this API. Stored in the state (sensitive); on Terraform 1.11+ you may pass it in sseready_stream_check's headers_wo instead."
  type        = string
  default     = null
  sensitive   = true
}
