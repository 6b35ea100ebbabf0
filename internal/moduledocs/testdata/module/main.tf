variable "tags" {
  type    = map(string)
  default = {}
}

variable "note" {
  type    = string
  default = <<-EOT
    line one
    line two
  EOT
}

variable "nullable_thing" {
  type    = string
  default = null
}

output "xml" {
  description = "The policy document."
  value       = "<policies />"
}

output "id" {
  value     = var.name
  sensitive = true
}
