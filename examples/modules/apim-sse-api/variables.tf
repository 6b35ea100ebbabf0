variable "api_management" {
  description = "The API Management instance that serves the API: its name, resource group and sku_name (pass azurerm_api_management.x.sku_name). The SKU decides whether it can stream: the Consumption tier cannot."
  type = object({
    name                = string
    resource_group_name = string
    sku_name            = string
  })

  validation {
    condition     = can(regex("^(Consumption|Developer|Basic|Standard|Premium|BasicV2|StandardV2|PremiumV2)_[0-9]+$", var.api_management.sku_name))
    error_message = "api_management.sku_name must be an API Management SKU as azurerm writes it, such as \"StandardV2_1\" or \"Premium_1\" (tier, underscore, capacity)."
  }
}

variable "name" {
  description = "The API's name in API Management."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,79}$", var.name))
    error_message = "name must be 1 to 80 letters, digits and hyphens, starting with a letter or digit."
  }
}

variable "display_name" {
  description = "The API's display name; the name when null."
  type        = string
  default     = null
}

variable "path" {
  description = "The API's URL suffix, such as \"chat\" (no leading slash)."
  type        = string

  validation {
    condition     = !startswith(var.path, "/") && length(var.path) > 0
    error_message = "path is the URL suffix without a leading slash, such as \"chat\"."
  }
}

variable "service_url" {
  description = "The backend's URL, such as the Azure OpenAI endpoint; null when a policy routes the request (backend_id)."
  type        = string
  default     = null
}

variable "subscription_required" {
  description = "Whether calls need a subscription key. azurerm's default is true."
  type        = bool
  default     = true
}

variable "subscription_key_parameter_names" {
  description = "The header and query parameter that carry the subscription key; null leaves API Management's own (Ocp-Apim-Subscription-Key and subscription-key)."
  type = object({
    header = string
    query  = string
  })
  default = null

  validation {
    condition     = var.subscription_key_parameter_names == null || try(length(var.subscription_key_parameter_names.header) > 0 && length(var.subscription_key_parameter_names.query) > 0, false)
    error_message = "subscription_key_parameter_names needs both a header and a query name, or null for API Management's own."
  }
}

variable "protocols" {
  description = "The protocols the API is served on. azurerm has no default and needs at least one unless the API is a copy (source_api_id): the module's is https."
  type        = list(string)
  default     = ["https"]

  validation {
    condition     = length(var.protocols) > 0 && alltrue([for p in var.protocols : contains(["http", "https", "ws", "wss"], p)])
    error_message = "protocols must hold one or more of \"http\", \"https\", \"ws\" and \"wss\"."
  }
}

variable "revision" {
  description = "The API revision the module writes (azurerm's revision, required there). Its operations, policy and diagnostics go on that revision: revision 1 by the API's name, another as name;rev=N."
  type        = string
  default     = "1"

  validation {
    condition     = can(regex("^[0-9]+$", var.revision))
    error_message = "revision is an API Management revision number, such as \"1\" or \"2\"."
  }
}

variable "api_version" {
  description = "The API's version in its version set (azurerm's version), such as \"v1\"; null when the API is not versioned. Needs version_set_id."
  type        = string
  default     = null

  validation {
    condition     = var.api_version == null || try(length(var.api_version) > 0, false)
    error_message = "api_version must not be empty: give a version such as \"v1\", or null."
  }
}

variable "version_set_id" {
  description = "The ID of the version set the API belongs to (azurerm_api_management_api_version_set.x.id); null when the API is not versioned."
  type        = string
  default     = null

  validation {
    condition     = var.version_set_id == null || try(length(var.version_set_id) > 0, false)
    error_message = "version_set_id must not be empty: give the version set's ID, or null."
  }
}

variable "operations" {
  description = "The API's operations by operation_id. The default is one chat completions operation."
  type = map(object({
    display_name = string
    method       = string
    url_template = string
    description  = optional(string)
  }))
  default = {
    chat-completions = {
      display_name = "Chat completions (streaming)"
      method       = "POST"
      url_template = "/deployments/{deployment-id}/chat/completions"
    }
  }

  validation {
    condition     = alltrue([for op in values(var.operations) : contains(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], op.method)])
    error_message = "Each operation's method must be an HTTP method in capitals: GET for an EventSource, POST for chat completions."
  }
  validation {
    condition     = alltrue([for op in values(var.operations) : startswith(op.url_template, "/")])
    error_message = "Each operation's url_template must start with \"/\", such as \"/chat/completions\"."
  }
}

variable "forward_request_timeout" {
  description = "forward-request's timeout in seconds: how long API Management waits for the backend's response headers, not for the stream to end. 0 to 240 (APIM may not honor more). sseready_stream_profile's apim_forward_request_timeout computes it from your backend's time to headers."
  type        = number
  default     = 120

  validation {
    condition     = var.forward_request_timeout >= 0 && var.forward_request_timeout <= 240 && floor(var.forward_request_timeout) == var.forward_request_timeout
    error_message = "forward_request_timeout must be a whole number of seconds from 0 to 240: it bounds the wait for the response headers, so a stream needs no more (rule SSE104)."
  }
}

variable "inbound_xml" {
  description = "Your policies for `<inbound>`, placed after `<base />`. Checked with the SSE rules: a policy that reads the request body (validate-content, a read of context.Request.Body) is an error unless accepted."
  type        = string
  default     = null
}

variable "outbound_xml" {
  description = "Your policies for `<outbound>`. A policy that buffers the response (validate-content, set-body, a read of context.Response.Body) fails the plan, naming its rule, unless accepted."
  type        = string
  default     = null
}

variable "on_error_xml" {
  description = "Your policies for `<on-error>`."
  type        = string
  default     = null
}

variable "backend_id" {
  description = "Route to this API Management backend (azurerm_api_management_backend.name) with set-backend-service."
  type        = string
  default     = null
}

variable "fragments" {
  description = "Policy fragments your policies include, by fragment-id, each its document (azurerm_api_management_policy_fragment.value), so an include-fragment is checked as if it stood in place."
  type        = map(string)
  default     = {}
}

variable "accepted_rules" {
  description = "Findings you accept, each a rule ID (\"SSE110\") or a rule ID and your reason (\"SSE110: requests are small and validated\")."
  type        = set(string)
  default     = []
}

variable "policy_xml" {
  description = "A complete policy document of your own instead of the one rendered from the variables above. It is checked all the same: the apply stops when it cannot stream."
  type        = string
  default     = null
}

variable "loggers" {
  description = "The loggers to attach, by a name of yours: each gets an API diagnostic that never logs bodies (body logging holds the stream). identifier is applicationinsights or azuremonitor; one diagnostic per identifier."
  type = map(object({
    logger_id           = string
    identifier          = optional(string, "applicationinsights")
    sampling_percentage = optional(number)
    verbosity           = optional(string)
    headers_to_log      = optional(map(set(string)), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for l in values(var.loggers) : contains(["applicationinsights", "azuremonitor"], l.identifier)])
    error_message = "Each logger's identifier must be \"applicationinsights\" or \"azuremonitor\"."
  }
  validation {
    condition     = length(distinct([for l in values(var.loggers) : l.identifier])) == length(var.loggers)
    error_message = "An API has one diagnostic per identifier: give each logger a different identifier."
  }
}
