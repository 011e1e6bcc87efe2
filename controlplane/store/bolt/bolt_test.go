package bolt

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store/storetest"
)

func openTemp(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestBehaviour(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t, Options{})
		return s
	})
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func key(i int) store.Key {
	return store.Key{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute", Namespace: "ns", Name: fmt.Sprintf("r%05d", i)}
}

func put(t *testing.T, s *Store, k store.Key, v string) int64 {
	t.Helper()
	rev, err := s.Put(testCtx(t), k, []byte(v), store.AnyRevision)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestWatchCompacted: resuming from a revision older than the retained log
// fails at once; resuming from the oldest retained point still works.
func TestWatchCompacted(t *testing.T) {
	s, _ := openTemp(t, Options{EventLogSize: 5})
	var revs []int64
	for i := range 12 {
		revs = append(revs, put(t, s, key(i), fmt.Sprint(i)))
	}
	// Revisions 1..12 written, 5 kept: 8..12. Resuming after 7 is the oldest
	// possible point.
	_, err := s.Watch(testCtx(t), store.Prefix{}, revs[5])
	if !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("Watch from revision %d: %v, want ErrCompacted", revs[5], err)
	}
	ch, err := s.Watch(testCtx(t), store.Prefix{}, revs[6])
	if err != nil {
		t.Fatalf("Watch from the oldest retained point: %v", err)
	}
	for i := 7; i < 12; i++ {
		ev := storetest.Next(t, ch)
		if ev.Type != store.Added || ev.Object.Key != key(i) || ev.Object.Revision != revs[i] {
			t.Fatalf("replayed event %s, want ADDED %s rev %d", storetest.Describe(ev), key(i), revs[i])
		}
	}
	storetest.ExpectQuiet(t, ch)
}

// TestSlowWatcherEndsWithCompacted: a watcher that does not read while the
// log moves past it gets the events it could still read, in order, then
// one ErrCompacted event, then a closed channel. It never skips silently.
func TestSlowWatcherEndsWithCompacted(t *testing.T) {
	s, _ := openTemp(t, Options{EventLogSize: 10})
	start := put(t, s, key(0), "0")
	ch, err := s.Watch(testCtx(t), store.Prefix{}, start)
	if err != nil {
		t.Fatal(err)
	}
	// Far more than the watcher can buffer (channel + one page), so it must
	// fall behind the 10 retained events.
	const n = 1000
	for i := 1; i <= n; i++ {
		put(t, s, key(i), fmt.Sprint(i))
	}
	want := start + 1
	for {
		ev := storetest.Next(t, ch)
		if ev.Type == store.Error {
			if !errors.Is(ev.Err, store.ErrCompacted) {
				t.Fatalf("error event %v, want ErrCompacted", ev.Err)
			}
			break
		}
		if ev.Object.Revision != want {
			t.Fatalf("event revision %d, want %d: events skipped", ev.Object.Revision, want)
		}
		want++
	}
	if want > start+n {
		t.Fatalf("watcher received all %d events, so it never lagged; the test did not test anything", n)
	}
	storetest.ExpectClosed(t, ch)
}

// TestLogIsBounded: the event log keeps exactly EventLogSize events.
func TestLogIsBounded(t *testing.T) {
	s, _ := openTemp(t, Options{EventLogSize: 7})
	for i := range 50 {
		put(t, s, key(i%3), fmt.Sprint(i))
	}
	err := s.db.View(func(tx *bbolt.Tx) error {
		if n := tx.Bucket(bucketEvents).Stats().KeyN; n != 7 {
			return fmt.Errorf("event log holds %d events, want 7", n)
		}
		if c, _ := getMeta(tx, metaCompacted); c != 43 {
			return fmt.Errorf("compacted = %d, want 43", c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReopen: objects, revisions and the event log survive Close and Open;
// the next write continues the revision sequence.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r1 := put(t, s, key(1), "one")
	r2 := put(t, s, key(2), "two")
	if _, err := s.Delete(testCtx(t), key(2), r2); err != nil {
		t.Fatal(err)
	}
	r3 := put(t, s, key(1), "uno")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	objs, rev, err := s.List(testCtx(t), store.Prefix{})
	if err != nil {
		t.Fatal(err)
	}
	if rev != r3 || len(objs) != 1 || objs[0].Key != key(1) || string(objs[0].Value) != "uno" ||
		objs[0].Revision != r3 || objs[0].CreateRevision != r1 {
		t.Fatalf("after reopen: rev %d objects %+v; want rev %d and %s=uno rev %d create %d", rev, objs, r3, key(1), r3, r1)
	}
	if r4 := put(t, s, key(3), "three"); r4 != r3+1 {
		t.Fatalf("first write after reopen got revision %d, want %d", r4, r3+1)
	}
	ch, err := s.Watch(testCtx(t), store.Prefix{}, r1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ADDED", "DELETED", "MODIFIED", "ADDED"} {
		if ev := storetest.Next(t, ch); ev.Type.String() != want {
			t.Fatalf("replay after reopen: got %s, want %s", storetest.Describe(ev), want)
		}
	}
}

func TestValueTooLarge(t *testing.T) {
	s, _ := openTemp(t, Options{MaxValueSize: 10})
	_, err := s.Put(testCtx(t), key(1), make([]byte, 11), store.AnyRevision)
	if !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Put of 11 bytes with limit 10: %v, want ErrTooLarge", err)
	}
	put(t, s, key(1), "0123456789")
}

// TestSecondOpenFails: the file lock keeps a second store off the file
// rather than letting two processes interleave commits.
func TestSecondOpenFails(t *testing.T) {
	_, path := openTemp(t, Options{})
	s2, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err == nil {
		s2.Close()
		t.Fatal("second Open of a held file succeeded")
	}
}

func TestRejectsForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(metaFormat, encodeRev(99))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open accepted a file of format 99")
	}
}

// A file of format 1 (events without the replaced value) opens, is
// upgraded, and its logged events still replay, with Prev unknown (nil).
func TestOpensFormat1File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := store.Key{Group: "g", Kind: "K", Namespace: "ns", Name: "a"}
	r1, err := s.Put(context.Background(), k, []byte("a1"), store.MustNotExist)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Rewrite the file as version 1 wrote it: format 1, and a Modified
	// event logged without its previous value.
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(metaFormat, encodeRev(1)); err != nil {
			return err
		}
		rec := record{createRev: r1, modRev: r1 + 1, value: []byte("a2")}
		if err := tx.Bucket(bucketObjects).Put([]byte(k.String()), encodeRecord(rec)); err != nil {
			return err
		}
		ev := encodeEvent(loggedEvent{typ: store.Modified, createRev: r1, key: k.String(), value: []byte("a2")})
		if err := tx.Bucket(bucketEvents).Put(encodeRev(r1+1), ev); err != nil {
			return err
		}
		return putMeta(tx, metaRev, r1+1)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("format 1 file: %v", err)
	}
	defer s.Close()
	ch, err := s.Watch(context.Background(), store.Prefix{}, r1)
	if err != nil {
		t.Fatal(err)
	}
	got := storetest.Next(t, ch)
	if got.Type != store.Modified || string(got.Object.Value) != "a2" || got.Prev != nil {
		t.Fatalf("replayed %s, want the Modified a2 with no previous value", storetest.Describe(got))
	}
	r3, err := s.Put(context.Background(), k, []byte("a3"), store.AnyRevision)
	if err != nil {
		t.Fatal(err)
	}
	got = storetest.Next(t, ch)
	if got.Object.Revision != r3 || string(got.Prev) != "a2" {
		t.Fatalf("live %s, want a3 replacing a2", storetest.Describe(got))
	}
	var format []byte
	_ = s.db.View(func(tx *bbolt.Tx) error {
		format = append(format, tx.Bucket(bucketMeta).Get(metaFormat)...)
		return nil
	})
	if mustRev(format) != formatVersion {
		t.Errorf("format after open = %d, want %d", mustRev(format), formatVersion)
	}
}
