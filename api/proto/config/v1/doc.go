// Package configv1 is the generated code of the Config Server's gRPC API
// (config.proto). The server is controlplane/source/server/grpcapi.
package configv1

//go:generate sh ../../../../hack/gen-proto.sh
