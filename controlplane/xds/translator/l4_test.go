package translator

import (
	"testing"

	consistenthashingv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/input_matchers/consistent_hashing/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// TestUDPSplitFollowsWeights evaluates the UDP proxy's matcher as Envoy
// does (the first field matcher whose "hash % modulo >= threshold" holds,
// else on_no_match) for every hash value: each backend must take exactly
// its weight's share of them, whatever the hash of a source port is.
func TestUDPSplitFollowsWeights(t *testing.T) {
	for _, weights := range [][]uint32{{80, 15, 5}, {1, 1}, {3, 7, 1, 9}} {
		var backends []ir.WeightedCluster
		for i, w := range weights {
			backends = append(backends, ir.WeightedCluster{Cluster: string(rune('a' + i)), Weight: w})
		}
		m, err := udpMatcher(backends, "backends")
		if err != nil {
			t.Fatal(err)
		}
		clusters, err := udpClusters(m)
		if err != nil {
			t.Fatal(err)
		}
		// udpClusters lists on_no_match first, then the field matchers.
		var modulo uint32
		thresholds := []uint32{}
		for _, fm := range m.GetMatcherList().GetMatchers() {
			ch := &consistenthashingv3.ConsistentHashing{}
			if err := fm.GetPredicate().GetSinglePredicate().GetCustomMatch().GetTypedConfig().UnmarshalTo(ch); err != nil {
				t.Fatal(err)
			}
			if fm.GetPredicate().GetSinglePredicate().GetInput().GetName() != "envoy.matching.inputs.source_port" {
				t.Fatalf("input %q", fm.GetPredicate().GetSinglePredicate().GetInput().GetName())
			}
			modulo = ch.GetModulo()
			thresholds = append(thresholds, ch.GetThreshold())
		}
		got := map[string]uint32{}
		for h := range modulo {
			pick := clusters[0]
			for i, th := range thresholds {
				if h >= th {
					pick = clusters[i+1]
					break
				}
			}
			got[pick]++
		}
		for _, b := range backends {
			if got[b.Cluster] != b.Weight {
				t.Errorf("weights %v: backend %s takes %d of %d hashes, want %d", weights, b.Cluster, got[b.Cluster], modulo, b.Weight)
			}
		}
	}
}
