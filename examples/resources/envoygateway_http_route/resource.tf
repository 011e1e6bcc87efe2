resource "envoygateway_http_route" "example" {
  metadata = { name = "web" }
  spec = {
    parent_refs = [{ name = "edge" }]
    hostnames   = ["www.example.com"]
    rules = [{
      matches      = [{ path = { type = "PathPrefix", value = "/api" } }]
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = "api" }]
    }]
  }
  timeouts = { create = "2m" }
}
