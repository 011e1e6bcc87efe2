output "addresses" {
  description = "The network load balancer's DNS name."
  value       = [aws_lb.fleet.dns_name]
}
