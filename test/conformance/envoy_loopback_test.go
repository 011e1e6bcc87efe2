package conformance_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/proto"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// loopbackPorts maps a fleet's Gateway ports (80, 443, 8080, on every
// address) to the 127.0.0.1 ports its Envoy listens on instead: a test
// must not bind anything but loopback, nor a fixed port. A port once
// chosen stays, so a later snapshot of the same fleet keeps its sockets.
type loopbackPorts struct {
	mu    sync.Mutex
	ports map[uint32]uint32
	// pick chooses a free local port for a listener's protocol.
	pick func(corev3.SocketAddress_Protocol) (uint32, error)
}

func newLoopbackPorts() *loopbackPorts {
	return &loopbackPorts{ports: map[uint32]uint32{}, pick: freeLoopbackPort}
}

// freeLoopbackPort lets the OS choose a port by listening on 127.0.0.1:0
// and closing; Envoy binds it a moment later. Another process could take
// it in between: that race is accepted for a test.
func freeLoopbackPort(p corev3.SocketAddress_Protocol) (uint32, error) {
	var addr net.Addr
	if p == corev3.SocketAddress_UDP {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		addr = c.LocalAddr()
		c.Close()
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		addr = l.Addr()
		l.Close()
	}
	_, port, _ := net.SplitHostPort(addr.String())
	n, err := strconv.ParseUint(port, 10, 16)
	return uint32(n), err
}

func (lp *loopbackPorts) local(gatewayPort uint32) (uint32, bool) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	p, ok := lp.ports[gatewayPort]
	return p, ok
}

// listeners returns copies of ls bound to 127.0.0.1 on the mapped ports;
// nothing else in them changes.
func (lp *loopbackPorts) listeners(ls []*listenerv3.Listener) ([]*listenerv3.Listener, error) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	out := make([]*listenerv3.Listener, 0, len(ls))
	for _, l := range ls {
		sa := l.GetAddress().GetSocketAddress()
		if sa == nil || len(l.GetAdditionalAddresses()) > 0 {
			return nil, fmt.Errorf("listener %q: only a single socket address can be moved to loopback", l.GetName())
		}
		gw := sa.GetPortValue()
		local, ok := lp.ports[gw]
		if !ok {
			p, err := lp.pick(sa.GetProtocol())
			if err != nil {
				return nil, fmt.Errorf("listener %q: %w", l.GetName(), err)
			}
			local, lp.ports[gw] = p, p
		}
		c := proto.Clone(l).(*listenerv3.Listener)
		csa := c.GetAddress().GetSocketAddress()
		csa.Address = "127.0.0.1"
		csa.PortSpecifier = &corev3.SocketAddress_PortValue{PortValue: local}
		out = append(out, c)
	}
	return out, nil
}

// loopbackEndpoints returns copies of the endpoints and clusters with every
// pod address ("10.244.x.y:3000") replaced by its echo server's 127.0.0.1
// address from backends. An endpoint that is no echo pod is dropped: Envoy
// must never connect anywhere but loopback (those addresses are
// documentation-only), and a dropped endpoint answers like an unreachable
// one, 503.
func loopbackEndpoints(r translator.Resources, backends map[string]string) ([]*endpointv3.ClusterLoadAssignment, []*clusterv3.Cluster) {
	eps := make([]*endpointv3.ClusterLoadAssignment, 0, len(r.Endpoints))
	for _, e := range r.Endpoints {
		c := proto.Clone(e).(*endpointv3.ClusterLoadAssignment)
		rewriteAssignment(c, backends)
		eps = append(eps, c)
	}
	cls := make([]*clusterv3.Cluster, 0, len(r.Clusters))
	for _, cl := range r.Clusters {
		c := proto.Clone(cl).(*clusterv3.Cluster)
		if c.GetLoadAssignment() != nil {
			rewriteAssignment(c.LoadAssignment, backends)
		}
		cls = append(cls, c)
	}
	return eps, cls
}

func rewriteAssignment(c *endpointv3.ClusterLoadAssignment, backends map[string]string) {
	for _, loc := range c.GetEndpoints() {
		kept := loc.LbEndpoints[:0]
		for _, lb := range loc.GetLbEndpoints() {
			sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
			to, ok := backends[net.JoinHostPort(sa.GetAddress(), strconv.Itoa(int(sa.GetPortValue())))]
			if !ok {
				continue
			}
			host, port, _ := net.SplitHostPort(to)
			n, _ := strconv.ParseUint(port, 10, 16)
			sa.Address = host
			sa.PortSpecifier = &corev3.SocketAddress_PortValue{PortValue: uint32(n)}
			kept = append(kept, lb)
		}
		loc.LbEndpoints = kept
	}
}

// loopbackDialer is the suite's CustomDialContext: a Gateway address and
// port ("192.0.2.100:80") becomes the 127.0.0.1 port the Envoy of that
// Gateway's fleet listens on. Anything else is refused, so that no request
// of the suite ever leaves loopback.
type loopbackDialer struct {
	// class is the GatewayClass of the Gateway at a host, or an error.
	class  func(host string) (string, error)
	fleets map[string]*loopbackPorts
}

func (d *loopbackDialer) target(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("dial %s: %w", addr, err)
	}
	gw, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return "", fmt.Errorf("dial %s: bad port", addr)
	}
	class, err := d.class(host)
	if err != nil {
		return "", err
	}
	fleet := d.fleets[class]
	if fleet == nil {
		return "", fmt.Errorf("dial %s: no Envoy runs for GatewayClass %q (connection refused)", addr, class)
	}
	local, ok := fleet.local(uint32(gw))
	if !ok {
		return "", fmt.Errorf("dial %s: fleet %q has no listener on port %d (connection refused)", addr, class, gw)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(int(local))), nil
}

func (d *loopbackDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	to, err := d.target(addr)
	if err != nil {
		return nil, err
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, to)
}
