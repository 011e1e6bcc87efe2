// Package xdseval answers an HTTP request the way Envoy would answer it
// with a given set of xDS resources, without running Envoy and without a
// network: it picks the Listener by port, the filter chain by SNI, the
// RouteConfiguration the HttpConnectionManager names, the VirtualHost by
// Envoy's domain rules and the first Route by Envoy's match semantics, then
// computes the redirect, the direct response or the upstream request.
// Connect does the same for a TCP connection or UDP session: the chain by
// SNI, TLS ended or passed through, and the TCP or UDP proxy's split over
// clusters and their endpoints.
//
// It models only what it can model faithfully. Anything else in the
// configuration (a match kind, an action, a filter chain criterion it does
// not know) is an *UnsupportedError, never a guess, so that a test driven
// through it fails rather than passes on a behaviour nobody evaluated.
package xdseval

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

// Config is the xDS a proxy holds: what an Envoy would have received over
// LDS, RDS, CDS, EDS and SDS.
type Config struct {
	Listeners []*listenerv3.Listener
	Routes    []*routev3.RouteConfiguration
	Clusters  []*clusterv3.Cluster
	Endpoints []*endpointv3.ClusterLoadAssignment
	Secrets   []*tlsv3.Secret
}

// Proxy evaluates requests against one Config.
type Proxy struct {
	// listeners are TCP listeners by port, udpListeners UDP ones.
	listeners    map[uint32]*listenerv3.Listener
	udpListeners map[uint32]*listenerv3.Listener
	routes       map[string]*routev3.RouteConfiguration
	clusters     map[string]*clusterv3.Cluster
	endpoints    map[string]*endpointv3.ClusterLoadAssignment
	secrets      map[string]*tlsv3.Secret
}

// New indexes c. Two listeners on one port is a configuration Envoy would
// refuse to bind, so it is an error here too.
func New(c Config) (*Proxy, error) {
	p := &Proxy{
		listeners:    map[uint32]*listenerv3.Listener{},
		udpListeners: map[uint32]*listenerv3.Listener{},
		routes:       map[string]*routev3.RouteConfiguration{},
		clusters:     map[string]*clusterv3.Cluster{},
		endpoints:    map[string]*endpointv3.ClusterLoadAssignment{},
		secrets:      map[string]*tlsv3.Secret{},
	}
	for _, l := range c.Listeners {
		sa := l.GetAddress().GetSocketAddress()
		byPort := p.listeners
		if sa.GetProtocol() == corev3.SocketAddress_UDP {
			// UDP ports are a space of their own.
			byPort = p.udpListeners
		}
		port := sa.GetPortValue()
		if prev := byPort[port]; prev != nil {
			return nil, fmt.Errorf("listeners %q and %q both bind %v port %d", prev.GetName(), l.GetName(), sa.GetProtocol(), port)
		}
		byPort[port] = l
	}
	for _, r := range c.Routes {
		p.routes[r.GetName()] = r
	}
	for _, cl := range c.Clusters {
		p.clusters[cl.GetName()] = cl
	}
	for _, e := range c.Endpoints {
		p.endpoints[e.GetClusterName()] = e
	}
	for _, s := range c.Secrets {
		p.secrets[s.GetName()] = s
	}
	return p, nil
}

// Request is what a client sends. Path is the request target as sent
// (path and query); Authority is the Host header (HTTP/1) or :authority.
type Request struct {
	Port uint32
	// Proto is the client's protocol: "HTTP/1.1" (the default) or
	// "HTTP/2.0" (over TLS by ALPN, in cleartext by prior knowledge).
	Proto     string
	TLS       *ClientTLS // nil for cleartext
	Method    string
	Authority string
	Path      string
	Headers   http.Header
}

// ClientTLS is the client side of a TLS handshake.
type ClientTLS struct {
	// ServerName is the SNI; empty sends none.
	ServerName string
	// ALPN are the protocols the client offers, e.g. "h2".
	ALPN []string
}

// Upstream is the request Envoy sends to the backend.
type Upstream struct {
	Cluster string
	// Proto is the protocol Envoy speaks to the endpoint.
	Proto string
	// Endpoint is the chosen endpoint's "address:port".
	Endpoint  string
	Method    string
	Authority string
	Path      string
	Headers   http.Header
	// Mirrors are the shadow copies Envoy sends with this request.
	Mirrors []*Upstream
}

// Backend answers an upstream request: the harness's stand-in for the
// workload behind the endpoint.
type Backend func(*Upstream) (BackendReply, error)

// Response is what the client receives, and how the proxy got there.
type Response struct {
	Proto   string
	Status  int
	Headers http.Header
	Body    []byte
	// Chain is the filter chain that took the connection.
	Chain string
	// Certificates are the SDS secrets the chain presents (TLS only).
	Certificates []*tlsv3.Secret
	// ALPN is the protocol the handshake settled on, if any.
	ALPN string
	// Route is the name of the route that matched; empty when none did.
	Route string
	// Upstream is set when the request was forwarded.
	Upstream *Upstream
}

// ConnError is a connection-level failure: nothing listens on the port, or
// the listener has no filter chain for the connection. An HTTP client sees
// a refused or reset connection, not a status.
type ConnError struct{ Reason string }

func (e *ConnError) Error() string { return "connection failed: " + e.Reason }

// UnsupportedError names configuration this package does not evaluate.
type UnsupportedError struct{ What string }

func (e *UnsupportedError) Error() string { return "xdseval: unsupported: " + e.What }

func unsupported(format string, args ...any) error {
	return &UnsupportedError{What: fmt.Sprintf(format, args...)}
}

// IsUnsupported says whether err comes from configuration xdseval does not
// model.
func IsUnsupported(err error) bool {
	var u *UnsupportedError
	return errors.As(err, &u)
}

// Serve answers req. rng picks among weighted clusters and endpoints, so a
// seeded source gives a reproducible distribution.
func (p *Proxy) Serve(req Request, rng *rand.Rand, backend Backend) (*Response, error) {
	l := p.listeners[req.Port]
	if l == nil {
		return nil, &ConnError{Reason: fmt.Sprintf("nothing listens on port %d", req.Port)}
	}
	fc, err := selectChain(l, req.TLS)
	if err != nil {
		return nil, err
	}
	hcm, err := httpConnectionManager(fc)
	if err != nil {
		return nil, err
	}
	resp := &Response{Chain: fc.GetName()}
	if req.TLS != nil {
		if resp.Certificates, resp.ALPN, err = p.handshake(fc, req.TLS); err != nil {
			return nil, err
		}
		// Over TLS the protocol is what ALPN settled on.
		req.Proto = http1
		if resp.ALPN == "h2" {
			req.Proto = http2
		}
	}
	if req.Proto == "" {
		req.Proto = http1
	}
	if err := codecAccepts(hcm, req.Proto); err != nil {
		return nil, err
	}
	rc, err := p.routeConfig(hcm)
	if err != nil {
		return nil, err
	}
	st, out := newStream(req, hcm)
	if out == nil {
		if out, err = p.route(st, hcm, rc, rng, backend); err != nil {
			return nil, err
		}
	}
	out.Chain, out.Certificates, out.ALPN, out.Proto = resp.Chain, resp.Certificates, resp.ALPN, req.Proto
	return out, nil
}
