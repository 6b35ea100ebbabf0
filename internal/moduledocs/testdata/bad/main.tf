variable "timeout" {
  type    = number
  default = 
}
