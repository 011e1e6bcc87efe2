package server

import (
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

const (
	kindEnvoy = "envoy"
	kindGRPC  = "grpc"

	// ProxylessMetadataKey in node.metadata, set to true, marks a client
	// as proxyless gRPC whatever its user agent; for gRPC implementations
	// that do not say "gRPC" in user_agent_name.
	ProxylessMetadataKey = "envoygateway.dev/proxyless"
)

// isProxyless tells a gRPC xDS client from an Envoy. grpc-go reports
// user_agent_name "gRPC Go", grpc-java "gRPC Java", gRPC C-core based
// libraries "gRPC C-core"/"gRPC Python"...; Envoy reports "envoy".
func isProxyless(n *core.Node) bool {
	if v, ok := n.GetMetadata().GetFields()[ProxylessMetadataKey]; ok {
		return v.GetBoolValue()
	}
	return strings.HasPrefix(strings.ToLower(n.GetUserAgentName()), "grpc")
}

func clientKind(n *core.Node) string {
	if isProxyless(n) {
		return kindGRPC
	}
	return kindEnvoy
}

// snapshotKey is where a cache keeps a fleet's snapshot for a kind of
// client. The two kinds live in different caches; the suffix keeps their
// keys apart in logs too.
func snapshotKey(fleet, kind string) string {
	if kind == kindGRPC {
		return fleet + "/grpc"
	}
	return fleet
}

// nodeHash maps a node to its fleet's snapshot: every proxy of a fleet
// shares it.
type nodeHash struct{}

func (nodeHash) ID(n *core.Node) string { return snapshotKey(n.GetCluster(), clientKind(n)) }
