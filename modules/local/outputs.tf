output "addresses" {
  description = "Where the fleet's listeners are reached: this host, once it runs a proxy."
  value       = var.replicas > 0 ? [var.address] : []
}

output "pid_files" {
  description = "One pid file per replica."
  value       = [for p in terraform_data.proxy : p.input.pid_file]
}
