package server

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/testutil/xdsclient"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("XDS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// startServer serves a new Server on 127.0.0.1 until the test ends.
func startServer(t *testing.T, opts ...Option) (*Server, string) {
	t.Helper()
	s := New(testLogger(t), opts...)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, lis.Addr().String()
}

const hangGuard = xdsclient.HangGuard

// startBackend returns the cluster a route needs to reach a new backend.
func startBackend(t *testing.T, name string) *ir.Cluster {
	t.Helper()
	host, port := xdsclient.StartBackend(t, name)
	return &ir.Cluster{Name: "backend/" + name, Endpoints: []ir.Endpoint{{Host: host, Port: port}}}
}

var (
	xdsClient   = xdsclient.Dial
	call        = xdsclient.Call
	eventually  = xdsclient.Eventually
	wantBackend = xdsclient.WantBackend
)

func translate(t *testing.T, x *ir.Xds) *translator.ResourceSet {
	t.Helper()
	rs, err := translator.Translate(x)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func forward(backends ...ir.WeightedCluster) ir.Action {
	return ir.Action{Forward: &ir.Forward{Backends: backends}}
}

func to(c *ir.Cluster, w uint32) ir.WeightedCluster {
	return ir.WeightedCluster{Cluster: c.Name, Weight: w}
}

func route(name string, m ir.Match, a ir.Action) *ir.Route {
	return &ir.Route{Name: name, Match: m, Action: a}
}

func prefix(p string) ir.Match { return ir.Match{PathType: ir.PathPrefix, Path: p} }

func httpListener(name string, port uint32, vhs ...*ir.VirtualHost) *ir.Listener {
	return &ir.Listener{Name: name, Address: "127.0.0.1", Port: port, Protocol: ir.ProtocolHTTP, VirtualHosts: vhs}
}

// adsServiceClient dials addr and returns an ADS client whose streams end with
// the test.
func adsServiceClient(t *testing.T, addr string) (discovery.AggregatedDiscoveryServiceClient, context.Context) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return discovery.NewAggregatedDiscoveryServiceClient(conn), ctx
}
