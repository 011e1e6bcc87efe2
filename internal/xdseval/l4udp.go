package xdseval

import (
	"fmt"

	xdsmatcherv3 "github.com/cncf/xds/go/xds/type/matcher/v3"
	udpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/udp/udp_proxy/v3"
	networkv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/common_inputs/network/v3"
	consistenthashingv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/input_matchers/consistent_hashing/v3"
)

// udpSession follows a UDP session through the listener's UDP proxy.
func (p *Proxy) udpSession(c Conn) (*Forward, error) {
	l := p.udpListeners[c.Port]
	if l == nil {
		return nil, &ConnError{Reason: fmt.Sprintf("nothing listens on UDP port %d", c.Port)}
	}
	lfs := l.GetListenerFilters()
	if len(lfs) != 1 || lfs[0].GetName() != udpProxyFilter || len(l.GetFilterChains()) > 0 {
		return nil, unsupported("UDP listener %q: only a lone udp_proxy listener filter is evaluated", l.GetName())
	}
	cfg := &udpv3.UdpProxyConfig{}
	if err := lfs[0].GetTypedConfig().UnmarshalTo(cfg); err != nil {
		return nil, fmt.Errorf("UDP listener %q: %w", l.GetName(), err)
	}
	if len(cfg.GetSessionFilters()) > 0 || cfg.GetUsePerPacketLoadBalancing() || cfg.GetTunnelingConfig() != nil {
		return nil, unsupported("UDP listener %q: session filters, per-packet balancing or tunneling", l.GetName())
	}
	out := &Forward{}
	if c := cfg.GetCluster(); c != "" {
		return out, p.addShare(out, c, 1)
	}
	shares, total, err := udpShares(cfg.GetMatcher())
	if err != nil {
		return nil, fmt.Errorf("UDP listener %q: %w", l.GetName(), err)
	}
	for _, s := range shares {
		if err := p.addShare(out, s.Cluster, s.Weight); err != nil {
			return nil, err
		}
	}
	if out.Total != total {
		return nil, fmt.Errorf("internal: UDP shares sum to %d of %d", out.Total, total)
	}
	return out, nil
}

// hashArm is one field matcher: "hash(source port) % modulo >= threshold"
// routes to cluster.
type hashArm struct {
	threshold uint32
	cluster   string
}

// udpShares counts, for every value of the session's source-port hash
// modulo the matchers' modulo, the cluster the matcher routes it to: the
// first field matcher that holds, else on_no_match. The arms must hash
// alike (one modulo, one seed) for that count to be the split; a matcher
// without arms sends every session to on_no_match.
func udpShares(m *xdsmatcherv3.Matcher) ([]Share, uint32, error) {
	fallback, err := udpRoute(m.GetOnNoMatch())
	if err != nil {
		return nil, 0, err
	}
	if m.GetMatcherTree() != nil {
		return nil, 0, unsupported("UDP matcher tree")
	}
	var arms []hashArm
	modulo, seed := uint32(1), uint64(0)
	for i, fm := range m.GetMatcherList().GetMatchers() {
		sp := fm.GetPredicate().GetSinglePredicate()
		if sp == nil || !sp.GetInput().GetTypedConfig().MessageIs(&networkv3.SourcePortInput{}) {
			return nil, 0, unsupported("UDP matcher %d: only a source-port single predicate", i)
		}
		ch := &consistenthashingv3.ConsistentHashing{}
		if a := sp.GetCustomMatch().GetTypedConfig(); a == nil || !a.MessageIs(ch) {
			return nil, 0, unsupported("UDP matcher %d: only a consistent_hashing match", i)
		} else if err := a.UnmarshalTo(ch); err != nil {
			return nil, 0, err
		}
		if i > 0 && (ch.GetModulo() != modulo || ch.GetSeed() != seed) {
			return nil, 0, unsupported("UDP matchers hashing with different moduli or seeds")
		}
		modulo, seed = ch.GetModulo(), ch.GetSeed()
		cluster, err := udpRoute(fm.GetOnMatch())
		if err != nil {
			return nil, 0, fmt.Errorf("UDP matcher %d: %w", i, err)
		}
		arms = append(arms, hashArm{ch.GetThreshold(), cluster})
	}
	count := map[string]uint32{}
	var order []string
	for h := range modulo {
		pick := fallback
		for _, a := range arms {
			if h >= a.threshold {
				pick = a.cluster
				break
			}
		}
		if count[pick] == 0 {
			order = append(order, pick)
		}
		count[pick]++
	}
	out := make([]Share, 0, len(order))
	for _, c := range order {
		out = append(out, Share{Cluster: c, Weight: count[c]})
	}
	return out, modulo, nil
}

// udpRoute is the cluster of an on_match that routes; a nested matcher
// is not evaluated, and without an action Envoy drops the datagrams.
func udpRoute(om *xdsmatcherv3.Matcher_OnMatch) (string, error) {
	if om.GetMatcher() != nil {
		return "", unsupported("nested UDP matcher")
	}
	act := om.GetAction()
	if act == nil {
		return "", unsupported("UDP matcher without a route action")
	}
	r := &udpv3.Route{}
	if err := act.GetTypedConfig().UnmarshalTo(r); err != nil {
		return "", fmt.Errorf("UDP route action: %w", err)
	}
	return r.GetCluster(), nil
}
