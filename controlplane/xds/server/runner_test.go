package server

import (
	"context"
	"slices"
	"testing"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
)

// snapshotVersions returns the fleet's Envoy snapshot versions per type,
// or nil if it has none.
func (s *Server) snapshotVersions(fleet string) map[types.ResponseType]string {
	snap, err := s.envoyCache.GetSnapshot(fleet)
	if err != nil {
		return nil
	}
	out := map[types.ResponseType]string{}
	for _, t := range []types.ResponseType{types.Listener, types.Route, types.Cluster, types.Endpoint} {
		out[t] = snap.GetVersion(typeURL(t))
	}
	return out
}

// complete reports whether the fleet's update has gone through all its
// phases.
func (s *Server) complete(fleet string) error {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	f := s.fleets[fleet]
	if f == nil {
		return errNotYetf("no fleet %q", fleet)
	}
	for _, kind := range []string{kindEnvoy, kindGRPC} {
		if f.published[kind] != f.wanted(kind) {
			return errNotYetf("%s still in an intermediate phase", kind)
		}
	}
	return nil
}

func listenerNames(s *Server, fleet string) []string {
	snap, err := s.envoyCache.GetSnapshot(fleet)
	if err != nil {
		return nil
	}
	var out []string
	for name := range snap.(*cache.Snapshot).GetResources(typeURL(types.Listener)) {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func TestRunnerTranslatesChangedFleets(t *testing.T) {
	srv := New(testLogger(t))
	irs := message.NewMap[string, *ir.Xds]("xds-ir")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, testLogger(t), srv, irs); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	x := ipCluster("x", "10.0.0.1")
	irs.Store("eg", singleRouteIR(x))
	eventually(t, "fleet eg served", func() error {
		if !slices.Equal(listenerNames(srv, "eg"), []string{"http-80"}) {
			return errNotYet
		}
		return nil
	})
	good := srv.snapshotVersions("eg")

	// A bad IR for eg: eg keeps its snapshot. Storing "later" after it
	// tells us when the runner has seen eg's update (keys run sorted, and a
	// coalesced delivery holds both).
	bad := singleRouteIR(x)
	bad.Listeners[0].VirtualHosts[0].Routes[0].Match.Headers = []ir.StringMatch{{Name: "h", Type: ir.StringRegex, Value: "(["}}
	irs.Store("eg", bad)
	later := singleRouteIR(ipCluster("z", "10.0.0.9"))
	later.Fleet = "later"
	irs.Store("later", later)
	eventually(t, "fleet later served", func() error {
		if listenerNames(srv, "later") == nil {
			return errNotYet
		}
		return nil
	})
	if got := srv.snapshotVersions("eg"); !mapsEqual(got, good) {
		t.Fatalf("a failed translation changed eg's snapshot: %v -> %v", good, got)
	}

	// Only changed fleets are translated. Give eg a different snapshot
	// behind the runner's back (twice: first so that the wait for the good
	// IR below has something to wait for); a runner that re-translated
	// every fleet on the next update of "later" would put eg's IR back.
	yIR := singleRouteIR(ipCluster("y", "10.0.0.2"))
	if err := srv.SetFleet("eg", translate(t, yIR)); err != nil {
		t.Fatal(err)
	}
	irs.Store("eg", singleRouteIR(x))
	eventually(t, "eg good again", func() error {
		if !mapsEqual(srv.snapshotVersions("eg"), good) {
			return errNotYet
		}
		return nil
	})
	if err := srv.SetFleet("eg", translate(t, yIR)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "eg's update complete", func() error { return srv.complete("eg") })
	direct := srv.snapshotVersions("eg")
	later2 := singleRouteIR(ipCluster("z", "10.0.0.10"))
	later2.Fleet = "later"
	laterBefore := srv.snapshotVersions("later")
	irs.Store("later", later2)
	eventually(t, "later updated", func() error {
		if got := srv.snapshotVersions("later"); got[types.Endpoint] == laterBefore[types.Endpoint] {
			return errNotYet
		}
		return nil
	})
	if got := srv.snapshotVersions("eg"); !mapsEqual(got, direct) {
		t.Errorf("updating fleet later re-translated eg: %v -> %v", direct, got)
	}
	// Content-hash versions: later's listeners did not change.
	if got := srv.snapshotVersions("later"); got[types.Listener] != laterBefore[types.Listener] {
		t.Errorf("unchanged listeners got a new version: %s -> %s", laterBefore[types.Listener], got[types.Listener])
	}

	// Deleting the fleet empties it.
	irs.Delete("eg")
	eventually(t, "fleet eg emptied", func() error {
		if listenerNames(srv, "eg") != nil || slices.Contains(srv.Fleets(), "eg") {
			return errNotYet
		}
		return nil
	})
}

func mapsEqual[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
