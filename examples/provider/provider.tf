terraform {
  required_providers {
    envoygateway = {
      source = "envoygateway/envoygateway"
    }
  }
}

# Every attribute may come from the environment instead:
# ENVOYGATEWAY_ENDPOINT, ENVOYGATEWAY_TOKEN (or ENVOYGATEWAY_TOKEN_FILE).
provider "envoygateway" {
  endpoint = "http://127.0.0.1:18080"
  token    = var.envoygateway_token
}

variable "envoygateway_token" {
  type      = string
  sensitive = true
}
