package server

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The concatenated encoding must be byte for byte what go-control-plane
// would send, whatever other fields the configuration has and whichever
// virtual hosts were encoded before; its digest must be equal exactly
// when the bytes are. Configurations are drawn at random from a pool, or
// edited one virtual host at a time as a one-route change does.
func TestRouteConfigEncodingEqualsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var v vhostEncodings
	pool := make([]*routev3.VirtualHost, 40)
	for i := range pool {
		pool[i] = randomVhost(rng, i)
	}
	edited := slices.Clone(pool)
	digests := map[[sha256.Size]byte]string{}
	byBytes := map[string][sha256.Size]byte{}
	for step := range 400 {
		rc := &routev3.RouteConfiguration{Name: fmt.Sprintf("rc-%d", step%3)}
		if step%2 == 0 {
			rc.Name = "edited"
			edited = editVhosts(rng, edited, step)
			rc.VirtualHosts = edited
		} else {
			for range rng.IntN(12) {
				rc.VirtualHosts = append(rc.VirtualHosts, pool[rng.IntN(len(pool))])
			}
		}
		if rng.IntN(3) == 0 {
			rc.ValidateClusters = wrapperspb.Bool(rng.IntN(2) == 0)
		}
		if rng.IntN(3) == 0 {
			rc.ResponseHeadersToAdd = []*corev3.HeaderValueOption{{Header: &corev3.HeaderValue{Key: "x-a", Value: "b"}}}
		}
		if rng.IntN(4) == 0 && step%2 == 1 {
			rc.Name = ""
		}
		if rng.IntN(5) == 0 {
			pool[rng.IntN(len(pool))] = randomVhost(rng, 100+step)
		}
		pending := map[string]*rcEncoding{}
		got, sum, err := v.marshalRouteConfig("fleet/envoy", rc, pending)
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
		if b, ok := digests[sum]; ok && b != string(got) {
			t.Fatalf("step %d: two encodings have one digest", step)
		}
		if d, ok := byBytes[string(got)]; ok && d != sum {
			t.Fatalf("step %d: one encoding has two digests", step)
		}
		digests[sum], byBytes[string(got)] = string(got), sum
		v.remember(pending)
	}
	if v.byRC[rcKey("fleet/envoy", "edited")] == nil {
		t.Fatal("no route configuration encoding was kept")
	}
}

// editVhosts returns a copy of vhs with one virtual host replaced, added,
// dropped or moved.
func editVhosts(rng *rand.Rand, vhs []*routev3.VirtualHost, step int) []*routev3.VirtualHost {
	out := slices.Clone(vhs)
	i := rng.IntN(len(out))
	switch rng.IntN(5) {
	case 0, 1:
		out[i] = randomVhost(rng, 1000+step)
	case 2:
		out = slices.Insert(out, i, randomVhost(rng, 1000+step))
	case 3:
		if len(out) > 3 {
			out = slices.Delete(out, i, i+1)
		}
	default:
		j := rng.IntN(len(out))
		out[i], out[j] = out[j], out[i]
	}
	return out
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
