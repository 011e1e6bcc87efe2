# Control plane targets. GNUmakefile includes this file and adds the
# Terraform provider's targets; `make` reads GNUmakefile first.

GO        ?= go
BIN       := bin
GOFLAGS   ?=
export GOFLAGS
# Go telemetry and toolchain downloads would try the network.
export GOTOOLCHAIN := local
export GOTELEMETRY := off

.PHONY: all build run test vet golden fmt-check deps clean fleet-down upstream-tests

all: build

deps: ## download Go modules through the module proxy
	@command -v $(GO) >/dev/null || { echo "Go is required: https://go.dev/doc/install (this project uses $$(sed -n 's/^go //p' go.mod))"; exit 1; }
	$(GO) mod download

build: deps ## build bin/envoy-gateway
	$(GO) build -o $(BIN)/envoy-gateway ./controlplane/cmd/envoy-gateway

run: build ## run the control plane on embedded defaults, watching the quickstart
	$(BIN)/envoy-gateway server --watch examples/quickstart --provisioner

vet: deps
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: deps fmt-check vet ## run every test (the README's test command; CI runs it)
	$(GO) test -count=1 -timeout 30m ./...
	$(MAKE) bench-ci

golden: ## regenerate golden files after an intended change; review the diff
	$(GO) test ./controlplane/gatewayapi/ ./controlplane/xds/translator/ -run Golden -update

clean:
	rm -rf $(BIN)

upstream-tests: deps ## run the upstream tests of the patched modules under third_party/ against the patched copies
	sh third_party/upstream-tests.sh

bench: build ## measure translation, change propagation, xDS fan-out, writes and start-up; BENCH_FLAGS=--quick for smaller sizes
	$(BIN)/envoy-gateway bench --json bench-results.json $(BENCH_FLAGS)

# The translators' Go benchmarks, once each, so that they cannot rot; `make
# test` may depend on it. Compare real runs with benchstat on
# `go test -bench . -count 10` output.
.PHONY: bench bench-ci
bench-ci:
	$(GO) test -run '^$$' -bench . -benchtime=1x ./controlplane/gatewayapi/ ./controlplane/xds/translator/

# The provisioner never destroys a fleet because the control plane stopped,
# so the quickstart's proxies outlive `make run`. This destroys them.
fleet-down: ## stop the quickstart fleet's proxy processes (terraform destroy)
	@if [ -d data/fleets/eg ]; then cd data/fleets/eg && TF_CLI_CONFIG_FILE=/dev/null terraform destroy -auto-approve -input=false; else echo "no quickstart fleet under data/fleets/eg"; fi
