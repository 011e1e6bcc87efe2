// Package server is the xDS Server: it serves each fleet's translated
// resources to Envoy proxies and to proxyless gRPC clients over ADS, both
// State of the World and Delta, with go-control-plane's server and
// snapshot caches.
//
// # Fleets and clients
//
// A proxy names its fleet (its GatewayClass) in node.cluster. Envoy proxies
// get ResourceSet.Envoy; proxyless gRPC clients (see isProxyless) get
// ResourceSet.GRPC. A gRPC client dials "xds:///<listener name>", e.g.
// "xds:///http-8080", and picks the virtual host with its channel
// authority: grpc.WithAuthority("api.example.com") (or
// "api.example.com:8080"). Without that option the authority is the
// listener name, which only a "*" virtual host matches.
//
// # Caches
//
// The two kinds of client need different answers. Envoy uses wildcard CDS
// and LDS and asks for exactly the EDS and RDS names it learned, so it is
// served in ADS mode: one push in dependency order (CDS, EDS, LDS, RDS),
// and an EDS answer held until the proxy has asked for every assignment.
// gRPC asks only for the clusters of the virtual host it uses, which an
// ADS-mode answer never covers, so it gets the named subsets.
//
// State of the World ADS, what both kinds use, is served by this package's
// own stream loop (sotw.go): go-control-plane's snapshot cache kept
// per-stream maps over every resource, over a gigabyte for a thousand
// proxies of a 10k-route fleet. Delta xDS and the per-type services are
// go-control-plane's server, on an ADS-mode snapshot cache for Envoy and a
// non-ADS one for gRPC behind a MuxCache; the same snapshots feed both.

// # Consistency and ordering
//
// Every snapshot is checked (translator.Resources.Check) before it is set,
// so a proxy is never offered a route to a cluster missing from the same
// snapshot. Across snapshots, an update goes out in phases (add clusters,
// switch routes, drop clusters), each after the fleet's proxies ACKed the
// previous one; bridge.go explains why ordering alone is not enough.
// Snapshot versions are content hashes per type, so a type whose resources
// did not change is not sent again.
//
// # NACKs
//
// A rejected response is logged and recorded (Nacks) until the proxy ACKs
// a later version of that type. The proxy keeps its last good
// configuration. go-control-plane v0.14.0 would answer a SotW NACK with the
// same rejected version at once, thousands of times a second; the server
// remembers the version last sent on each stream and type, and presents a
// NACK to the cache as a request for that version, so the cache waits for
// the next snapshot instead.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	clusterservice "github.com/envoyproxy/go-control-plane/envoy/service/cluster/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	endpointservice "github.com/envoyproxy/go-control-plane/envoy/service/endpoint/v3"
	listenerservice "github.com/envoyproxy/go-control-plane/envoy/service/listener/v3"
	routeservice "github.com/envoyproxy/go-control-plane/envoy/service/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/sotw/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// writeBufferSize is the gRPC write buffer of each connection while it
// writes (see Serve).
const writeBufferSize = 256 << 10

// Server serves xDS. Create it with New; it is safe for concurrent use.
type Server struct {
	log      *slog.Logger
	grpcOpts []grpc.ServerOption
	onNack   func(Nack)
	// bridgeTimeout bounds each wait for ACKs between update phases.
	bridgeTimeout time.Duration

	envoyCache cache.SnapshotCache
	grpcCache  cache.SnapshotCache
	mux        *cache.MuxCache
	// enc holds the encodings of the published resources, shared by every
	// stream (see encode.go).
	enc *encoder
	// hub and names serve SotW ADS (sotw.go).
	hub   *hub
	names *nameSets

	// setMu serialises SetFleet and RemoveFleet, so that the snapshots of
	// one update are never interleaved with another's.
	setMu  sync.Mutex
	fleets map[string]*fleetState
	// typeSnaps are the types of each snapshot key's last snapshot, for
	// the next one to reuse (snapshot.go).
	typeSnaps map[string]map[types.ResponseType]*typeSnap

	mu      sync.Mutex
	streams map[streamKey]*stream
	nacks   map[nackKey]Nack
	// sent counts responses per fleet and type URL (for tests and metrics).
	sent map[sentKey]int
}

// Option configures a Server.
type Option func(*Server)

// WithGRPCServerOptions adds options to the gRPC server, e.g. TLS
// credentials.
func WithGRPCServerOptions(opts ...grpc.ServerOption) Option {
	return func(s *Server) { s.grpcOpts = append(s.grpcOpts, opts...) }
}

// WithNackHandler calls f for every NACK, after it is recorded; f must not
// block.
func WithNackHandler(f func(Nack)) Option {
	return func(s *Server) { s.onNack = f }
}

// WithBridgeTimeout sets how long each phase of an update waits for the
// fleet's proxies to ACK before the next phase goes out anyway (default
// 10s).
func WithBridgeTimeout(d time.Duration) Option {
	return func(s *Server) { s.bridgeTimeout = d }
}

// New returns a Server with no fleets.
func New(log *slog.Logger, opts ...Option) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		log:           log,
		fleets:        map[string]*fleetState{},
		typeSnaps:     map[string]map[types.ResponseType]*typeSnap{},
		bridgeTimeout: 10 * time.Second,
		streams:       map[streamKey]*stream{},
		nacks:         map[nackKey]Nack{},
		sent:          map[sentKey]int{},
	}
	for _, o := range opts {
		o(s)
	}
	cl := cacheLogger{log: log}
	s.enc = newEncoder()
	s.hub, s.names = newHub(), newNameSets()
	s.envoyCache = newSharingCache(cache.NewSnapshotCache(true, nodeHash{}, cl), s.enc)
	s.grpcCache = newSharingCache(cache.NewSnapshotCache(false, nodeHash{}, cl), s.enc)
	s.mux = &cache.MuxCache{
		Classify:      func(r *cache.Request) string { return clientKind(r.GetNode()) },
		ClassifyDelta: func(r *cache.DeltaRequest) string { return clientKind(r.GetNode()) },
		Caches:        map[string]cache.Cache{kindEnvoy: s.envoyCache, kindGRPC: s.grpcCache},
	}
	return s
}

// Serve serves xDS on lis until ctx ends, then closes every stream and
// returns nil.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	xds := serverv3.NewServer(ctx, s.mux, s.callbacks(), sotw.WithOrderedADS(), sotw.WithLogger(cacheLogger{log: s.log}))
	opts := append([]grpc.ServerOption{
		// Proxies hold one stream for their whole life; keepalives find
		// the ones whose host went away.
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.MaxConcurrentStreams(1 << 20),
		// A change sends every proxy the same megabytes. gRPC's 32 KiB
		// write buffer meant a write syscall per 32 KiB per connection;
		// a larger one, shared (returned to a pool once flushed rather
		// than held by each of a thousand idle connections), cuts the
		// syscalls without costing memory per connection.
		grpc.WriteBufferSize(writeBufferSize),
		grpc.SharedWriteBuffer(true),
		// Responses share their resources' bytes (wirecodec.go).
		grpc.ForceServerCodecV2(newWireCodec(s.enc)),
	}, s.grpcOpts...)
	g := grpc.NewServer(opts...)
	discovery.RegisterAggregatedDiscoveryServiceServer(g, adsServer{Server: xds, s: s})
	listenerservice.RegisterListenerDiscoveryServiceServer(g, xds)
	routeservice.RegisterRouteDiscoveryServiceServer(g, xds)
	clusterservice.RegisterClusterDiscoveryServiceServer(g, xds)
	endpointservice.RegisterEndpointDiscoveryServiceServer(g, xds)

	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			// Not GracefulStop: xDS streams never end by themselves.
			g.Stop()
		case <-done:
		}
	}()
	s.log.Info("xDS server listening", "address", lis.Addr().String())
	err := g.Serve(lis)
	if ctx.Err() != nil || errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return fmt.Errorf("xDS server: %w", err)
}
