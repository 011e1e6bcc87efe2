locals {
  # GCP label keys and values allow only [a-z0-9_-] (keys start with a
  # letter): other characters become "_". Annotations go to the instances'
  # metadata, whose keys allow [a-zA-Z0-9_-].
  labels = { for k, v in var.infrastructure.labels :
    substr(replace(lower(k), "/[^a-z0-9_-]/", "_"), 0, 63) => substr(replace(lower(v), "/[^a-z0-9_-]/", "_"), 0, 63)
  }
  metadata = { for k, v in var.infrastructure.annotations :
    substr(replace(k, "/[^a-zA-Z0-9_-]/", "_"), 0, 128) => v
  }
}

resource "google_compute_instance_template" "fleet" {
  name_prefix  = "${var.name}-"
  machine_type = var.machine_type
  tags         = [var.name]
  labels       = local.labels
  disk {
    source_image = var.image
  }
  network_interface {
    network = var.network
  }
  metadata = merge(local.metadata, {
    startup-script = templatefile("${path.module}/startup.sh.tftpl", {
      bootstrap     = var.envoy_bootstrap
      envoy_version = var.envoy_version
      node_prefix   = var.name
    })
  })
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_firewall" "fleet" {
  name          = "${var.name}-listeners"
  network       = var.network
  target_tags   = [var.name]
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports    = [for p in var.ports : tostring(p)]
  }
}

resource "google_compute_instance_group_manager" "fleet" {
  name               = var.name
  zone               = var.zone
  base_instance_name = var.name
  target_size        = var.replicas
  target_pools       = [google_compute_target_pool.fleet.id]
  version {
    instance_template = google_compute_instance_template.fleet.id
  }
}

resource "google_compute_target_pool" "fleet" {
  name   = var.name
  region = var.region
}

resource "google_compute_address" "fleet" {
  name   = var.name
  region = var.region
  labels = local.labels
}

resource "google_compute_forwarding_rule" "port" {
  for_each   = toset([for p in var.ports : tostring(p)])
  name       = "${var.name}-${each.value}"
  region     = var.region
  ip_address = google_compute_address.fleet.address
  port_range = each.value
  target     = google_compute_target_pool.fleet.id
  labels     = local.labels
}
