resource "envoygateway_tls_route" "example" {
  metadata = { name = "passthrough" }
  spec = {
    parent_refs = [{ name = "edge", section_name = "tls" }]
    hostnames   = ["secure.example.com"]
    rules       = [{ backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = "secure" }] }]
  }
}
