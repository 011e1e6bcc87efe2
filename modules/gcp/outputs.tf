output "addresses" {
  description = "The fleet's regional external IP, shared by its forwarding rules."
  value       = [google_compute_address.fleet.address]
}
