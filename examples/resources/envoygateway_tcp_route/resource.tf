resource "envoygateway_tcp_route" "example" {
  metadata = { name = "db" }
  spec = {
    parent_refs = [{ name = "edge", section_name = "postgres" }]
    rules       = [{ backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = "postgres" }] }]
  }
}
