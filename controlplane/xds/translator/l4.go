package translator

import (
	"fmt"

	xdscorev3 "github.com/cncf/xds/go/xds/core/v3"
	xdsmatcherv3 "github.com/cncf/xds/go/xds/type/matcher/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	udpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/udp/udp_proxy/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

const udpProxyFilter = "envoy.filters.udp_listener.udp_proxy"

// tcpListener forwards every connection of the port.
func tcpListener(l *ir.Listener, path string) (*listenerv3.Listener, error) {
	f, err := tcpProxyFilter(l.Name, l.Proxy, path+".proxy")
	if err != nil {
		return nil, err
	}
	return &listenerv3.Listener{
		Name:         l.Name,
		Address:      socketAddress(l.Address, l.Port),
		FilterChains: []*listenerv3.FilterChain{{Filters: []*listenerv3.Filter{f}}},
	}, nil
}

// tcpProxyFilter splits connections over the weighted backends; a
// connection stays with the backend it was given.
func tcpProxyFilter(stat string, p *ir.L4Proxy, path string) (*listenerv3.Filter, error) {
	if p == nil || len(p.Backends) == 0 {
		return nil, fieldErr(path+".backends", "at least one backend is needed")
	}
	tp := &tcpv3.TcpProxy{StatPrefix: stat}
	if len(p.Backends) == 1 {
		tp.ClusterSpecifier = &tcpv3.TcpProxy_Cluster{Cluster: p.Backends[0].Cluster}
	} else {
		wc := &tcpv3.TcpProxy_WeightedCluster{}
		for _, b := range p.Backends {
			wc.Clusters = append(wc.Clusters, &tcpv3.TcpProxy_WeightedCluster_ClusterWeight{Name: b.Cluster, Weight: b.Weight})
		}
		tp.ClusterSpecifier = &tcpv3.TcpProxy_WeightedClusters{WeightedClusters: wc}
	}
	a, err := pack(tp, path)
	if err != nil {
		return nil, err
	}
	return &listenerv3.Filter{Name: wellknown.TCPProxy, ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: a}}, nil
}

// udpListener sends the port's datagrams to one cluster: Envoy's UDP proxy
// routes by matcher to a single cluster, so a weighted split has to be
// expressed in the cluster (locality weights), not here.
func udpListener(l *ir.Listener, path string) (*listenerv3.Listener, error) {
	p := l.Proxy
	if p == nil || len(p.Backends) != 1 {
		return nil, fieldErr(path+".proxy.backends", "a UDP listener needs exactly one backend")
	}
	route, err := pack(&udpv3.Route{Cluster: p.Backends[0].Cluster}, path+".proxy")
	if err != nil {
		return nil, err
	}
	cfg, err := pack(&udpv3.UdpProxyConfig{
		StatPrefix: l.Name,
		RouteSpecifier: &udpv3.UdpProxyConfig_Matcher{Matcher: &xdsmatcherv3.Matcher{
			OnNoMatch: &xdsmatcherv3.Matcher_OnMatch{OnMatch: &xdsmatcherv3.Matcher_OnMatch_Action{
				Action: &xdscorev3.TypedExtensionConfig{Name: "route", TypedConfig: route},
			}},
		}},
	}, path+".proxy")
	if err != nil {
		return nil, err
	}
	addr := socketAddress(l.Address, l.Port)
	addr.GetSocketAddress().Protocol = corev3.SocketAddress_UDP
	return &listenerv3.Listener{
		Name:    l.Name,
		Address: addr,
		ListenerFilters: []*listenerv3.ListenerFilter{{
			Name:       udpProxyFilter,
			ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: cfg},
		}},
	}, nil
}

// l4Clusters are the clusters a listener's TCP proxies send to.
func l4Clusters(l *listenerv3.Listener) ([]string, error) {
	var out []string
	for _, fc := range l.GetFilterChains() {
		for _, f := range fc.GetFilters() {
			a := f.GetTypedConfig()
			if a == nil || !a.MessageIs(&tcpv3.TcpProxy{}) {
				continue
			}
			tp := &tcpv3.TcpProxy{}
			if err := a.UnmarshalTo(tp); err != nil {
				return nil, fmt.Errorf("tcp proxy: %w", err)
			}
			if c := tp.GetCluster(); c != "" {
				out = append(out, c)
			}
			for _, wc := range tp.GetWeightedClusters().GetClusters() {
				out = append(out, wc.GetName())
			}
		}
	}
	for _, lf := range l.GetListenerFilters() {
		a := lf.GetTypedConfig()
		if a == nil || !a.MessageIs(&udpv3.UdpProxyConfig{}) {
			continue
		}
		cfg := &udpv3.UdpProxyConfig{}
		if err := a.UnmarshalTo(cfg); err != nil {
			return nil, fmt.Errorf("udp proxy: %w", err)
		}
		r := &udpv3.Route{}
		if act := cfg.GetMatcher().GetOnNoMatch().GetAction(); act != nil {
			if err := act.GetTypedConfig().UnmarshalTo(r); err != nil {
				return nil, fmt.Errorf("udp proxy route: %w", err)
			}
			out = append(out, r.GetCluster())
		}
	}
	return out, nil
}
