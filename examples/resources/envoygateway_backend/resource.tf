resource "envoygateway_backend" "example" {
  metadata = { name = "api" }
  spec = {
    endpoints = [{ address = "10.0.0.10:8080" }, { address = "api.internal:8080" }]
  }
}
