package server

import (
	"bytes"
	"fmt"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// A response whose resources are a published type encoding goes out as
// shared buffers; their concatenation must be exactly proto.Marshal's.
func TestWireCodecEqualsMarshal(t *testing.T) {
	enc := newEncoder()
	te := &typeEncoding{}
	for i := range 50 {
		te.all = append(te.all, &anypb.Any{TypeUrl: "type.googleapis.com/x", Value: []byte(fmt.Sprintf("resource-%d", i))})
	}
	enc.remember(map[encodingKey]*typeEncoding{{"x", "v1"}: te}, newBuilding("k"))
	c := newWireCodec(enc)
	for _, r := range []*discovery.DiscoveryResponse{
		{VersionInfo: "v1", Resources: te.all, TypeUrl: "x", Nonce: "7"},
		{VersionInfo: "v1", Resources: te.all, TypeUrl: "x", Nonce: "8", ControlPlane: &corev3.ControlPlane{Identifier: "cp"}},
		{Resources: te.all},
	} {
		got, err := c.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("the shared encoding was not used: %d buffers", len(got))
		}
		want, err := proto.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Materialize(), want) {
			t.Fatalf("encoding of %v differs from proto.Marshal", r)
		}
		var back discovery.DiscoveryResponse
		if err := c.Unmarshal(got, &back); err != nil || !proto.Equal(&back, r) {
			t.Fatalf("round trip: %v, %v", err, &back)
		}
	}
	// Resources that are not a published encoding are encoded as usual.
	other := &discovery.DiscoveryResponse{Resources: te.all[:3], Nonce: "1"}
	got, err := c.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := proto.Marshal(other)
	if !bytes.Equal(got.Materialize(), want) {
		t.Fatal("plain encoding differs from proto.Marshal")
	}
}
