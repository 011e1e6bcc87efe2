data "envoygateway_gateway" "edge" {
  metadata = { name = "edge", namespace = "default" }
}

output "edge_addresses" {
  value = data.envoygateway_gateway.edge.status.addresses
}
