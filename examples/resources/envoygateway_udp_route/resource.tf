resource "envoygateway_udp_route" "example" {
  metadata = { name = "dns" }
  spec = {
    parent_refs = [{ name = "edge", section_name = "dns" }]
    rules       = [{ backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = "dns" }] }]
  }
}
