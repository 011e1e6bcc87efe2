package xdseval

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func mustAny(t *testing.T, m proto.Message) *anypb.Any {
	t.Helper()
	a, err := anypb.New(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hcmChain is a filter chain whose HttpConnectionManager fetches rds over
// RDS; mod adjusts the manager.
func hcmChain(t *testing.T, name, rds string, mod func(*hcmv3.HttpConnectionManager)) *listenerv3.FilterChain {
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix:     name,
		RouteSpecifier: &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{RouteConfigName: rds}},
		HttpFilters: []*hcmv3.HttpFilter{
			{Name: wellknown.CORS},
			{Name: wellknown.Router},
		},
	}
	if mod != nil {
		mod(hcm)
	}
	return &listenerv3.FilterChain{Name: name, Filters: []*listenerv3.Filter{{
		Name: wellknown.HTTPConnectionManager, ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: mustAny(t, hcm)},
	}}}
}

func tlsChain(t *testing.T, fc *listenerv3.FilterChain, secret string, serverNames ...string) *listenerv3.FilterChain {
	fc.TransportSocket = &corev3.TransportSocket{Name: wellknown.TransportSocketTLS, ConfigType: &corev3.TransportSocket_TypedConfig{
		TypedConfig: mustAny(t, &tlsv3.DownstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{
			TlsCertificateSdsSecretConfigs: []*tlsv3.SdsSecretConfig{{Name: secret}},
		}}),
	}}
	if len(serverNames) > 0 {
		fc.FilterChainMatch = &listenerv3.FilterChainMatch{ServerNames: serverNames}
	}
	return fc
}

func listener(name string, port uint32, chains ...*listenerv3.FilterChain) *listenerv3.Listener {
	return &listenerv3.Listener{Name: name, FilterChains: chains, Address: &corev3.Address{Address: &corev3.Address_SocketAddress{
		SocketAddress: &corev3.SocketAddress{Address: "0.0.0.0", PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port}},
	}}}
}

func inspected(l *listenerv3.Listener) *listenerv3.Listener {
	l.ListenerFilters = []*listenerv3.ListenerFilter{{Name: wellknown.TlsInspector}}
	return l
}

func edsCluster(name string, addrs ...string) (*clusterv3.Cluster, *endpointv3.ClusterLoadAssignment) {
	la := &endpointv3.ClusterLoadAssignment{ClusterName: name, Endpoints: []*endpointv3.LocalityLbEndpoints{{}}}
	for _, a := range addrs {
		la.Endpoints[0].LbEndpoints = append(la.Endpoints[0].LbEndpoints, &endpointv3.LbEndpoint{
			HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: &corev3.Address{
				Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
					Address: a, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: 8080}}},
			}}},
		})
	}
	return &clusterv3.Cluster{Name: name, ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_EDS}}, la
}

func vhost(name string, domains []string, routes ...*routev3.Route) *routev3.VirtualHost {
	return &routev3.VirtualHost{Name: name, Domains: domains, Routes: routes}
}

func prefix(p string) *routev3.RouteMatch {
	return &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: p}}
}

func toCluster(name, cluster string, m *routev3.RouteMatch) *routev3.Route {
	return &routev3.Route{Name: name, Match: m, Action: &routev3.Route_Route{Route: &routev3.RouteAction{
		ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: cluster}}}}
}

// fixture is one HTTP listener on port 80 with route configuration "rc"
// and clusters "a" (10.0.0.1) and "b" (10.0.0.2).
func fixture(t *testing.T, rc *routev3.RouteConfiguration, mod func(*hcmv3.HttpConnectionManager)) *Proxy {
	t.Helper()
	rc.Name = "rc"
	ca, la := edsCluster("a", "10.0.0.1")
	cb, lb := edsCluster("b", "10.0.0.2")
	p, err := New(Config{
		Listeners: []*listenerv3.Listener{listener("http", 80, hcmChain(t, "http", "rc", mod))},
		Routes:    []*routev3.RouteConfiguration{rc},
		Clusters:  []*clusterv3.Cluster{ca, cb},
		Endpoints: []*endpointv3.ClusterLoadAssignment{la, lb},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recorder is a backend that answers 200 and remembers the request.
type recorder struct {
	last    *Upstream
	headers http.Header
	delay   time.Duration
}

func (r *recorder) serve(up *Upstream) (BackendReply, error) {
	r.last = up
	h := r.headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	return BackendReply{Status: http.StatusOK, Headers: h, Delay: r.delay}, nil
}

func get(authority, path string) Request {
	return Request{Port: 80, Method: http.MethodGet, Authority: authority, Path: path, Headers: http.Header{}}
}

func serve(t *testing.T, p *Proxy, req Request, b *recorder) *Response {
	t.Helper()
	if b == nil {
		b = &recorder{}
	}
	resp, err := p.Serve(req, rand.New(rand.NewPCG(1, 2)), b.serve)
	if err != nil {
		t.Fatalf("Serve(%s %s%s): %v", req.Method, req.Authority, req.Path, err)
	}
	return resp
}

func boolValue(b bool) *wrapperspb.BoolValue { return wrapperspb.Bool(b) }
