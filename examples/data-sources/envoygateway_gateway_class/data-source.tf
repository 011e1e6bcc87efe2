data "envoygateway_gateway_class" "eg" {
  metadata = { name = "eg" }
}

output "eg_accepted" {
  value = [for c in data.envoygateway_gateway_class.eg.status.conditions : c.status if c.type == "Accepted"]
}
