package bench

import (
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	rsrc "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

func TestLeanCodecDecodesWhatProxiesNeed(t *testing.T) {
	a, err := anypb.New(&clusterv3.Cluster{Name: "c", ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS}})
	if err != nil {
		t.Fatal(err)
	}
	in := &discovery.DiscoveryResponse{VersionInfo: "v1", TypeUrl: rsrc.ClusterType, Nonce: "n1", Resources: []*anypb.Any{a}}
	data, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	names := newNamesCache()
	c := leanCodec{names: names}
	// Names not known yet: decoded in full.
	var full discovery.DiscoveryResponse
	if err := c.Unmarshal(data, &full); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&full, in) {
		t.Fatalf("full decode: got %v, want %v", &full, in)
	}
	// Known: only version, type and nonce.
	names.put(rsrc.ClusterType, "v1", []string{"c"})
	var lean discovery.DiscoveryResponse
	if err := c.Unmarshal(data, &lean); err != nil {
		t.Fatal(err)
	}
	if lean.GetVersionInfo() != "v1" || lean.GetTypeUrl() != rsrc.ClusterType || lean.GetNonce() != "n1" || len(lean.GetResources()) != 0 {
		t.Fatalf("lean decode: got %v", &lean)
	}
}
