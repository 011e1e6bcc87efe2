#!/bin/sh
# Regenerates docs/ with tfplugindocs, offline: the provider is built here
# and reached through dev_overrides, so no registry is asked for anything.
# Usage: tools/provider-docs.sh   (make docs; make docs-check diffs the result)
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bin/terraform-provider-envoygateway" .
cat > "$tmp/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/envoygateway/envoygateway" = "$tmp/bin"
  }
  direct { exclude = ["*/*/*"] }
}
RC
mkdir "$tmp/cfg"
cat > "$tmp/cfg/main.tf" <<'TF'
terraform {
  required_providers {
    envoygateway = { source = "envoygateway/envoygateway" }
  }
}
TF
TF_CLI_CONFIG_FILE="$tmp/terraformrc" CHECKPOINT_DISABLE=1 terraform -chdir="$tmp/cfg" providers schema -json > "$tmp/schema.json" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
# templates/ also holds the control plane's embedded templates, which are
# not docs: hand tfplugindocs only its own.
mkdir -p "$tmp/templates"
(cd templates && find . -name '*.md.tmpl' -exec cp --parents {} "$tmp/templates/" \;)
# tfplugindocs joins --website-source-dir to the provider directory even
# when it is absolute, so it gets a relative path.
# tfplugindocs finds a schema by the provider's short name only.
sed -i 's#"registry.terraform.io/envoygateway/envoygateway"#"envoygateway"#' "$tmp/schema.json"
go tool tfplugindocs generate --provider-name envoygateway --rendered-provider-name "Envoy Gateway" \
	--providers-schema "$tmp/schema.json" --examples-dir examples --website-source-dir "$(realpath --relative-to="$root" "$tmp/templates")" --rendered-website-dir docs
