#!/bin/sh
# Copies the Gateway API standard-channel CRDs out of the module this project
# builds against, so that the schemas we validate with are the ones that match
# the Go types we decode into. The gateway-api module offers no go:embed of
# its own, and go:embed cannot reach into the module cache.
#
# Run through `go generate ./controlplane/resource/validation` after bumping
# sigs.k8s.io/gateway-api in go.mod, and commit the result.
set -eu
cd "$(dirname "$0")"
src="$(go list -m -f '{{.Dir}}' sigs.k8s.io/gateway-api)/config/crd/standard"
version="$(go list -m -f '{{.Version}}' sigs.k8s.io/gateway-api)"
rm -f crds/gateway.networking.k8s.io_*.yaml
for f in "$src"/gateway.networking.k8s.io_*.yaml; do
	# The ValidatingAdmissionPolicy that guards CRD upgrades is not a CRD.
	case "$f" in *_vap_*) continue ;; esac
	cp "$f" crds/
	chmod 0644 "crds/$(basename "$f")"
done
echo "$version" > crds/GATEWAY_API_VERSION
