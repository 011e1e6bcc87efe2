package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

func testCRUD(t *testing.T, s store.Store) {
	k := route("default", "web")
	_, err := s.Get(ctx(t), k)
	wantErr(t, "Get before create", err, store.ErrNotFound)

	r1 := mustPut(t, s, k, `{"v":1}`, store.MustNotExist)
	if r1 <= 0 {
		t.Fatalf("create returned revision %d, want > 0", r1)
	}
	o := mustGet(t, s, k)
	if string(o.Value) != `{"v":1}` || o.Revision != r1 || o.CreateRevision != r1 || o.Key != k {
		t.Fatalf("after create: got %+v, want value {\"v\":1} rev=create=%d key %s", o, r1, k)
	}

	r2 := mustPut(t, s, k, `{"v":2}`, r1)
	if r2 <= r1 {
		t.Fatalf("update revision %d not after create revision %d", r2, r1)
	}
	o = mustGet(t, s, k)
	if string(o.Value) != `{"v":2}` || o.Revision != r2 || o.CreateRevision != r1 {
		t.Fatalf("after update: got value %s rev %d create %d, want {\"v\":2} %d %d", o.Value, o.Revision, o.CreateRevision, r2, r1)
	}

	r3 := mustPut(t, s, k, `{"v":3}`, store.AnyRevision)
	if r3 <= r2 {
		t.Fatalf("unconditional put revision %d not after %d", r3, r2)
	}

	r4 := mustDelete(t, s, k, r3)
	if r4 <= r3 {
		t.Fatalf("delete revision %d not after %d", r4, r3)
	}
	_, err = s.Get(ctx(t), k)
	wantErr(t, "Get after delete", err, store.ErrNotFound)
	_, err = s.Delete(ctx(t), k, store.AnyRevision)
	wantErr(t, "Delete of a deleted key", err, store.ErrNotFound)

	// Re-creating a deleted key starts a new life: a new CreateRevision.
	r5 := mustPut(t, s, k, `{"v":5}`, store.MustNotExist)
	if o := mustGet(t, s, k); o.CreateRevision != r5 || o.Revision != r5 {
		t.Fatalf("re-created object has create %d rev %d, want both %d", o.CreateRevision, o.Revision, r5)
	}

	// The store must not keep a reference to the caller's buffer.
	buf := []byte(`{"v":6}`)
	mustPutBytes(t, s, k, buf)
	copy(buf, `{"x":0}`)
	if o := mustGet(t, s, k); string(o.Value) != `{"v":6}` {
		t.Fatalf("stored value changed with the caller's buffer: %s", o.Value)
	}
}

func mustPutBytes(t *testing.T, s store.Store, k store.Key, v []byte) {
	t.Helper()
	if _, err := s.Put(ctx(t), k, v, store.AnyRevision); err != nil {
		t.Fatalf("Put(%s): %v", k, err)
	}
}

func testConflict(t *testing.T, s store.Store) {
	k := route("default", "web")
	r1 := mustPut(t, s, k, "a", store.MustNotExist)

	_, err := s.Put(ctx(t), k, []byte("b"), store.MustNotExist)
	wantErr(t, "create of an existing key", err, store.ErrConflict)

	r2 := mustPut(t, s, k, "b", r1)
	_, err = s.Put(ctx(t), k, []byte("stale"), r1)
	wantErr(t, "Put with a stale revision", err, store.ErrConflict)
	if !strings.Contains(err.Error(), k.String()) {
		t.Errorf("conflict error %q does not name the key %s", err, k)
	}
	_, err = s.Delete(ctx(t), k, r1)
	wantErr(t, "Delete with a stale revision", err, store.ErrConflict)
	if o := mustGet(t, s, k); string(o.Value) != "b" || o.Revision != r2 {
		t.Fatalf("failed writes changed the object: %q rev %d, want \"b\" rev %d", o.Value, o.Revision, r2)
	}

	// A failed precondition takes no revision.
	r3 := mustPut(t, s, route("default", "other"), "x", store.AnyRevision)
	if r3 != r2+1 {
		t.Fatalf("next successful write got revision %d, want %d: failed writes consumed revisions", r3, r2+1)
	}

	mustDelete(t, s, k, r2)
	_, err = s.Put(ctx(t), k, []byte("c"), r2)
	wantErr(t, "update of a deleted object", err, store.ErrNotFound)
}

func testInvalidKeys(t *testing.T, s store.Store) {
	for _, tc := range []struct {
		key   store.Key
		field string
	}{
		{store.Key{Kind: "", Namespace: "ns", Name: "n"}, "kind"},
		{store.Key{Kind: "Gateway", Namespace: "ns", Name: ""}, "name"},
		{store.Key{Kind: "Gateway", Namespace: "a/b", Name: "n"}, "namespace"},
		{store.Key{Group: "x/y", Kind: "Gateway", Name: "n"}, "group"},
	} {
		_, err := s.Put(ctx(t), tc.key, []byte("v"), store.AnyRevision)
		wantErr(t, fmt.Sprintf("Put(%+v)", tc.key), err, store.ErrInvalidKey)
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("error %q does not name the field %q", err, tc.field)
		}
		_, err = s.Get(ctx(t), tc.key)
		wantErr(t, fmt.Sprintf("Get(%+v)", tc.key), err, store.ErrInvalidKey)
	}
	_, _, err := s.List(ctx(t), store.KindPrefix("g", "a/b"))
	wantErr(t, "List with a bad prefix", err, store.ErrInvalidKey)
	_, err = s.Watch(ctx(t), store.NamespacePrefix("g", "K", "a/b"), 0)
	wantErr(t, "Watch with a bad prefix", err, store.ErrInvalidKey)
}

func testRevisionIsStoreWide(t *testing.T, s store.Store) {
	var last int64
	for i := range 5 {
		k := route(fmt.Sprintf("ns%d", i%2), fmt.Sprintf("r%d", i))
		rev := mustPut(t, s, k, "v", store.AnyRevision)
		if rev <= last {
			t.Fatalf("write %d got revision %d, not after %d", i, rev, last)
		}
		last = rev
	}
	_, rev, err := s.List(ctx(t), store.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	if rev != last {
		t.Fatalf("List revision %d, want the last write's %d", rev, last)
	}
}

func testListByPrefix(t *testing.T, s store.Store) {
	gw := "gateway.networking.k8s.io"
	keys := []store.Key{
		{Group: gw, Kind: "Gateway", Namespace: "b", Name: "g2"},
		{Group: gw, Kind: "Gateway", Namespace: "a", Name: "g1"},
		{Group: gw, Kind: "GatewayClass", Name: "eg"}, // "Gateway" must not match it
		{Group: "", Kind: "Service", Namespace: "a", Name: "svc"},
		{Group: gw, Kind: "HTTPRoute", Namespace: "a", Name: "r"},
		{Group: gw, Kind: "HTTPRoute", Namespace: "ab", Name: "r"}, // namespace "a" must not match it
	}
	var last int64
	for _, k := range keys {
		last = mustPut(t, s, k, k.Name, store.AnyRevision)
	}
	for _, tc := range []struct {
		prefix store.Prefix
		want   []string
	}{
		{store.KindPrefix(gw, "Gateway"), []string{gw + "/Gateway/a/g1", gw + "/Gateway/b/g2"}},
		{store.KindPrefix(gw, "GatewayClass"), []string{gw + "/GatewayClass//eg"}},
		{store.NamespacePrefix(gw, "HTTPRoute", "a"), []string{gw + "/HTTPRoute/a/r"}},
		{store.KindPrefix("", "Service"), []string{"/Service/a/svc"}},
		{store.KindPrefix(gw, "TLSRoute"), nil},
		{store.Prefix{}, []string{"/Service/a/svc", gw + "/Gateway/a/g1", gw + "/Gateway/b/g2",
			gw + "/GatewayClass//eg", gw + "/HTTPRoute/a/r", gw + "/HTTPRoute/ab/r"}},
	} {
		objs, rev, err := s.List(ctx(t), tc.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", tc.prefix, err)
		}
		var got []string
		for _, o := range objs {
			got = append(got, o.Key.String())
			if string(o.Value) != o.Key.Name || o.Revision <= 0 {
				t.Errorf("List(%q): object %s has value %q rev %d", tc.prefix, o.Key, o.Value, o.Revision)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("List(%q) = %v, want %v", tc.prefix, got, tc.want)
		}
		if rev != last {
			t.Errorf("List(%q) revision %d, want %d", tc.prefix, rev, last)
		}
	}
}

// testConcurrentCreate races creates of one key; writes that land in the
// same commit must still see each other.
func testConcurrentCreate(t *testing.T, s store.Store) {
	const n = 16
	k := route("default", "contended")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Put(ctx(t), k, []byte(fmt.Sprint(i)), store.MustNotExist)
		})
	}
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("writer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", winners)
	}
}

// testConcurrentCAS has writers increment one counter by read-modify-write
// with expected revisions. A lost update (two writers both succeeding from
// the same revision) shows up as a final count below the number of
// successful increments.
func testConcurrentCAS(t *testing.T, s store.Store) {
	const writers, perWriter = 16, 20
	k := route("default", "counter")
	mustPut(t, s, k, "0", store.MustNotExist)
	var wg sync.WaitGroup
	var mu sync.Mutex
	revs := map[int64]bool{}
	for range writers {
		wg.Go(func() {
			for done := 0; done < perWriter; {
				o, err := s.Get(ctx(t), k)
				if err != nil {
					t.Error(err)
					return
				}
				var n int
				fmt.Sscan(string(o.Value), &n)
				rev, err := s.Put(ctx(t), k, []byte(fmt.Sprint(n+1)), o.Revision)
				if errors.Is(err, store.ErrConflict) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if revs[rev] {
					t.Errorf("revision %d handed out twice", rev)
				}
				revs[rev] = true
				mu.Unlock()
				done++
			}
		})
	}
	wg.Wait()
	if got := string(mustGet(t, s, k).Value); got != fmt.Sprint(writers*perWriter) {
		t.Fatalf("counter = %s after %d successful increments: updates were lost", got, writers*perWriter)
	}
}
