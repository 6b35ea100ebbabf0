module github.com/sseready/terraform-provider-sseready

go 1.25.0
