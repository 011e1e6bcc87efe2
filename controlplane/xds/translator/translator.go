// Package translator renders one fleet's IR (ir.Xds) as Envoy xDS resources.
//
// It is a pure function: no I/O, no state, the same IR always gives the same
// resources in the same order. It renders two variants of the same IR:
//
//   - Envoy: socket Listeners whose HttpConnectionManager fetches its
//     RouteConfiguration over RDS (ADS), EDS or STRICT_DNS Clusters.
//   - GRPC: what proxyless gRPC clients (grpc-go's xDS client, v1.85)
//     accept and can act on.
//
// The GRPC variant differs from the Envoy one in these ways:
//
//   - Listeners are api_listeners named after the IR listener, with no
//     socket: a client dials "xds:///<listener name>".
//   - PathPrefix is a safe_regex: gRPC NACKs path_separated_prefix.
//   - A method condition: POST always holds (every call is a POST), so it
//     is dropped; any other method never holds, so the route is left out.
//     Query parameter conditions never hold (no query string): left out.
//   - Timeouts become max_stream_duration, the only one gRPC reads.
//   - Hostname clusters are LOGICAL_DNS (gRPC NACKs STRICT_DNS), one per
//     hostname, and routes split the cluster's weight among them.
//   - TLS, TCP and UDP listeners are left out, and so are the secrets
//     their chains fetch over SDS: a proxyless client does its own TLS
//     and dials services, not ports.
//   - Redirects and direct responses are sent; gRPC fails a call that
//     matches one with UNAVAILABLE. Rewrites and header filters are sent
//     and ignored.
//
// Every resource passes go-control-plane's ValidateAll, and every regular
// expression is compiled here, because ValidateAll only checks structure and a
// client NACKs a regex it cannot compile.
package translator

import (
	"cmp"
	"fmt"
	"sync"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// Resources is one complete, self-consistent set of xDS resources, each
// slice sorted by name.
type Resources struct {
	Listeners []*listenerv3.Listener
	Routes    []*routev3.RouteConfiguration
	Clusters  []*clusterv3.Cluster
	Endpoints []*endpointv3.ClusterLoadAssignment
	// Secrets are served over SDS: exactly those the listeners name.
	Secrets []*tlsv3.Secret

	// checked is the set a Check passed. Resources are immutable once
	// built, like their protos, so checking the same slices again (the
	// server does, for every snapshot) needs no work.
	checked *sliceIDs
}

// ResourceSet is everything one fleet serves.
type ResourceSet struct {
	Fleet string
	// Envoy is served to Envoy proxies.
	Envoy Resources
	// GRPC is served to proxyless gRPC clients. Its Listener names equal the
	// IR listener names, so a client dials "xds:///<listener name>".
	GRPC Resources
}

// variant selects what a rendering step produces.
type variant int

const (
	envoyVariant variant = iota
	grpcVariant
)

// Translate renders x. Errors name the offending IR field, e.g.
// `listeners[0].virtualHosts[1].routes[2].match.headers[0].value`.
func Translate(x *ir.Xds) (*ResourceSet, error) {
	return translate(x, nil)
}

// translate renders x, through c's memo when c is not nil.
func translate(x *ir.Xds, c *Cache) (*ResourceSet, error) {
	if x == nil {
		return nil, fmt.Errorf("nil IR")
	}
	if err := checkNames(x, c); err != nil {
		return nil, err
	}
	clusters := c.clusterIndex(x.Clusters)

	// The variants share only what they read (x, clusters) and each has
	// its own memo, so they render on two cores at once; the Envoy
	// variant's error still comes first, as when they ran one by one.
	var res [2]*Resources
	var errs [2]error
	var wg sync.WaitGroup
	for _, v := range []variant{envoyVariant, grpcVariant} {
		wg.Go(func() { res[v], errs[v] = render(x, clusters, v, c.memo(v)) })
	}
	wg.Wait()
	if err := cmp.Or(errs[envoyVariant], errs[grpcVariant]); err != nil {
		return nil, err
	}
	return &ResourceSet{Fleet: x.Fleet, Envoy: *res[envoyVariant], GRPC: *res[grpcVariant]}, nil
}

// render renders variant v of x. With a memo, pieces rendered before are
// reused and only new ones are validated; without, everything is built
// and validated.
func render(x *ir.Xds, clusters map[string]*ir.Cluster, v variant, m *memo) (*Resources, error) {
	res := &Resources{}
	m.begin(x.Clusters)
	for i, l := range x.Listeners {
		if err := res.addListener(l, clusters, v, fmt.Sprintf("listeners[%d]", i), m); err != nil {
			return nil, err
		}
	}
	sorted, err := res.addClusters(x.Clusters, v, m)
	if err != nil {
		return nil, err
	}
	// After the clusters: their client certificates are secrets too.
	if err := res.addSecrets(x.Secrets, m.checker()); err != nil {
		return nil, err
	}
	res.sort(sorted)
	if m == nil {
		if err := res.validateAll(); err != nil {
			return nil, err
		}
	} else if err := validateEach(append(validatables(res.Listeners), validatables(res.Secrets)...)); err != nil {
		// Listeners and secrets are few and always rebuilt; the rest was
		// validated when first built.
		return nil, err
	}
	if err := res.checkWith(m.checker()); err != nil {
		return nil, fmt.Errorf("internal error: inconsistent %s resources: %w", v, err)
	}
	m.done(x.Clusters, res)
	return res, nil
}

// addClusters renders the clusters and reports whether the result is
// already sorted.
func (res *Resources) addClusters(cs []*ir.Cluster, v variant, m *memo) (bool, error) {
	if cl, eps, ok := m.sameClusters(); ok {
		res.Clusters, res.Endpoints = cl, eps
		return true, nil
	}
	for i, c := range cs {
		cl, las, err := m.cluster(c, v, fmt.Sprintf("clusters[%d]", i))
		if err != nil {
			return false, err
		}
		res.Clusters = append(res.Clusters, cl...)
		res.Endpoints = append(res.Endpoints, las...)
	}
	return false, nil
}

// addListener renders l and the route configurations of its HTTP parts.
func (res *Resources) addListener(l *ir.Listener, clusters map[string]*ir.Cluster, v variant, path string, m *memo) error {
	lis, err := buildListener(l, v, path)
	if err != nil || lis == nil {
		return err
	}
	res.Listeners = append(res.Listeners, lis)
	addRC := func(name string, vhs []*ir.VirtualHost, path string) error {
		rc, err := m.routeConfig(name, vhs, clusters, v, path)
		if err == nil {
			res.Routes = append(res.Routes, rc)
		}
		return err
	}
	if l.Protocol == ir.ProtocolHTTP {
		return addRC(l.Name, l.VirtualHosts, path)
	}
	for i, fc := range l.FilterChains {
		if fc.HTTP != nil {
			if err := addRC(fc.Name, fc.HTTP.VirtualHosts, fmt.Sprintf("%s.filterChains[%d].http", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// addSecrets renders the secrets the listeners and clusters fetch; a
// variant that has no TLS listener nor TLS cluster (gRPC) gets none, so
// that its set stays exact.
func (res *Resources) addSecrets(secrets []*ir.Secret, h *checkMemo) error {
	names, err := res.secretsFetched(h)
	if err != nil {
		return err
	}
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	for i, s := range secrets {
		if !wanted[s.Name] {
			continue
		}
		out, err := buildSecret(s, fmt.Sprintf("secrets[%d]", i))
		if err != nil {
			return err
		}
		res.Secrets = append(res.Secrets, out)
	}
	return nil
}

func (v variant) String() string {
	if v == grpcVariant {
		return "gRPC"
	}
	return "Envoy"
}

func indexClusters(cs []*ir.Cluster) map[string]*ir.Cluster {
	m := make(map[string]*ir.Cluster, len(cs))
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}
