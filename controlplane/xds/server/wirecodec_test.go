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
	// A subset of published resources goes out as their pieces; a
	// resource that is not published is encoded as usual.
	for _, r := range []*discovery.DiscoveryResponse{
		{Resources: []*anypb.Any{te.all[3], te.all[1]}, Nonce: "1", VersionInfo: "v1"},
		{Resources: []*anypb.Any{te.all[0], {TypeUrl: "x", Value: []byte("new")}}, Nonce: "2"},
	} {
		got, err := c.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := proto.Marshal(r)
		if !bytes.Equal(got.Materialize(), want) {
			t.Fatalf("encoding of %v differs from proto.Marshal", r)
		}
	}
}

// A stream is sent a route configuration again only when it changed or
// was asked for anew.
func TestUnsentRouteConfigurations(t *testing.T) {
	a1, b1, b2 := &anypb.Any{Value: []byte("a1")}, &anypb.Any{Value: []byte("b1")}, &anypb.Any{Value: []byte("b2")}
	f := &forwarder{}
	names := []string{"a", "b"}
	check := func(step string, got []*anypb.Any, want ...*anypb.Any) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d sent, want %d", step, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: sent %v, want %v", step, got, want)
			}
		}
	}
	check("first", f.unsent(names, []*anypb.Any{a1, b1}, names), a1, b1)
	check("one changed", f.unsent(names, []*anypb.Any{a1, b2}, names), b2)
	check("nothing changed", f.unsent(names, []*anypb.Any{a1, b2}, names), a1, b2)
	f.unsent([]string{"b"}, []*anypb.Any{b2}, []string{"b"})
	check("asked again", f.unsent(names, []*anypb.Any{a1, b2}, names), a1)
}
