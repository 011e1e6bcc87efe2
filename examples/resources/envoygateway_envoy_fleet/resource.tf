resource "envoygateway_envoy_fleet" "example" {
  metadata = { name = "edge" }
  spec = {
    module   = { source = "./modules/local" }
    replicas = 2
    # Module variables are JSON values.
    variables = { log_level = jsonencode("info") }
  }
}
