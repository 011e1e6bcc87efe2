// Package storetest is the behaviour suite every store.Store implementation
// must pass, so that the bbolt and etcd stores answer the Config Server the
// same way. Implementation-specific behaviour (compaction policy, reopening,
// crash durability) is tested next to each implementation.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// Open returns a new, empty store. The suite closes it at the end of each
// subtest (implementations must allow Close twice).
type Open func(t *testing.T) store.Store

// Run runs the whole suite as subtests of t.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"CRUD", testCRUD},
		{"Conflict", testConflict},
		{"InvalidKeys", testInvalidKeys},
		{"RevisionIsStoreWide", testRevisionIsStoreWide},
		{"ListByPrefix", testListByPrefix},
		{"ConcurrentCreateOneWins", testConcurrentCreate},
		{"ConcurrentCompareAndSwap", testConcurrentCAS},
		{"WatchReplayThenLive", testWatchReplayThenLive},
		{"WatchFromListRevision", testWatchFromList},
		{"WatchFromNow", testWatchFromNow},
		{"WatchPrefixFilter", testWatchPrefix},
		{"WatchEndsWithContext", testWatchEndsWithContext},
		{"WatchEndsOnClose", testWatchEndsOnClose},
		{"ClosedStoreRefuses", testClosedStoreRefuses},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// ctx is the context of one subtest, bounded so that a hang fails the test
// instead of stalling the run.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func route(ns, name string) store.Key {
	return store.Key{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute", Namespace: ns, Name: name}
}

func mustPut(t *testing.T, s store.Store, k store.Key, v string, expect int64) int64 {
	t.Helper()
	rev, err := s.Put(ctx(t), k, []byte(v), expect)
	if err != nil {
		t.Fatalf("Put(%s, %q, %d): %v", k, v, expect, err)
	}
	return rev
}

func mustDelete(t *testing.T, s store.Store, k store.Key, expect int64) int64 {
	t.Helper()
	rev, err := s.Delete(ctx(t), k, expect)
	if err != nil {
		t.Fatalf("Delete(%s, %d): %v", k, expect, err)
	}
	return rev
}

func mustGet(t *testing.T, s store.Store, k store.Key) store.Object {
	t.Helper()
	o, err := s.Get(ctx(t), k)
	if err != nil {
		t.Fatalf("Get(%s): %v", k, err)
	}
	return o
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// Next reads one event from ch, failing the test if none comes in time or
// the channel closes.
func Next(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed, want an event")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return store.Event{}
}

// ExpectQuiet fails if ch delivers anything within a short grace period. It
// can only catch a spurious event that arrives promptly, which is the case
// for a store that delivers already committed events.
func ExpectQuiet(t *testing.T, ch <-chan store.Event) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if ok {
			t.Fatalf("unexpected watch event %s", Describe(ev))
		}
		t.Fatal("watch channel closed unexpectedly")
	case <-time.After(200 * time.Millisecond):
	}
}

// ExpectClosed waits for ch to close, failing on any event before that.
func ExpectClosed(t *testing.T, ch <-chan store.Event) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if ok {
			t.Fatalf("want closed channel, got event %s", Describe(ev))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch channel not closed within 10s")
	}
}

// Describe renders an event for failure messages and comparisons.
func Describe(ev store.Event) string {
	if ev.Type == store.Error {
		return fmt.Sprintf("ERROR %v", ev.Err)
	}
	o := ev.Object
	s := fmt.Sprintf("%s %s=%q rev=%d create=%d", ev.Type, o.Key, o.Value, o.Revision, o.CreateRevision)
	if ev.Prev != nil {
		s += fmt.Sprintf(" prev=%q", ev.Prev)
	}
	return s
}
