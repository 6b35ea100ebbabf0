# A helper module the tests call: not a configuration of its own, so the
# harness does not validate it alone.
output "api_name" {
  value = "chat-${substr(sha256("fixture"), 0, 6)}"
}
