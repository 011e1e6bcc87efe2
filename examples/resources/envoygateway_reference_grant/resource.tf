# Lets HTTPRoutes in "default" send traffic to Backends in "apps".
resource "envoygateway_reference_grant" "example" {
  metadata = { name = "from-default", namespace = "apps" }
  spec = {
    from = [{ group = "gateway.networking.k8s.io", kind = "HTTPRoute", namespace = "default" }]
    to   = [{ group = "envoygateway.dev", kind = "Backend" }]
  }
}
