package xdseval

import (
	"errors"
	"math/rand/v2"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	upstreamhttpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

func TestProtocols(t *testing.T) {
	rc := &routev3.RouteConfiguration{VirtualHosts: []*routev3.VirtualHost{vhost("all", []string{"*"},
		toCluster("h2", "a", prefix("/h2")), toCluster("h1", "b", prefix("/")))}}
	ca, la := edsCluster("a", "10.0.0.1")
	ca.TypedExtensionProtocolOptions = map[string]*anypb.Any{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": mustAny(t,
		&upstreamhttpv3.HttpProtocolOptions{UpstreamProtocolOptions: &upstreamhttpv3.HttpProtocolOptions_ExplicitHttpConfig_{
			ExplicitHttpConfig: &upstreamhttpv3.HttpProtocolOptions_ExplicitHttpConfig{
				ProtocolConfig: &upstreamhttpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{Http2ProtocolOptions: &corev3.Http2ProtocolOptions{}}}}})}
	cb, lb := edsCluster("b", "10.0.0.2")
	h1only := func(h *hcmv3.HttpConnectionManager) { h.CodecType = hcmv3.HttpConnectionManager_HTTP1 }
	tlsCh := tlsChain(t, hcmChain(t, "tls", "rc", nil), "s")
	ctx := &tlsv3.DownstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{AlpnProtocols: []string{"h2", "http/1.1"},
		TlsCertificateSdsSecretConfigs: []*tlsv3.SdsSecretConfig{{Name: "s"}}}}
	tlsCh.TransportSocket.ConfigType = &corev3.TransportSocket_TypedConfig{TypedConfig: mustAny(t, ctx)}
	rc.Name = "rc"
	p, err := New(Config{
		Listeners: []*listenerv3.Listener{
			listener("auto", 80, hcmChain(t, "auto", "rc", nil)),
			listener("h1", 81, hcmChain(t, "h1", "rc", h1only)),
			inspected(listener("tls", 443, tlsCh)),
		},
		Routes: []*routev3.RouteConfiguration{rc}, Clusters: []*clusterv3.Cluster{ca, cb},
		Endpoints: []*endpointv3.ClusterLoadAssignment{la, lb}, Secrets: []*tlsv3.Secret{{Name: "s"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req := func(port uint32, proto, path string, alpn ...string) Request {
		r := get("h", path)
		r.Port, r.Proto = port, proto
		if port == 443 {
			r.TLS = &ClientTLS{ServerName: "h", ALPN: alpn}
		}
		return r
	}
	for _, c := range []struct {
		name                       string
		req                        Request
		wantDown, wantUp, wantALPN string
	}{
		{"h2c prior knowledge on AUTO", req(80, http2, "/h2"), http2, http2, ""},
		{"HTTP/1.1 to an HTTP/2 cluster", req(80, http1, "/h2"), http1, http2, ""},
		{"HTTP/2 to an HTTP/1 cluster", req(80, http2, "/x"), http2, http1, ""},
		{"ALPN h2", req(443, "", "/x", "h2"), http2, http1, "h2"},
		{"no ALPN", req(443, "", "/x"), http1, http1, ""},
	} {
		b := &recorder{}
		resp, err := p.Serve(c.req, rand.New(rand.NewPCG(1, 1)), b.serve)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if resp.Proto != c.wantDown || b.last.Proto != c.wantUp || resp.ALPN != c.wantALPN {
			t.Errorf("%s: downstream %s, upstream %s, ALPN %q; want %s, %s, %q", c.name, resp.Proto, b.last.Proto, resp.ALPN, c.wantDown, c.wantUp, c.wantALPN)
		}
	}
	var ce *ConnError
	if _, err := p.Serve(req(81, http2, "/"), rand.New(rand.NewPCG(1, 1)), (&recorder{}).serve); !errors.As(err, &ce) {
		t.Errorf("h2c to an HTTP1 codec: %v, want a connection error", err)
	}
}
