# Inputs of the module contract (modules/README.md).

variable "name" {
  description = "The fleet's name (its GatewayClass); names the run directory's files."
  type        = string
}

variable "envoy_bootstrap" {
  description = "The rendered Envoy bootstrap (YAML) every proxy starts with."
  type        = string
}

variable "ports" {
  description = "The fleet's listener ports. Local proxies bind them on this host; nothing else to open."
  type        = list(number)
}

variable "replicas" {
  description = "How many proxy processes to run."
  type        = number
}

variable "envoy_version" {
  description = "Informational here: the local module runs whatever var.command is."
  type        = string
  default     = ""
}

variable "infrastructure" {
  description = "Labels and annotations of the fleet's Gateways (spec.infrastructure), for everything the module creates."
  type = object({
    labels      = map(string)
    annotations = map(string)
  })
  default = { labels = {}, annotations = {} }
}

# Inputs of this module only.

variable "command" {
  description = "The proxy program and its leading arguments; the module appends -c <bootstrap> --service-node <name>-<index>."
  type        = string
  default     = "envoy"
}

variable "run_dir" {
  description = "Where the bootstrap, pid files and logs go. Default: run/ in the root module's directory."
  type        = string
  default     = ""
}

variable "address" {
  description = "The address clients reach this host's proxies on, reported as the fleet's address."
  type        = string
  default     = "127.0.0.1"
}
