output "addresses" {
  description = "The Docker host: containers use its network."
  value       = var.replicas > 0 ? ["127.0.0.1"] : []
}
