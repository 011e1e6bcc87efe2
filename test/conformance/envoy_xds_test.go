package conformance_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// envoyNodeID is the node id each fleet's test Envoy announces; the
// snapshot cache is keyed by it.
func envoyNodeID(class string) string { return class + "-envoy" }

// testXDS is the in-test ADS server the Envoys of the run connect to: a
// go-control-plane snapshot cache (ADS mode, as Envoy asks for exactly the
// names it needs) on 127.0.0.1:0.
type testXDS struct {
	addr  string
	cache cache.SnapshotCache

	mu sync.Mutex
	// sent is the version last sent per stream and type, and nacks the
	// NACKs received: after a NACK the request is answered only by the
	// next snapshot (NOTES.md, trap 3), and the test fails on any NACK.
	sent  map[int64]map[string]string
	nacks []string
}

func startTestXDS(t *testing.T) *testXDS {
	t.Helper()
	x := &testXDS{cache: cache.NewSnapshotCache(true, cache.IDHash{}, nil), sent: map[int64]map[string]string{}}
	cb := server.CallbackFuncs{
		StreamResponseFunc: func(_ context.Context, id int64, _ *discovery.DiscoveryRequest, r *discovery.DiscoveryResponse) {
			x.mu.Lock()
			defer x.mu.Unlock()
			if x.sent[id] == nil {
				x.sent[id] = map[string]string{}
			}
			x.sent[id][r.GetTypeUrl()] = r.GetVersionInfo()
		},
		StreamRequestFunc: func(id int64, r *discovery.DiscoveryRequest) error {
			if r.GetErrorDetail() == nil {
				return nil
			}
			x.mu.Lock()
			defer x.mu.Unlock()
			x.nacks = append(x.nacks, fmt.Sprintf("%s: %s", r.GetTypeUrl(), r.GetErrorDetail().GetMessage()))
			r.VersionInfo = x.sent[id][r.GetTypeUrl()]
			return nil
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := grpc.NewServer()
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(g, server.NewServer(ctx, x.cache, cb))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go g.Serve(l)
	t.Cleanup(func() { g.Stop(); cancel() })
	x.addr = l.Addr().String()
	return x
}

func (x *testXDS) NACKs() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.nacks...)
}

// set serves the fleet's Envoy resources, moved to loopback, to its node.
func (x *testXDS) set(class, version string, r translator.Resources, ports *loopbackPorts, backends map[string]string) error {
	ls, err := ports.listeners(r.Listeners)
	if err != nil {
		return err
	}
	eps, cls := loopbackEndpoints(r, backends)
	snap, err := cache.NewSnapshot(version, map[resource.Type][]types.Resource{
		resource.ListenerType: asResources(ls),
		resource.RouteType:    asResources(r.Routes),
		resource.ClusterType:  asResources(cls),
		resource.EndpointType: asResources(eps),
		resource.SecretType:   asResources(r.Secrets),
	})
	if err != nil {
		return err
	}
	return x.cache.SetSnapshot(context.Background(), envoyNodeID(class), snap)
}

func asResources[T types.Resource](in []T) []types.Resource {
	out := make([]types.Resource, len(in))
	for i, r := range in {
		out[i] = r
	}
	return out
}
