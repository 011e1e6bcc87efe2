resource "envoygateway_gateway" "example" {
  metadata = { name = "edge", namespace = "default" }
  spec = {
    gateway_class_name = "eg"
    listeners = [{
      name     = "http"
      protocol = "HTTP"
      port     = 8080
    }]
  }
  # Wait until the fleet is configured, not only accepted.
  wait_for = "Programmed"
}
