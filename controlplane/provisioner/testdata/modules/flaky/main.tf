# A module that fails until var.marker exists: the provisioner's fault tests
# use it to see a failed apply retried and then recovering.
variable "name" {
  type = string
}
variable "envoy_bootstrap" {
  type = string
}
variable "ports" {
  type = list(number)
}
variable "replicas" {
  type = number
}
variable "envoy_version" {
  type    = string
  default = ""
}
variable "marker" {
  type = string
}

resource "terraform_data" "gate" {
  input = var.replicas
  provisioner "local-exec" {
    command = "test -f '${var.marker}' || { echo 'marker ${var.marker} missing' >&2; exit 1; }"
  }
}

output "addresses" {
  value = ["192.0.2.1"]
}
