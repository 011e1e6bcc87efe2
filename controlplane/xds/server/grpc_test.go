package server

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

const (
	emptyCall = "/grpc.testing.TestService/EmptyCall"
	service   = "/grpc.testing.TestService"
)

type backends struct{ a, b, c *ir.Cluster }

func startBackends(t *testing.T) backends {
	return backends{startBackend(t, "a"), startBackend(t, "b"), startBackend(t, "c")}
}

// routingIR is the fleet the gRPC tests route by:
//
//	"*":                 x-env: canary -> c; EmptyCall (exact) -> a;
//	                     the service (prefix) -> b
//	"api.example.com":   50/50 a and b
//	"split.example.com": 100/0 a and b
//	"redirect.example":  a redirect; "down.example": a 500 direct response
//	"dns.example":       a hostname cluster: "localhost" -> a, 127.0.0.1 -> b
func routingIR(bs backends, emptyCallTo *ir.Cluster) *ir.Xds {
	dns := &ir.Cluster{Name: "backend/dns", Endpoints: []ir.Endpoint{
		{Host: "localhost", Port: bs.a.Endpoints[0].Port},
		{Host: "127.0.0.1", Port: bs.b.Endpoints[0].Port},
	}}
	canary := prefix("/")
	canary.Headers = []ir.StringMatch{{Name: "x-env", Type: ir.StringExact, Value: "canary"}}
	return &ir.Xds{
		Fleet: "eg",
		Listeners: []*ir.Listener{httpListener("http-8080", 8080,
			&ir.VirtualHost{Name: "all", Hostname: "*", Routes: []*ir.Route{
				route("canary", canary, forward(to(bs.c, 1))),
				route("empty", ir.Match{PathType: ir.PathExact, Path: emptyCall}, forward(to(emptyCallTo, 1))),
				route("service", prefix(service), forward(to(bs.b, 1))),
			}},
			&ir.VirtualHost{Name: "api", Hostname: "api.example.com", Routes: []*ir.Route{
				route("half", prefix("/"), forward(to(bs.a, 1), to(bs.b, 1))),
			}},
			&ir.VirtualHost{Name: "split", Hostname: "split.example.com", Routes: []*ir.Route{
				route("all-a", prefix("/"), forward(to(bs.a, 100), to(bs.b, 0))),
			}},
			&ir.VirtualHost{Name: "redirect", Hostname: "redirect.example", Routes: []*ir.Route{
				route("moved", prefix("/"), ir.Action{Redirect: &ir.Redirect{Hostname: "elsewhere", StatusCode: 301}}),
			}},
			&ir.VirtualHost{Name: "down", Hostname: "down.example", Routes: []*ir.Route{
				route("no-backend", prefix("/"), ir.Action{DirectResponse: &ir.DirectResponse{StatusCode: 500}}),
			}},
			&ir.VirtualHost{Name: "dns", Hostname: "dns.example", Routes: []*ir.Route{
				route("by-name", prefix("/"), forward(to(dns, 1))),
			}},
		)},
		Clusters: []*ir.Cluster{bs.a, bs.b, bs.c, dns},
	}
}

func TestGRPCClientFollowsRoutes(t *testing.T) {
	bs := startBackends(t)
	srv, addr := startServer(t)
	if err := srv.SetFleet("eg", translate(t, routingIR(bs, bs.a))); err != nil {
		t.Fatal(err)
	}
	// The dial target names the listener; without WithAuthority the
	// authority is "http-8080", which only the "*" host matches.
	def := xdsClient(t, addr, "eg", "client-default", "http-8080")

	t.Run("path", func(t *testing.T) {
		wantBackend(t, def, "EmptyCall", "a")
		// The segment-aware prefix /grpc.testing.TestService matches
		// /grpc.testing.TestService/UnaryCall.
		wantBackend(t, def, "UnaryCall", "b")
	})
	t.Run("header", func(t *testing.T) {
		wantBackend(t, def, "EmptyCall", "c", "x-env", "canary")
		wantBackend(t, def, "EmptyCall", "a", "x-env", "stable")
	})
	t.Run("authority picks the virtual host, with or without port", func(t *testing.T) {
		// UnaryCall goes to b on "*", to a (100/0) on split.example.com.
		for _, authority := range []string{"split.example.com", "split.example.com:8080"} {
			split := xdsClient(t, addr, "eg", "client-"+authority, "http-8080", grpc.WithAuthority(authority))
			wantBackend(t, split, "UnaryCall", "a")
		}
	})
	t.Run("weights", func(t *testing.T) {
		api := xdsClient(t, addr, "eg", "client-api", "http-8080", grpc.WithAuthority("api.example.com"))
		wantHalfAndHalf(t, api)
	})
	t.Run("hostname cluster spreads over its hostnames", func(t *testing.T) {
		// gRPC gets one LOGICAL_DNS cluster per hostname, weighted evenly.
		dns := xdsClient(t, addr, "eg", "client-dns", "http-8080", grpc.WithAuthority("dns.example"))
		wantHalfAndHalf(t, dns)
	})
	t.Run("redirect and direct response fail the call", func(t *testing.T) {
		// gRPC cannot follow a redirect or return a canned response; it
		// fails a call whose route has such an action.
		for _, host := range []string{"redirect.example", "down.example"} {
			c := xdsClient(t, addr, "eg", "client-"+host, "http-8080", grpc.WithAuthority(host))
			eventually(t, host+" fails with UNAVAILABLE", func() error {
				_, err := call(context.Background(), c, "EmptyCall")
				if status.Code(err) != codes.Unavailable {
					return err
				}
				return nil
			})
		}
	})
	t.Run("update takes effect", func(t *testing.T) {
		if err := srv.SetFleet("eg", translate(t, routingIR(bs, bs.c))); err != nil {
			t.Fatal(err)
		}
		wantBackend(t, def, "EmptyCall", "c")
		wantBackend(t, def, "UnaryCall", "b")
	})
	if n := srv.ConnectedProxies("eg"); n < 1 {
		t.Errorf("ConnectedProxies = %d", n)
	}
	if n := srv.ConnectedProxies("other"); n != 0 {
		t.Errorf("ConnectedProxies(other) = %d", n)
	}
}

// TestGRPCNackKeepsLastGoodConfig sends gRPC a RouteConfiguration it
// rejects (path_separated_prefix, which only Envoy knows) and checks: one
// NACK recorded, the old routes still serve, no re-send storm, and the
// next good version is accepted and clears the record.
func TestGRPCNackKeepsLastGoodConfig(t *testing.T) {
	bs := startBackends(t)
	var handled atomic.Int32
	srv, addr := startServer(t, WithNackHandler(func(Nack) { handled.Add(1) }))
	if err := srv.SetFleet("eg", translate(t, routingIR(bs, bs.a))); err != nil {
		t.Fatal(err)
	}
	c := xdsClient(t, addr, "eg", "client-1", "http-8080")
	wantBackend(t, c, "EmptyCall", "a")
	rdsBefore := srv.sentCount("eg", resource.RouteType)

	bad := translate(t, routingIR(bs, bs.c))
	m := bad.GRPC.Routes[0].VirtualHosts[0].Routes[2].Match
	m.PathSpecifier = &routev3.RouteMatch_PathSeparatedPrefix{PathSeparatedPrefix: service}
	if err := srv.SetFleet("eg", bad); err != nil {
		t.Fatal(err)
	}
	eventually(t, "NACK recorded", func() error {
		if len(srv.Nacks("eg")) == 0 {
			return errNotYet
		}
		return nil
	})
	nacks := srv.Nacks("eg")
	if len(nacks) != 1 || nacks[0].TypeURL != resource.RouteType || nacks[0].NodeID != "client-1" || !nacks[0].Proxyless || nacks[0].Error == "" {
		t.Fatalf("Nacks = %+v", nacks)
	}
	// The old routes keep serving: EmptyCall still lands on a, not c.
	wantBackend(t, c, "EmptyCall", "a")

	// A storm re-sends thousands of times a second; give it time to show.
	time.Sleep(500 * time.Millisecond)
	if sent := srv.sentCount("eg", resource.RouteType) - rdsBefore; sent != 1 {
		t.Errorf("%d RouteConfiguration responses after the update, want exactly 1 (the rejected one)", sent)
	}
	if n := handled.Load(); n != 1 {
		t.Errorf("NACK handler called %d times", n)
	}

	if err := srv.SetFleet("eg", translate(t, routingIR(bs, bs.c))); err != nil {
		t.Fatal(err)
	}
	wantBackend(t, c, "EmptyCall", "c")
	eventually(t, "NACK cleared by the next ACK", func() error {
		if n := srv.Nacks("eg"); len(n) != 0 {
			return errNotYetf("still %+v", n)
		}
		return nil
	})
}

// wantHalfAndHalf checks that 200 calls split between a and b, loosely:
// below 40 of 200 at 50/50 is more than 8 standard deviations away.
func wantHalfAndHalf(t *testing.T, c testgrpc.TestServiceClient) {
	t.Helper()
	eventually(t, "first call", func() error { _, err := call(context.Background(), c, "EmptyCall"); return err })
	seen := map[string]int{}
	for range 200 {
		got, err := call(context.Background(), c, "EmptyCall")
		if err != nil {
			t.Fatal(err)
		}
		seen[got]++
	}
	if seen["a"] < 40 || seen["b"] < 40 || seen["a"]+seen["b"] != 200 {
		t.Errorf("50/50 split gave %v", seen)
	}
}

func (s *Server) sentCount(fleet, typeURL string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[sentKey{fleet, typeURL}]
}

func TestGRPCAndEnvoyGetTheirOwnListeners(t *testing.T) {
	bs := startBackends(t)
	srv, addr := startServer(t)
	if err := srv.SetFleet("eg", translate(t, routingIR(bs, bs.a))); err != nil {
		t.Fatal(err)
	}
	c := xdsClient(t, addr, "eg", "grpc-1", "http-8080")
	wantBackend(t, c, "EmptyCall", "a")

	e := dialADS(t, addr)
	e.send(t, envoyNode("envoy-1", "eg"), resource.ListenerType, nil, "", "")
	resp := e.recv(t)
	ls := listeners(t, resp)
	if len(ls) != 1 || ls[0].GetAddress().GetSocketAddress().GetPortValue() != 8080 || ls[0].GetApiListener() != nil {
		t.Fatalf("Envoy got %v", ls)
	}
	if n := srv.ConnectedProxies("eg"); n != 2 {
		t.Errorf("ConnectedProxies = %d, want 2 (one gRPC client, one Envoy)", n)
	}
}
