locals {
  image = var.image != "" ? var.image : (strcontains(var.envoy_version, ":") ? var.envoy_version : "envoyproxy/envoy:v${var.envoy_version}")
}

resource "docker_image" "envoy" {
  name = local.image
}

# One container per replica, on the host network so that the fleet's ports
# are the host's; the bootstrap is uploaded as a file.
resource "docker_container" "envoy" {
  count        = var.replicas
  name         = "${var.name}-${count.index}"
  image        = docker_image.envoy.image_id
  network_mode = "host"
  restart      = "unless-stopped"
  command      = ["envoy", "-c", "/etc/envoy/bootstrap.yaml", "--service-node", "${var.name}-${count.index}", "--base-id", tostring(count.index)]

  upload {
    file    = "/etc/envoy/bootstrap.yaml"
    content = var.envoy_bootstrap
  }

  # Docker has labels only: the Gateways' annotations become labels too.
  dynamic "labels" {
    for_each = merge(var.infrastructure.annotations, var.infrastructure.labels)
    content {
      label = labels.key
      value = labels.value
    }
  }
}
