variable "name" {
  description = "The API's name."
  type        = string
}

variable "settings" {
  description = <<-EOT
    How APIM forwards the stream.
    Timeouts are in seconds.
  EOT
  type = object({
    timeout      = optional(number, 120) # APIM waits this long for headers
    http_version = optional(string)
    headers      = optional(map(string), {})
  })
  default = {
    timeout = 90
    # a comment inside
    headers = {
      "X-Accel-Buffering" = "no"
    }
  }
}

variable "operations" {
  description = "Operation IDs | the pipe is escaped."
  type = list(object({
    id     = string,
    method = string,
  }))
  default = [
    { id = "chat", method = "POST" },
  ]
}

variable "anything" {}
