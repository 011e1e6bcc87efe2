package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/xds"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// hangGuard only stops a hung test; no test asserts how long anything takes.
const hangGuard = 30 * time.Second

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

// backend is a real gRPC server that names itself in a response header.
type backend struct {
	testgrpc.UnimplementedTestServiceServer
	name string
}

func (b *backend) EmptyCall(ctx context.Context, _ *testgrpc.Empty) (*testgrpc.Empty, error) {
	return &testgrpc.Empty{}, grpc.SetHeader(ctx, metadata.Pairs("x-backend", b.name))
}

func (b *backend) UnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	return &testgrpc.SimpleResponse{}, grpc.SetHeader(ctx, metadata.Pairs("x-backend", b.name))
}

// startBackend returns the cluster a route needs to reach a new backend.
func startBackend(t *testing.T, name string) *ir.Cluster {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	testgrpc.RegisterTestServiceServer(g, &backend{name: name})
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(g.Stop)
	host, portStr, _ := net.SplitHostPort(lis.Addr().String())
	port, _ := strconv.Atoi(portStr)
	return &ir.Cluster{Name: "backend/" + name, Endpoints: []ir.Endpoint{{Host: host, Port: uint32(port)}}}
}

// xdsClient dials xds:///<listener> through a grpc-go xDS client of its
// own, as node nodeID of fleet.
func xdsClient(t *testing.T, xdsAddr, fleet, nodeID, listener string, opts ...grpc.DialOption) testgrpc.TestServiceClient {
	t.Helper()
	bootstrap := fmt.Sprintf(`{
		"xds_servers": [{"server_uri": %q, "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
		"node": {"id": %q, "cluster": %q}
	}`, xdsAddr, nodeID, fleet)
	builder, err := xds.NewXDSResolverWithConfigForTesting([]byte(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]grpc.DialOption{
		grpc.WithResolvers(builder),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	}, opts...)
	conn, err := grpc.NewClient("xds:///"+listener, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return testgrpc.NewTestServiceClient(conn)
}

// call makes one RPC and returns the backend that answered.
func call(ctx context.Context, c testgrpc.TestServiceClient, method string, md ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if len(md) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, md...)
	}
	var hdr metadata.MD
	var err error
	switch method {
	case "EmptyCall":
		_, err = c.EmptyCall(ctx, &testgrpc.Empty{}, grpc.Header(&hdr))
	case "UnaryCall":
		_, err = c.UnaryCall(ctx, &testgrpc.SimpleRequest{}, grpc.Header(&hdr))
	default:
		return "", fmt.Errorf("unknown method %s", method)
	}
	if err != nil {
		return "", err
	}
	if v := hdr.Get("x-backend"); len(v) == 1 {
		return v[0], nil
	}
	return "", fmt.Errorf("no x-backend header in %v", hdr)
}

// eventually retries f until it succeeds or the hang guard expires.
func eventually(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}

// wantBackend waits until method lands on want (config propagates
// asynchronously), then checks that n more calls all land there.
func wantBackend(t *testing.T, c testgrpc.TestServiceClient, method, want string, md ...string) {
	t.Helper()
	ctx := context.Background()
	eventually(t, method+" reaches "+want, func() error {
		got, err := call(ctx, c, method, md...)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("landed on %q", got)
		}
		return nil
	})
	for range 20 {
		got, err := call(ctx, c, method, md...)
		if err != nil || got != want {
			t.Fatalf("%s %v: got %q, %v; want %q every time", method, md, got, err, want)
		}
	}
}

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
