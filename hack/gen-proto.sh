#!/bin/sh
# Regenerates the Config Server's gRPC code from api/proto. The generated
# files are committed, so builds need neither protoc nor the plugins.
#
# Generators (keep README in step):
#   protoc              3.21.12 (Debian bookworm: apt-get install -y protobuf-compiler)
#   protoc-gen-go       v1.36.12 (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12)
#   protoc-gen-go-grpc  v1.6.2   (go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2)
set -eu
cd "$(dirname "$0")/.."
for tool in protoc protoc-gen-go protoc-gen-go-grpc; do
	command -v "$tool" >/dev/null || { echo "gen-proto: $tool not on PATH; see the versions in $0" >&2; exit 1; }
done
protoc -I api/proto \
	--go_out=api/proto --go_opt=paths=source_relative \
	--go-grpc_out=api/proto --go-grpc_opt=paths=source_relative \
	api/proto/config/v1/config.proto
