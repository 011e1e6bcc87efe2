package server

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// An adsResponse's buffers, cut from the type's shared encoding, must be
// exactly proto.Marshal's bytes of the response it stands for, whatever
// resources it picks and whichever fields are empty.
func TestADSResponseEqualsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := newWireCodec(newEncoder())
	for round := range 200 {
		st := &sotwType{version: "v", te: &typeEncoding{}}
		for i := range rng.IntN(20) {
			n := rng.IntN(300)
			if rng.IntN(4) == 0 {
				// Big enough to be referenced rather than copied.
				n = bigValue + rng.IntN(1000)
			}
			typeURL := "type.googleapis.com/x"
			if rng.IntN(8) == 0 {
				typeURL = ""
			}
			st.te.all = append(st.te.all, &anypb.Any{TypeUrl: typeURL, Value: bytes.Repeat([]byte{byte(i)}, n)})
		}
		var idx []int
		anys := st.te.all
		if rng.IntN(2) == 0 {
			anys = nil
			for i := range st.te.all {
				if rng.IntN(2) == 0 {
					idx = append(idx, i)
					anys = append(anys, st.te.all[i])
				}
			}
			if idx == nil {
				idx = []int{}
			}
		}
		pick := func(s string) string {
			if rng.IntN(3) == 0 {
				return ""
			}
			return s
		}
		r := &adsResponse{version: pick("v1"), typeURL: pick(resource.ClusterType), nonce: pick(fmt.Sprint(round)), anys: anys}
		r.pieces = pieces(st, anys, idx)
		got, err := c.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want, err := proto.Marshal(r.message())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Materialize(), want) {
			t.Fatalf("round %d: encoding differs from proto.Marshal (%d resources, idx %v)", round, len(anys), idx)
		}
	}
}

// Streams asking for the same names share one set; the set goes once no
// stream holds it.
func TestNameSetsInterned(t *testing.T) {
	n := newNameSets()
	a := n.intern([]string{"x", "y"})
	if b := n.intern([]string{"x", "y"}); a != b {
		t.Fatal("same names, different sets")
	}
	if b := n.intern([]string{"y", "x"}); a == b || !b.has("x") || b.has("z") {
		t.Fatal("other names share a set, or a set lost its names")
	}
	if !n.intern(nil).wildcard || !n.intern([]string{"a", "*"}).wildcard {
		t.Fatal("no names or * is not a wildcard")
	}
	runtime.KeepAlive(a)
	a = nil
	deadline := time.Now().Add(hangGuard)
	for {
		runtime.GC()
		n.mu.Lock()
		left := len(n.m)
		n.mu.Unlock()
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d interned sets never collected", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func twoClusterIR() *ir.Xds {
	return singleRouteIR(ipCluster("x", "10.0.0.1"), ipCluster("y", "10.0.0.2"))
}

// The protocol rules of sotw.go, driven by hand on one Envoy stream.
func TestADSStreamProtocol(t *testing.T) {
	srv, addr := startServer(t)
	if err := srv.SetFleet("eg", translate(t, twoClusterIR())); err != nil {
		t.Fatal(err)
	}
	c := dialADS(t, addr)
	c.send(t, envoyNode("envoy-1", "eg"), resource.ClusterType, nil, "", "")
	cds := c.recv(t)
	var eds []string
	for _, cl := range clusters(t, cds.GetResources()) {
		if cl.GetEdsClusterConfig() != nil {
			eds = append(eds, cl.GetName())
		}
	}
	if len(eds) != 2 {
		t.Fatalf("%d EDS clusters, want x and y", len(eds))
	}
	c.ack(t, cds, nil)

	// Envoy naming part of EDS gets nothing (ADS mode), all of it gets
	// everything.
	c.send(t, nil, resource.EndpointType, eds[:1], "", "")
	c.expectNone(t, 300*time.Millisecond)
	c.send(t, nil, resource.EndpointType, eds, "", "")
	first := c.recv(t)
	if first.GetTypeUrl() != resource.EndpointType || len(first.GetResources()) != len(eds) {
		t.Fatalf("EDS: %s with %d resources, want %d assignments", first.GetTypeUrl(), len(first.GetResources()), len(eds))
	}
	c.ack(t, first, eds)
	c.expectNone(t, 300*time.Millisecond)

	// A new snapshot is answered on the open watch; a request with a
	// stale nonce changes nothing.
	if err := srv.SetFleet("eg", translate(t, singleRouteIR(ipCluster("x", "10.0.0.9")))); err != nil {
		t.Fatal(err)
	}
	// The update's phases change EDS first, then drop cluster y.
	next := c.recv(t)
	for next.GetTypeUrl() == resource.EndpointType {
		c.ack(t, next, eds)
		next = c.recv(t)
	}
	if next.GetTypeUrl() != resource.ClusterType || next.GetVersionInfo() == cds.GetVersionInfo() {
		t.Fatalf("want a new CDS version, got %s %s", next.GetTypeUrl(), next.GetVersionInfo())
	}
	c.send(t, nil, resource.ClusterType, nil, next.GetVersionInfo(), cds.GetNonce())
	c.send(t, nil, resource.ClusterType, nil, "", cds.GetNonce())
	c.expectNoneOf(t, resource.ClusterType, 300*time.Millisecond)
	if got := srv.ackedVersion(t, "eg", resource.ClusterType); got == next.GetVersionInfo() {
		t.Fatal("a stale nonce ACKed the new version")
	}
	c.ack(t, next, nil)
	eventually(t, "CDS ACKed", func() error {
		if srv.ackedVersion(t, "eg", resource.ClusterType) != next.GetVersionInfo() {
			return errNotYet
		}
		return nil
	})
}

// expectNoneOf fails if a response of typeURL arrives within d; others
// are dropped.
func (c *adsClient) expectNoneOf(t *testing.T, typeURL string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case r := <-c.responses:
			if r.GetTypeUrl() == typeURL {
				t.Fatalf("unexpected %s response, version %s", typeURL, r.GetVersionInfo())
			}
		case <-deadline:
			return
		}
	}
}

// ackedVersion is the version of typeURL the fleet's only stream ACKed.
func (s *Server) ackedVersion(t *testing.T, fleet, typeURL string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, st := range s.streams {
		if st.fleet == fleet {
			out = append(out, st.acked[typeURL])
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d streams of fleet %q", len(out), fleet)
	}
	return out[0]
}

// Streams of one fleet asking for the same names share what they are
// sent: the selection made for a name set is made once per snapshot.
func TestStreamsShareSelections(t *testing.T) {
	srv, addr := startServer(t)
	if err := srv.SetFleet("eg", translate(t, twoClusterIR())); err != nil {
		t.Fatal(err)
	}
	var got [][]*anypb.Any
	for i := range 2 {
		c := dialADS(t, addr)
		c.send(t, envoyNode(fmt.Sprint("envoy-", i), "eg"), resource.ClusterType, nil, "", "")
		cds := c.recv(t)
		var eds []string
		for _, cl := range clusters(t, cds.GetResources()) {
			if cl.GetEdsClusterConfig() != nil {
				eds = append(eds, cl.GetName())
			}
		}
		c.ack(t, cds, nil)
		c.send(t, nil, resource.EndpointType, eds, "", "")
		r := c.recv(t)
		got = append(got, r.GetResources())
	}
	if len(got[0]) == 0 || !slices.EqualFunc(got[0], got[1], func(a, b *anypb.Any) bool { return proto.Equal(a, b) }) {
		t.Fatalf("the two streams got different assignments: %d vs %d", len(got[0]), len(got[1]))
	}
	snap, _ := srv.hub.watch("eg")
	sel := snap.selection(types.Endpoint, wildcardSet)
	ns := srv.names.intern(namesOf(t, snap, types.Endpoint))
	if a, b := snap.selection(types.Endpoint, ns), snap.selection(types.Endpoint, ns); a != b || len(a.anys) != len(sel.anys) {
		t.Fatal("a name set's selection was made twice, or picks other resources than the whole type")
	}
}

func namesOf(t *testing.T, snap *sotwSnap, rt types.ResponseType) []string {
	t.Helper()
	names := slices.Clone(snap.typ(rt).names)
	if len(names) == 0 {
		t.Fatal("no resources of the type")
	}
	return names
}
