# Inputs of the module contract (modules/README.md).

variable "name" {
  description = "The fleet's name (its GatewayClass)."
  type        = string
}

variable "envoy_bootstrap" {
  description = "The rendered Envoy bootstrap (YAML) every proxy starts with."
  type        = string
}

variable "ports" {
  description = "The fleet's listener ports, opened on the load balancer and firewall."
  type        = list(number)
}

variable "replicas" {
  description = "How many proxies to run."
  type        = number
}

variable "envoy_version" {
  description = "The Envoy release (or, for docker, an image reference)."
  type        = string
  default     = "1.36.2"
}

variable "infrastructure" {
  description = "Labels and annotations of the fleet's Gateways (spec.infrastructure), for everything the module creates."
  type = object({
    labels      = map(string)
    annotations = map(string)
  })
  default = { labels = {}, annotations = {} }
}

variable "region" {
  description = "Region of the instance group and forwarding rules."
  type        = string
}

variable "zone" {
  description = "Zone of the managed instance group."
  type        = string
}

variable "network" {
  description = "VPC network self link or name."
  type        = string
  default     = "default"
}

variable "machine_type" {
  description = "Machine type of the proxies."
  type        = string
  default     = "e2-small"
}

variable "image" {
  description = "Boot image with systemd."
  type        = string
  default     = "debian-cloud/debian-12"
}
