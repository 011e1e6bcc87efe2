# The Terraform quickstart: one GatewayClass (an Envoy fleet), a Gateway
# with an HTTP listener, a Backend and an HTTPRoute, pushed to the control
# plane that `make run` starts. See README.md in this directory.
terraform {
  required_providers {
    envoygateway = { source = "envoygateway/envoygateway" }
  }
}

# endpoint defaults to http://127.0.0.1:18080 (make run); the token comes
# from ENVOYGATEWAY_TOKEN_FILE (data/api-token under the repository root).
provider "envoygateway" {}

resource "envoygateway_gateway_class" "tf" {
  metadata = { name = "tf-quickstart" }
  spec     = { controller_name = "gateway.envoyproxy.io/gatewayclass-controller" }
}

resource "envoygateway_gateway" "edge" {
  metadata = { name = "tf-edge" }
  spec = {
    gateway_class_name = envoygateway_gateway_class.tf.metadata.name
    listeners          = [{ name = "http", protocol = "HTTP", port = 8081 }]
  }
}

resource "envoygateway_backend" "hello" {
  metadata = { name = "tf-hello" }
  spec     = { endpoints = [{ address = "127.0.0.1:3000" }] }
}

resource "envoygateway_http_route" "hello" {
  metadata = { name = "tf-hello" }
  spec = {
    parent_refs = [{ name = envoygateway_gateway.edge.metadata.name }]
    hostnames   = ["hello.example.com"]
    rules = [{
      matches      = [{ path = { type = "PathPrefix", value = "/" } }]
      backend_refs = [{ group = "envoygateway.dev", kind = "Backend", name = envoygateway_backend.hello.metadata.name }]
    }]
  }
}

output "route_status" {
  value = envoygateway_http_route.hello.status.parents[0].conditions
}
