locals {
  run_dir   = var.run_dir != "" ? var.run_dir : "${abspath(path.root)}/run"
  bootstrap = "${local.run_dir}/${var.name}-bootstrap.yaml"
  # No labels on a process: each replica's are written beside its pid file.
  metadata = jsonencode(var.infrastructure)
}

# One background process per replica. Replacing a replica (a new bootstrap
# or command) stops the old process before starting the new one.
resource "terraform_data" "proxy" {
  count = var.replicas

  triggers_replace = [sha256(var.envoy_bootstrap), var.command, local.run_dir, sha256(local.metadata)]

  # Destroy-time provisioners may only read self, so everything stop.sh
  # needs is kept in input.
  input = {
    node_id   = "${var.name}-${count.index}"
    pid_file  = "${local.run_dir}/${var.name}-${count.index}.pid"
    metadata  = "${local.run_dir}/${var.name}-${count.index}.metadata.json"
    log_file  = "${local.run_dir}/${var.name}-${count.index}.log"
    bootstrap = local.bootstrap
    stop      = "${abspath(path.module)}/scripts/stop.sh"
  }

  provisioner "local-exec" {
    command = "${abspath(path.module)}/scripts/start.sh"
    environment = {
      RUN_DIR         = local.run_dir
      ENVOY_BOOTSTRAP = var.envoy_bootstrap
      BOOTSTRAP_PATH  = local.bootstrap
      PROXY_COMMAND   = var.command
      NODE_ID         = self.input.node_id
      PID_FILE        = self.input.pid_file
      LOG_FILE        = self.input.log_file
      METADATA        = local.metadata
      METADATA_FILE   = self.input.metadata
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = self.input.stop
    environment = {
      PID_FILE      = self.input.pid_file
      BOOTSTRAP     = self.input.bootstrap
      METADATA_FILE = self.input.metadata
    }
  }
}
