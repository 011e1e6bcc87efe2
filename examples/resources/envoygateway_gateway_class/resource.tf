resource "envoygateway_gateway_class" "example" {
  metadata = { name = "eg" }
  spec = {
    controller_name = "gateway.envoyproxy.io/gatewayclass-controller"
  }
}
