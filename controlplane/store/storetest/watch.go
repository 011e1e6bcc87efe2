package storetest

import (
	"context"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// expectEvents reads len(want) events and compares them in order.
func expectEvents(t *testing.T, ch <-chan store.Event, want ...store.Event) {
	t.Helper()
	for i, w := range want {
		if got := Next(t, ch); Describe(got) != Describe(w) {
			t.Fatalf("event %d:\n got  %s\n want %s", i, Describe(got), Describe(w))
		}
	}
}

func ev(typ store.EventType, k store.Key, v string, rev, create int64) store.Event {
	return store.Event{Type: typ, Object: store.Object{Key: k, Value: []byte(v), Revision: rev, CreateRevision: create}}
}

// modified is a Modified event, which carries the value it replaced.
func modified(k store.Key, prev, v string, rev, create int64) store.Event {
	e := ev(store.Modified, k, v, rev, create)
	e.Prev = []byte(prev)
	return e
}

func testWatchReplayThenLive(t *testing.T, s store.Store) {
	a, b, c := route("ns", "a"), route("ns", "b"), route("ns", "c")
	ra1 := mustPut(t, s, a, "a1", store.MustNotExist)
	rb1 := mustPut(t, s, b, "b1", store.MustNotExist)
	ra2 := mustPut(t, s, a, "a2", ra1)
	rbd := mustDelete(t, s, b, rb1)

	// Resume from the first write: everything after it, in order, with the
	// deleted object's last value.
	ch, err := s.Watch(ctx(t), store.Prefix{}, ra1)
	if err != nil {
		t.Fatal(err)
	}
	expectEvents(t, ch,
		ev(store.Added, b, "b1", rb1, rb1),
		modified(a, "a1", "a2", ra2, ra1),
		ev(store.Deleted, b, "b1", rbd, rb1),
	)
	ExpectQuiet(t, ch)

	rc := mustPut(t, s, c, "c1", store.AnyRevision)
	ra3 := mustPut(t, s, a, "a3", store.AnyRevision)
	expectEvents(t, ch,
		ev(store.Added, c, "c1", rc, rc),
		modified(a, "a2", "a3", ra3, ra1),
	)
}

func testWatchFromList(t *testing.T, s store.Store) {
	x, y := route("ns", "x"), route("ns", "y")
	mustPut(t, s, x, "x", store.AnyRevision)
	objs, rev, err := s.List(ctx(t), store.KindPrefix(x.Group, x.Kind))
	if err != nil || len(objs) != 1 {
		t.Fatalf("List: %d objects, %v", len(objs), err)
	}
	ry := mustPut(t, s, y, "y", store.AnyRevision)
	ch, err := s.Watch(ctx(t), store.KindPrefix(x.Group, x.Kind), rev)
	if err != nil {
		t.Fatal(err)
	}
	// x was in the List; only the write after it may be replayed.
	expectEvents(t, ch, ev(store.Added, y, "y", ry, ry))
	ExpectQuiet(t, ch)
}

func testWatchFromNow(t *testing.T, s store.Store) {
	x, y := route("ns", "x"), route("ns", "y")
	mustPut(t, s, x, "x", store.AnyRevision)
	ch, err := s.Watch(ctx(t), store.Prefix{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ExpectQuiet(t, ch)
	ry := mustPut(t, s, y, "y", store.AnyRevision)
	expectEvents(t, ch, ev(store.Added, y, "y", ry, ry))
}

func testWatchPrefix(t *testing.T, s store.Store) {
	gw := "gateway.networking.k8s.io"
	g1 := store.Key{Group: gw, Kind: "Gateway", Namespace: "a", Name: "g1"}
	gc := store.Key{Group: gw, Kind: "GatewayClass", Name: "eg"}
	g2 := store.Key{Group: gw, Kind: "Gateway", Namespace: "ab", Name: "g2"}
	g3 := store.Key{Group: gw, Kind: "Gateway", Namespace: "a", Name: "g3"}

	all, err := s.Watch(ctx(t), store.KindPrefix(gw, "Gateway"), 0)
	if err != nil {
		t.Fatal(err)
	}
	inA, err := s.Watch(ctx(t), store.NamespacePrefix(gw, "Gateway", "a"), 0)
	if err != nil {
		t.Fatal(err)
	}
	r1 := mustPut(t, s, g1, "1", store.AnyRevision)
	mustPut(t, s, gc, "c", store.AnyRevision)
	r2 := mustPut(t, s, g2, "2", store.AnyRevision)
	r3 := mustPut(t, s, g3, "3", store.AnyRevision)
	expectEvents(t, all, ev(store.Added, g1, "1", r1, r1), ev(store.Added, g2, "2", r2, r2), ev(store.Added, g3, "3", r3, r3))
	expectEvents(t, inA, ev(store.Added, g1, "1", r1, r1), ev(store.Added, g3, "3", r3, r3))
}

func testWatchEndsWithContext(t *testing.T, s store.Store) {
	c, cancel := context.WithCancel(ctx(t))
	ch, err := s.Watch(c, store.Prefix{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	ExpectClosed(t, ch)
}

func testWatchEndsOnClose(t *testing.T, s store.Store) {
	ch, err := s.Watch(ctx(t), store.Prefix{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ExpectClosed(t, ch)
}

func testClosedStoreRefuses(t *testing.T, s store.Store) {
	k := route("ns", "x")
	mustPut(t, s, k, "x", store.AnyRevision)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Put(ctx(t), k, []byte("y"), store.AnyRevision)
	wantErr(t, "Put after Close", err, store.ErrClosed)
	_, err = s.Delete(ctx(t), k, store.AnyRevision)
	wantErr(t, "Delete after Close", err, store.ErrClosed)
	_, err = s.Get(ctx(t), k)
	wantErr(t, "Get after Close", err, store.ErrClosed)
	_, _, err = s.List(ctx(t), store.Prefix{})
	wantErr(t, "List after Close", err, store.ErrClosed)
	_, err = s.Watch(ctx(t), store.Prefix{}, 0)
	wantErr(t, "Watch after Close", err, store.ErrClosed)
}
