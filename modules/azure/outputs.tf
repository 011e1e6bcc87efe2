output "addresses" {
  description = "The load balancer's public IP."
  value       = [azurerm_public_ip.fleet.ip_address]
}
