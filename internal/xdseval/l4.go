package xdseval

import (
	"fmt"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
)

// udpProxyFilter is the UDP proxy's listener filter name (wellknown has
// none).
const udpProxyFilter = "envoy.filters.udp_listener.udp_proxy"

// Conn is a TCP connection, or a UDP session, a client opens.
type Conn struct {
	Port uint32
	UDP  bool
	// TLS is the ClientHello a TCP connection starts with; nil sends
	// plain bytes.
	TLS *ClientTLS
}

// Forward is where the proxy sends a connection's bytes.
type Forward struct {
	// Chain is the filter chain that took a TCP connection.
	Chain string
	// Certificates are the SDS secrets the chain presents when it
	// terminates TLS; nil when the bytes, TLS or not, pass through.
	Certificates []*tlsv3.Secret
	// Split is how connections (sessions) spread over clusters: a
	// connection goes to Split[i] for Weight of every Total.
	Split []Share
	Total uint32
}

// Share is one cluster of a split. Endpoints are its "address:port"s not
// known to be unhealthy; Envoy closes a connection it gives a share with
// none (or a cluster it does not have).
type Share struct {
	Cluster   string
	Weight    uint32
	Endpoints []string
}

// Connect says what the proxy does with c: which chain takes it, whether
// TLS ends there, and how it is split over clusters. A connection nothing
// takes (no listener, no chain) is a *ConnError; one whose chain speaks
// HTTP is for Serve, so it is unsupported here.
func (p *Proxy) Connect(c Conn) (*Forward, error) {
	if c.UDP {
		return p.udpSession(c)
	}
	l := p.listeners[c.Port]
	if l == nil {
		return nil, &ConnError{Reason: fmt.Sprintf("nothing listens on TCP port %d", c.Port)}
	}
	fc, err := matchChain(l, c.TLS)
	if err != nil {
		return nil, err
	}
	terminates := fc.GetTransportSocket() != nil
	if terminates && c.TLS == nil {
		return nil, &ConnError{Reason: fmt.Sprintf("chain %q expects a TLS handshake", fc.GetName())}
	}
	tp, err := tcpProxy(fc)
	if err != nil {
		return nil, err
	}
	out := &Forward{Chain: fc.GetName()}
	if terminates {
		if out.Certificates, _, err = p.handshake(fc, c.TLS); err != nil {
			return nil, err
		}
	}
	if err := p.tcpSplit(out, tp); err != nil {
		return nil, err
	}
	return out, nil
}

// tcpProxy is the chain's lone tcp_proxy filter.
func tcpProxy(fc *listenerv3.FilterChain) (*tcpv3.TcpProxy, error) {
	fs := fc.GetFilters()
	if len(fs) != 1 || fs[0].GetName() != wellknown.TCPProxy {
		return nil, unsupported("chain %q: only a lone tcp_proxy is evaluated for connections", fc.GetName())
	}
	tp := &tcpv3.TcpProxy{}
	if err := fs[0].GetTypedConfig().UnmarshalTo(tp); err != nil {
		return nil, fmt.Errorf("chain %q: %w", fc.GetName(), err)
	}
	if tp.GetTunnelingConfig() != nil || tp.GetOnDemand() != nil || tp.GetMetadataMatch() != nil {
		return nil, unsupported("chain %q: tcp_proxy tunneling, on-demand or metadata_match", fc.GetName())
	}
	return tp, nil
}

// tcpSplit follows the TCP proxy's cluster, or its weighted clusters,
// which it picks per connection by weight.
func (p *Proxy) tcpSplit(out *Forward, tp *tcpv3.TcpProxy) error {
	if name := tp.GetCluster(); name != "" {
		return p.addShare(out, name, 1)
	}
	wcs := tp.GetWeightedClusters().GetClusters()
	if len(wcs) == 0 {
		return unsupported("tcp_proxy without a cluster")
	}
	for _, wc := range wcs {
		if wc.GetMetadataMatch() != nil {
			return unsupported("weighted cluster %q: metadata_match", wc.GetName())
		}
		if err := p.addShare(out, wc.GetName(), wc.GetWeight()); err != nil {
			return err
		}
	}
	return nil
}

func (p *Proxy) addShare(out *Forward, cluster string, weight uint32) error {
	s := Share{Cluster: cluster, Weight: weight}
	if cl := p.clusters[cluster]; cl != nil {
		eps, err := p.clusterEndpoints(cl)
		if err != nil {
			return err
		}
		s.Endpoints = eps
	}
	out.Split = append(out.Split, s)
	out.Total += weight
	return nil
}
