package translator

import (
	"fmt"

	xdscorev3 "github.com/cncf/xds/go/xds/core/v3"
	xdsmatcherv3 "github.com/cncf/xds/go/xds/type/matcher/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	udpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/udp/udp_proxy/v3"
	networkv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/common_inputs/network/v3"
	consistenthashingv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/input_matchers/consistent_hashing/v3"
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

// udpListener sends the port's sessions to the route's backends. Envoy's
// UDP proxy routes a session by matcher to a single cluster (its Route
// has no weighted_clusters), so a weighted split is made in the matcher:
// a session goes to the backend whose share of [0, total weight) holds a
// hash of its source port (consistent_hashing input matcher), so that
// sessions spread as the weights say and each stays on one backend.
func udpListener(l *ir.Listener, path string) (*listenerv3.Listener, error) {
	p := l.Proxy
	if p == nil || len(p.Backends) == 0 {
		return nil, fieldErr(path+".proxy.backends", "a UDP listener needs a backend")
	}
	m, err := udpMatcher(p.Backends, path+".proxy.backends")
	if err != nil {
		return nil, err
	}
	cfg, err := pack(&udpv3.UdpProxyConfig{
		StatPrefix:     l.Name,
		RouteSpecifier: &udpv3.UdpProxyConfig_Matcher{Matcher: m},
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

// l4Clusters are the clusters a listener's TCP and UDP proxies send to.
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
		cs, err := udpClusters(cfg.GetMatcher())
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// udpMatcher picks a backend per session: backend i (i > 0) takes hashes
// in [c_i, c_i + w_i), c_i being the weights before it, checked from the
// last so that the first ">= c_i" that holds is the right one; backend 0
// takes the rest.
func udpMatcher(backends []ir.WeightedCluster, path string) (*xdsmatcherv3.Matcher, error) {
	action := func(i int) (*xdsmatcherv3.Matcher_OnMatch, error) {
		route, err := pack(&udpv3.Route{Cluster: backends[i].Cluster}, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		return &xdsmatcherv3.Matcher_OnMatch{OnMatch: &xdsmatcherv3.Matcher_OnMatch_Action{
			Action: &xdscorev3.TypedExtensionConfig{Name: "route", TypedConfig: route},
		}}, nil
	}
	first, err := action(0)
	if err != nil {
		return nil, err
	}
	m := &xdsmatcherv3.Matcher{OnNoMatch: first}
	if len(backends) == 1 {
		return m, nil
	}
	var total uint32
	starts := make([]uint32, len(backends))
	for i, b := range backends {
		if b.Weight == 0 {
			return nil, fieldErr(fmt.Sprintf("%s[%d].weight", path, i), "must be > 0 in a split")
		}
		starts[i] = total
		total += b.Weight
	}
	input, err := pack(&networkv3.SourcePortInput{}, path)
	if err != nil {
		return nil, err
	}
	list := &xdsmatcherv3.Matcher_MatcherList{}
	for i := len(backends) - 1; i > 0; i-- {
		hashAbove, err := pack(&consistenthashingv3.ConsistentHashing{Threshold: starts[i], Modulo: total}, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		onMatch, err := action(i)
		if err != nil {
			return nil, err
		}
		list.Matchers = append(list.Matchers, &xdsmatcherv3.Matcher_MatcherList_FieldMatcher{
			Predicate: &xdsmatcherv3.Matcher_MatcherList_Predicate{MatchType: &xdsmatcherv3.Matcher_MatcherList_Predicate_SinglePredicate_{
				SinglePredicate: &xdsmatcherv3.Matcher_MatcherList_Predicate_SinglePredicate{
					Input: &xdscorev3.TypedExtensionConfig{Name: "envoy.matching.inputs.source_port", TypedConfig: input},
					Matcher: &xdsmatcherv3.Matcher_MatcherList_Predicate_SinglePredicate_CustomMatch{CustomMatch: &xdscorev3.TypedExtensionConfig{
						Name: "envoy.matching.input_matchers.consistent_hashing", TypedConfig: hashAbove,
					}},
				},
			}},
			OnMatch: onMatch,
		})
	}
	m.MatcherType = &xdsmatcherv3.Matcher_MatcherList_{MatcherList: list}
	return m, nil
}

// udpClusters are the clusters a UDP proxy's matcher routes to.
func udpClusters(m *xdsmatcherv3.Matcher) ([]string, error) {
	onMatches := []*xdsmatcherv3.Matcher_OnMatch{m.GetOnNoMatch()}
	for _, fm := range m.GetMatcherList().GetMatchers() {
		onMatches = append(onMatches, fm.GetOnMatch())
	}
	var out []string
	for _, om := range onMatches {
		act := om.GetAction()
		if act == nil {
			continue
		}
		r := &udpv3.Route{}
		if err := act.GetTypedConfig().UnmarshalTo(r); err != nil {
			return nil, fmt.Errorf("udp proxy route: %w", err)
		}
		out = append(out, r.GetCluster())
	}
	return out, nil
}
