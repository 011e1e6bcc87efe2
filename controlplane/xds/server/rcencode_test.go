package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The concatenated encoding must be byte for byte what go-control-plane
// would send, whatever other fields the configuration has and whichever
// virtual hosts were encoded before.
func TestRouteConfigEncodingEqualsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var v vhostEncodings
	pool := make([]*routev3.VirtualHost, 40)
	for i := range pool {
		pool[i] = randomVhost(rng, i)
	}
	for step := range 200 {
		rc := &routev3.RouteConfiguration{Name: fmt.Sprintf("rc-%d", step%3)}
		for range rng.IntN(12) {
			rc.VirtualHosts = append(rc.VirtualHosts, pool[rng.IntN(len(pool))])
		}
		if rng.IntN(3) == 0 {
			rc.ValidateClusters = wrapperspb.Bool(rng.IntN(2) == 0)
		}
		if rng.IntN(3) == 0 {
			rc.ResponseHeadersToAdd = []*corev3.HeaderValueOption{{Header: &corev3.HeaderValue{Key: "x-a", Value: "b"}}}
		}
		if rng.IntN(4) == 0 {
			rc.Name = ""
		}
		if rng.IntN(5) == 0 {
			pool[rng.IntN(len(pool))] = randomVhost(rng, 100+step)
		}
		pending := map[string]map[*routev3.VirtualHost][]byte{}
		got, err := v.marshalRouteConfig("fleet/envoy", rc, pending)
		if err != nil {
			t.Fatal(err)
		}
		want, err := cache.MarshalResource(rc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("step %d: encoding differs from proto.Marshal (%d vs %d bytes)", step, len(got), len(want))
		}
		v.remember(pending)
	}
	if len(v.byRC) == 0 {
		t.Fatal("no virtual host encoding was cached")
	}
}

func randomVhost(rng *rand.Rand, i int) *routev3.VirtualHost {
	vh := &routev3.VirtualHost{Name: fmt.Sprintf("vh-%d", i), Domains: []string{fmt.Sprintf("h%d.example.com", i)}}
	for j := range 1 + rng.IntN(4) {
		vh.Routes = append(vh.Routes, &routev3.Route{
			Name:  fmt.Sprintf("r-%d-%d", i, j),
			Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: fmt.Sprintf("/p%d", rng.IntN(100))}},
			Action: &routev3.Route_Route{Route: &routev3.RouteAction{
				ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: fmt.Sprintf("c%d", rng.IntN(10))},
			}},
		})
	}
	return vh
}
