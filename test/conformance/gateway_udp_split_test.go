package conformance_test

import (
	"strings"
	"testing"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	udpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/udp/udp_proxy/v3"
	consistenthashingv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/input_matchers/consistent_hashing/v3"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
)

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"UDPRouteWeightedRouting", udpRouteWeightedRouting})
}

// udpRouteWeightedRouting repeats the status steps of UDPRouteWeightedRouting;
// where it sends datagrams and counts the backends that answer, this
// evaluates the UDP proxy's matcher the fleet is served over every hash
// value: v1 and v2 must get 70 and 30 of every 100, v3 (weight 0) none.
func udpRouteWeightedRouting(t *testing.T) {
	const name = "UDPRouteWeightedRouting"
	record(t, name, ranStatus)
	s := newSuite(t, upstream(t, name))
	gwNN, routeNN := nn(infra, "udp-weighted-gateway"), nn(infra, "udp-weighted-route")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	kubernetes.GatewayAndUDPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN, "udp"), routeNN)

	rs := fleetXDS(t, s, gwNN)
	var udp *listenerv3.Listener
	for _, l := range rs.Envoy.Listeners {
		if strings.HasPrefix(l.GetName(), "udp-") {
			udp = l
		}
	}
	if udp == nil {
		t.Fatal("no UDP listener served")
	}
	cfg := &udpv3.UdpProxyConfig{}
	if err := udp.GetListenerFilters()[0].GetTypedConfig().UnmarshalTo(cfg); err != nil {
		t.Fatal(err)
	}
	shares := udpShares(t, cfg)
	want := map[string]uint32{
		"service/gateway-conformance-infra/udp-backend-v1/8080": 70,
		"service/gateway-conformance-infra/udp-backend-v2/8080": 30,
	}
	for c, n := range want {
		if shares[c] != n {
			t.Errorf("%s takes %d of 100 hashes, want %d (all: %v)", c, shares[c], n, shares)
		}
	}
	if len(shares) != len(want) {
		t.Errorf("sessions go to %v; the weight-0 backend must get none", shares)
	}
}

// udpShares counts, for every hash value below the matcher's modulo, the
// cluster Envoy would pick: the first field matcher whose
// "hash % modulo >= threshold" holds, else on_no_match.
func udpShares(t *testing.T, cfg *udpv3.UdpProxyConfig) map[string]uint32 {
	t.Helper()
	m := cfg.GetMatcher()
	fallback := &udpv3.Route{}
	if err := m.GetOnNoMatch().GetAction().GetTypedConfig().UnmarshalTo(fallback); err != nil {
		t.Fatal(err)
	}
	type arm struct {
		threshold uint32
		cluster   string
	}
	var arms []arm
	modulo := uint32(1)
	for _, fm := range m.GetMatcherList().GetMatchers() {
		ch := &consistenthashingv3.ConsistentHashing{}
		if err := fm.GetPredicate().GetSinglePredicate().GetCustomMatch().GetTypedConfig().UnmarshalTo(ch); err != nil {
			t.Fatal(err)
		}
		r := &udpv3.Route{}
		if err := fm.GetOnMatch().GetAction().GetTypedConfig().UnmarshalTo(r); err != nil {
			t.Fatal(err)
		}
		modulo = ch.GetModulo()
		arms = append(arms, arm{ch.GetThreshold(), r.GetCluster()})
	}
	out := map[string]uint32{}
	for h := range modulo {
		pick := fallback.GetCluster()
		for _, a := range arms {
			if h >= a.threshold {
				pick = a.cluster
				break
			}
		}
		out[pick]++
	}
	return out
}
