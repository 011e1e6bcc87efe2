package server

import (
	"slices"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// Make-before-break.
//
// A proxy must never hold a route to a cluster it does not have. Ordering
// on one ADS stream is not enough: the cache only answers a type whose
// previous response the proxy has ACKed, so a route update can overtake a
// cluster update that is waiting for an ACK, and a cluster removal can
// overtake the route update that stops using the cluster. So an update
// goes out in phases, each published once every proxy of the fleet has
// ACKed what the previous one needed:
//
//  1. add: the old listeners and routes, with the old and new clusters;
//     wait for CDS and EDS ACKs;
//  2. switch: the new listeners and routes, with the old and new clusters;
//     wait for RDS ACKs;
//  3. drop: exactly the new resources.
//
// Phases that change nothing are skipped. A proxy that does not ACK within
// bridgeTimeout is not waited for any longer. An update that arrives
// mid-way starts from what is published, so a dropped cluster stays until
// a later update completes.

// phase is one step of an update: publish res, then wait for every proxy
// to ACK its versions of the wait types before the next step.
type phase struct {
	res  *translator.Resources
	wait []types.ResponseType
}

// plan returns the phases from prev (what is published) to next.
func plan(prev, next *translator.Resources) []phase {
	// The same clusters (as a one-route change leaves them) add and drop
	// none; a fleet has thousands, not worth two name sets per change.
	if prev == nil || slices.Equal(prev.Clusters, next.Clusters) {
		return []phase{{res: next}}
	}
	inPrev, inNext := clusterNames(prev), clusterNames(next)
	var added, dropped []*clusterv3.Cluster
	for _, c := range next.Clusters {
		if !inPrev[c.GetName()] {
			added = append(added, c)
		}
	}
	for _, c := range prev.Clusters {
		if !inNext[c.GetName()] {
			dropped = append(dropped, c)
		}
	}
	clusters, endpoints := union(prev, next, dropped)
	var phases []phase
	if len(added) > 0 {
		phases = append(phases, phase{
			res:  withSecrets(&translator.Resources{Listeners: prev.Listeners, Routes: prev.Routes, Clusters: clusters, Endpoints: endpoints}, prev, next),
			wait: []types.ResponseType{types.Cluster, types.Endpoint},
		})
	}
	if len(dropped) > 0 {
		phases = append(phases, phase{
			res:  withSecrets(&translator.Resources{Listeners: next.Listeners, Routes: next.Routes, Clusters: clusters, Endpoints: endpoints}, next, prev),
			wait: []types.ResponseType{types.Route},
		})
	}
	return append(phases, phase{res: next})
}

// union is next's clusters and assignments plus those of dropped, taken
// from prev. A cluster in both is next's version.
func union(prev, next *translator.Resources, dropped []*clusterv3.Cluster) ([]*clusterv3.Cluster, []*endpointv3.ClusterLoadAssignment) {
	clusters := append(append([]*clusterv3.Cluster(nil), next.Clusters...), dropped...)
	endpoints := append([]*endpointv3.ClusterLoadAssignment(nil), next.Endpoints...)
	gone := clusterNames(&translator.Resources{Clusters: dropped})
	for _, la := range prev.Endpoints {
		if gone[la.GetClusterName()] {
			endpoints = append(endpoints, la)
		}
	}
	return clusters, endpoints
}

// withSecrets gives a phase the secrets its listeners and clusters fetch:
// an added cluster may present a client certificate that only next has,
// a dropped one one that only prev had. from is searched first.
func withSecrets(r *translator.Resources, from, other *translator.Resources) *translator.Resources {
	secrets, err := r.FetchedSecrets(from.Secrets, other.Secrets)
	if err != nil {
		// Cannot happen for sets that passed Check; publishing reports it.
		secrets = from.Secrets
	}
	r.Secrets = secrets
	return r
}

func clusterNames(r *translator.Resources) map[string]bool {
	m := make(map[string]bool, len(r.Clusters))
	for _, c := range r.Clusters {
		m[c.GetName()] = true
	}
	return m
}

// runPhases publishes phases[1:] for kind, each after the proxies ACKed
// the previous one (phases[0] is already published), unless the fleet
// changes meanwhile.
func (s *Server) runPhases(fleet, kind string, gen uint64, phases []phase, versions map[types.ResponseType]string) {
	for i := 1; i < len(phases); i++ {
		if !s.awaitACKs(fleet, kind, gen, phases[i-1].wait, versions) {
			return
		}
		s.setMu.Lock()
		f := s.fleets[fleet]
		if f == nil || f.gen != gen {
			s.setMu.Unlock()
			return
		}
		snap, err := s.publish(fleet, kind, phases[i].res)
		if err != nil {
			s.setMu.Unlock()
			s.log.Error("fleet update phase", "fleet", fleet, "client", kind, "error", err)
			return
		}
		f.published[kind] = phases[i].res
		s.setMu.Unlock()
		versions = snapshotVersions(snap)
	}
}

// bridgePoll is how often awaitACKs looks at the ACKs.
const bridgePoll = 10 * time.Millisecond

// awaitACKs waits until every stream of fleet and kind has ACKed
// versions[t] for each t in wait, or bridgeTimeout passes. It returns
// false if the fleet changed meanwhile.
func (s *Server) awaitACKs(fleet, kind string, gen uint64, wait []types.ResponseType, versions map[types.ResponseType]string) bool {
	deadline := time.Now().Add(s.bridgeTimeout)
	for {
		if !s.isGen(fleet, gen) {
			return false
		}
		if s.acked(fleet, kind, wait, versions) {
			return true
		}
		if time.Now().After(deadline) {
			s.log.Warn("some proxies did not ACK in time; continuing the update without them",
				"fleet", fleet, "client", kind, "timeout", s.bridgeTimeout)
			return true
		}
		time.Sleep(bridgePoll)
	}
}

func (s *Server) isGen(fleet string, gen uint64) bool {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	f := s.fleets[fleet]
	return f != nil && f.gen == gen
}

// acked reports whether the fleet's streams of kind have ACKed versions
// of the wait types. A stream that was never sent a type holds nothing of
// it to protect. A Delta stream gets EDS only for the assignments it
// subscribed to, which may not have changed, so its EDS is not waited for.
func (s *Server) acked(fleet, kind string, wait []types.ResponseType, versions map[types.ResponseType]string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.streams {
		if st.node == nil || st.fleet != fleet || clientKind(st.node) != kind {
			continue
		}
		for _, t := range wait {
			u := typeURL(t)
			if _, held := st.sent[u]; !held || (k.delta && u == resource.EndpointType) {
				continue
			}
			if st.acked[u] != versions[t] {
				return false
			}
		}
	}
	return true
}
