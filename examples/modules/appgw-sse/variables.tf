variable "sku_name" {
  description = "The gateway's sku.name."
  type        = string

  validation {
    condition     = contains(["Basic", "Standard_v2", "WAF_v2"], var.sku_name)
    error_message = "sku_name must be Basic, Standard_v2 or WAF_v2: the v1 SKUs are retired and cannot turn response buffering off."
  }
}

variable "max_event_gap" {
  description = "The longest silence your backend keeps without an event, the silence before the first event included (a reasoning model thinking), as a Go duration such as \"90s\" or \"5m\"."
  type        = string

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", var.max_event_gap))
    error_message = "max_event_gap must be a duration such as \"90s\", \"5m\" or \"1h30m\"."
  }
}

variable "heartbeat_interval" {
  description = "How often the backend sends a comment heartbeat when no event goes out, if it does (a Go duration); null when it sends none."
  type        = string
  default     = null

  validation {
    condition     = var.heartbeat_interval == null || can(regex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", var.heartbeat_interval))
    error_message = "heartbeat_interval must be a duration such as \"20s\", or null."
  }
}

variable "max_time_to_headers" {
  description = "The longest the backend takes to send its response headers (a Go duration); the gateway waits through it, so the request timeout covers it."
  type        = string
  default     = null
}

variable "request_timeout" {
  description = "Your own backend_http_settings request_timeout in seconds, if you must keep one; null lets the module compute it from the stream's silence. The plan stops when it would cut the stream."
  type        = number
  default     = null

  validation {
    condition     = var.request_timeout == null || (coalesce(var.request_timeout, 1) >= 1 && coalesce(var.request_timeout, 1) <= 86400)
    error_message = "request_timeout must be 1 to 86400 seconds, or null to let the module compute it."
  }
}

variable "waf_body_inspection" {
  description = "True when the WAF inspects request bodies (waf_configuration.request_body_check); on WAF_v2 that keeps request buffering on."
  type        = bool
  default     = false
}

variable "request_buffering" {
  description = "Request buffering, the gateway's own default: requests do not affect the stream."
  type        = bool
  default     = true
}

variable "backend_http_settings" {
  description = "Your backend_http_settings blocks for the streaming backends, by name; backend_http_settings gives them back with request_timeout set, for a dynamic block."
  type = map(object({
    port                                = number
    protocol                            = string
    cookie_based_affinity               = optional(string, "Disabled")
    host_name                           = optional(string)
    pick_host_name_from_backend_address = optional(bool, false)
    path                                = optional(string)
    probe_name                          = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.backend_http_settings) : contains(["Http", "Https"], s.protocol)])
    error_message = "Each backend_http_settings protocol must be \"Http\" or \"Https\"."
  }
}
