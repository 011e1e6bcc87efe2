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

variable "resource_group_name" {
  description = "Resource group of every resource of the fleet."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the scale set."
  type        = string
}

variable "vm_size" {
  description = "VM size of the proxies."
  type        = string
  default     = "Standard_B1s"
}

variable "admin_ssh_public_key" {
  description = "SSH public key of the VMs' admin user."
  type        = string
}
