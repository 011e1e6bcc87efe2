package server

import (
	"context"
	"fmt"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// fleetState is what the server holds for one fleet.
type fleetState struct {
	// want is the latest set SetFleet accepted.
	want *translator.ResourceSet
	// published is what each kind of client is being served: want's
	// resources, or a phase on the way to them.
	published map[string]*translator.Resources
	// gen counts updates; pending phases belong to one gen.
	gen uint64
}

func (f *fleetState) wanted(kind string) *translator.Resources {
	if kind == kindGRPC {
		return &f.want.GRPC
	}
	return &f.want.Envoy
}

func (s *Server) cacheFor(kind string) cache.SnapshotCache {
	if kind == kindGRPC {
		return s.grpcCache
	}
	return s.envoyCache
}

// SetFleet makes rs what fleet's proxies get. It refuses a set that is not
// self-consistent; the fleet then keeps what it had. It does not wait for
// proxies: the first phase of the update is published when it returns, the
// others follow as proxies ACK (see plan).
func (s *Server) SetFleet(fleet string, rs *translator.ResourceSet) error {
	if fleet == "" {
		return fmt.Errorf("empty fleet name")
	}
	if rs == nil {
		return fmt.Errorf("fleet %q: nil resource set", fleet)
	}
	if err := rs.Envoy.Check(); err != nil {
		return fmt.Errorf("fleet %q: Envoy resources: %w", fleet, err)
	}
	if err := rs.GRPC.Check(); err != nil {
		return fmt.Errorf("fleet %q: gRPC resources: %w", fleet, err)
	}
	s.setMu.Lock()
	defer s.setMu.Unlock()
	f := s.fleets[fleet]
	if f == nil {
		f = &fleetState{published: map[string]*translator.Resources{}}
		s.fleets[fleet] = f
	}
	f.want = rs
	f.gen++
	for _, kind := range []string{kindEnvoy, kindGRPC} {
		phases := plan(f.published[kind], f.wanted(kind))
		snap, err := s.publish(fleet, kind, phases[0].res)
		if err != nil {
			return err
		}
		f.published[kind] = phases[0].res
		if len(phases) > 1 {
			go s.runPhases(fleet, kind, f.gen, phases, snapshotVersions(snap))
		}
	}
	return nil
}

// RemoveFleet empties fleet: its connected proxies drop every listener and
// cluster. Its NACK records go too.
func (s *Server) RemoveFleet(fleet string) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	for _, kind := range []string{kindEnvoy, kindGRPC} {
		if _, err := s.publish(fleet, kind, &translator.Resources{}); err != nil {
			s.log.Error("emptying fleet", "fleet", fleet, "error", err)
		}
	}
	// Pending update phases see the fleet gone and stop.
	delete(s.fleets, fleet)
	for _, kind := range []string{kindEnvoy, kindGRPC} {
		delete(s.typeSnaps, snapshotKey(fleet, kind))
		s.enc.vhosts.forget(snapshotKey(fleet, kind))
	}
	s.mu.Lock()
	for k := range s.nacks {
		if k.fleet == fleet {
			delete(s.nacks, k)
		}
	}
	for k := range s.sent {
		if k.fleet == fleet {
			delete(s.sent, k)
		}
	}
	s.mu.Unlock()
}

// Fleets returns the names of the fleets that have resources.
func (s *Server) Fleets() []string {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	out := make([]string, 0, len(s.fleets))
	for f := range s.fleets {
		out = append(out, f)
	}
	return out
}

// publish checks r and makes it the fleet's snapshot for kind. Callers
// hold setMu.
func (s *Server) publish(fleet, kind string, r *translator.Resources) (*cache.Snapshot, error) {
	if err := r.Check(); err != nil {
		return nil, fmt.Errorf("fleet %q: %s snapshot: %w", fleet, kind, err)
	}
	snap, err := s.snapshot(snapshotKey(fleet, kind), r)
	if err != nil {
		return nil, fmt.Errorf("fleet %q: %s snapshot: %w", fleet, kind, err)
	}
	if err := s.cacheFor(kind).SetSnapshot(context.Background(), snapshotKey(fleet, kind), snap); err != nil {
		return nil, fmt.Errorf("fleet %q: %s snapshot: %w", fleet, kind, err)
	}
	s.hub.set(snapshotKey(fleet, kind), s.typeSnaps[snapshotKey(fleet, kind)])
	s.log.Debug("xDS snapshot set", "fleet", fleet, "client", kind,
		"listeners", snap.GetVersion(typeURL(types.Listener)), "routes", snap.GetVersion(typeURL(types.Route)),
		"clusters", snap.GetVersion(typeURL(types.Cluster)), "endpoints", snap.GetVersion(typeURL(types.Endpoint)))
	return snap, nil
}
