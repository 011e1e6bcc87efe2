package bench

import (
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	rsrc "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc/mem"
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
	// Received data comes in pieces; fields straddle them.
	var pieces mem.BufferSlice
	for i := 0; i < len(data); i += 3 {
		pieces = append(pieces, mem.SliceBuffer(data[i:min(i+3, len(data))]))
	}
	// Names not known yet: decoded in full.
	var full discovery.DiscoveryResponse
	if err := c.Unmarshal(pieces, &full); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&full, in) {
		t.Fatalf("full decode: got %v, want %v", &full, in)
	}
	// Known: only version, type and nonce.
	names.put(rsrc.ClusterType, "v1", []string{"c"})
	var lean discovery.DiscoveryResponse
	if err := c.Unmarshal(pieces, &lean); err != nil {
		t.Fatal(err)
	}
	if lean.GetVersionInfo() != "v1" || lean.GetTypeUrl() != rsrc.ClusterType || lean.GetNonce() != "n1" || len(lean.GetResources()) != 0 {
		t.Fatalf("lean decode: got %v", &lean)
	}
}

// A malformed response is left to proto.Unmarshal, which reports it.
func TestLeanCodecMalformed(t *testing.T) {
	c := leanCodec{names: newNamesCache()}
	var r discovery.DiscoveryResponse
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{0x0a, 0x05, 'v'})}, &r); err == nil {
		t.Fatal("a truncated response decoded")
	}
}
