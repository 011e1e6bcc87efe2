// Package xdsclient gives tests a real xDS client: grpc-go's, which validates
// every resource it receives, NACKs what it cannot use and routes real RPCs
// by the routes it is sent. It also starts real gRPC backends that name
// themselves, so a test can see where each RPC landed.
//
// NOTES.md explains why this, and not Envoy, is the client: no Envoy binary
// can be had on these machines.
package xdsclient

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/xds"
)

// HangGuard only stops a hung test; no test asserts how long anything takes.
const HangGuard = 30 * time.Second

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

// StartBackend serves a gRPC TestService on 127.0.0.1 that answers every
// call with the response header x-backend: name, until the test ends.
func StartBackend(t testing.TB, name string) (host string, port uint32) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	testgrpc.RegisterTestServiceServer(g, &backend{name: name})
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(g.Stop)
	h, p, _ := net.SplitHostPort(lis.Addr().String())
	n, _ := strconv.Atoi(p)
	return h, uint32(n)
}

// Dial returns a TestService client that resolves xds:///<listener> through
// a grpc-go xDS client of its own, connected to xdsAddr as node nodeID of
// fleet. Add grpc.WithAuthority(host) to pick a virtual host.
func Dial(t testing.TB, xdsAddr, fleet, nodeID, listener string, opts ...grpc.DialOption) testgrpc.TestServiceClient {
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

// Call makes one RPC (method "EmptyCall" or "UnaryCall", with metadata
// pairs md) and returns the name of the backend that answered.
func Call(ctx context.Context, c testgrpc.TestServiceClient, method string, md ...string) (string, error) {
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

// Eventually retries f until it succeeds or HangGuard expires.
func Eventually(t testing.TB, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(HangGuard)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}

// WantBackend waits until 20 calls in a row land on want (config
// propagates asynchronously, and a weighted split that is being replaced
// can land on want by chance), then checks that 20 more all land there.
func WantBackend(t testing.TB, c testgrpc.TestServiceClient, method, want string, md ...string) {
	t.Helper()
	ctx := context.Background()
	Eventually(t, method+" reaches "+want, func() error {
		for range 20 {
			got, err := Call(ctx, c, method, md...)
			if err != nil {
				return err
			}
			if got != want {
				return fmt.Errorf("landed on %q", got)
			}
		}
		return nil
	})
	for range 20 {
		got, err := Call(ctx, c, method, md...)
		if err != nil || got != want {
			t.Fatalf("%s %v: got %q, %v; want %q every time", method, md, got, err, want)
		}
	}
}

// Spread makes n calls and counts the answers per backend; errors count
// under the key "error".
func Spread(c testgrpc.TestServiceClient, method string, n int, md ...string) map[string]int {
	seen := map[string]int{}
	for range n {
		got, err := Call(context.Background(), c, method, md...)
		if err != nil {
			got = "error"
		}
		seen[got]++
	}
	return seen
}
