resource "envoygateway_grpc_route" "example" {
  metadata = { name = "echo" }
  spec = {
    parent_refs = [{ name = "edge" }]
    rules = [{
      matches      = [{ method = { service = "echo.Echo" } }]
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = "echo" }]
    }]
  }
}
