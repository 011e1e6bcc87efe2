package message

import (
	"context"
	"sync"
	"testing"
	"time"
)

// recvWithin waits for one update; the bound only stops a hung test, it
// asserts nothing about speed.
func recvWithin[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("no update")
	}
	var zero T
	return zero
}

func TestTopicOrderingEndsOnLatest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := NewTopic[int]("ints")
	ch := topic.Subscribe(ctx)

	const n = 10000
	go func() {
		for i := 1; i <= n; i++ {
			topic.Publish(i)
		}
	}()
	var last uint64
	for {
		u := recvWithin(t, ch)
		if u.Seq <= last {
			t.Fatalf("seq went from %d to %d: updates out of order", last, u.Seq)
		}
		if uint64(u.Value) != u.Seq {
			t.Fatalf("value %d delivered with seq %d", u.Value, u.Seq)
		}
		last = u.Seq
		if u.Value == n {
			break
		}
	}
}

func TestTopicCoalescesBurst(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := NewTopic[string]("s")
	ch := topic.Subscribe(ctx)
	// The subscriber is not reading: a burst must leave exactly one value
	// waiting, and it must be the last one.
	for _, v := range []string{"a", "b", "c", "d"} {
		topic.Publish(v)
	}
	u := recvWithin(t, ch)
	if u.Value != "d" || u.Seq != 4 {
		t.Fatalf("got %q seq %d, want d seq 4", u.Value, u.Seq)
	}
	select {
	case u := <-ch:
		t.Fatalf("burst was not coalesced: extra update %+v", u)
	default:
	}
}

func TestTopicLateSubscriberGetsLatest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := NewTopic[int]("ints")
	if _, ok := topic.Load(); ok {
		t.Fatal("empty topic reports a value")
	}
	topic.Publish(1)
	topic.Publish(2)
	u := recvWithin(t, topic.Subscribe(ctx))
	if u.Value != 2 {
		t.Fatalf("late subscriber got %d, want 2", u.Value)
	}
}

func TestTopicEmptySubscriberWaits(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := NewTopic[int]("ints")
	ch := topic.Subscribe(ctx)
	select {
	case u := <-ch:
		t.Fatalf("got %+v before any publish", u)
	default:
	}
	topic.Publish(7)
	if u := recvWithin(t, ch); u.Value != 7 {
		t.Fatalf("got %d", u.Value)
	}
}

func TestTopicUnsubscribeAndClose(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	topic := NewTopic[int]("ints")
	ch := topic.Subscribe(ctx)
	cancel()
	for range ch { // drains until the subscription goroutine closes it
	}
	if n := topic.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers after cancel", n)
	}

	ch2 := topic.Subscribe(context.Background())
	topic.Close()
	if _, ok := <-ch2; ok {
		t.Fatal("channel open after Close")
	}
	topic.Publish(1) // must not panic
	if _, ok := <-topic.Subscribe(context.Background()); ok {
		t.Fatal("subscription to closed topic delivered")
	}
}

func TestTopicManySubscribersAllEndOnLatest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := NewTopic[int]("ints")
	const subs, n = 16, 2000
	var wg sync.WaitGroup
	for i := 0; i < subs; i++ {
		ch := topic.Subscribe(ctx)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range ch {
				if u.Value == n {
					return
				}
			}
		}()
	}
	for i := 1; i <= n; i++ {
		topic.Publish(i)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a subscriber never saw the latest value")
	}
}

func TestMapChangedKeysAreUnioned(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := NewMap[string, int]("m")
	m.Store("a", 1)
	ch := m.Subscribe(ctx)
	first := recvWithin(t, ch)
	if first.State["a"] != 1 || len(first.Changed) != 1 {
		t.Fatalf("late subscriber got %+v", first)
	}

	// Not reading while three changes land: one delivery, all three keys.
	m.Store("b", 2)
	m.Store("a", 3)
	m.Delete("b")
	m.Delete("missing") // no-op, no delivery
	u := recvWithin(t, ch)
	if _, ok := u.Changed["a"]; !ok {
		t.Errorf("changed keys %v lack a", u.Changed)
	}
	if _, ok := u.Changed["b"]; !ok {
		t.Errorf("changed keys %v lack b", u.Changed)
	}
	if len(u.State) != 1 || u.State["a"] != 3 {
		t.Errorf("state %v, want a=3 only", u.State)
	}
	select {
	case extra := <-ch:
		t.Fatalf("extra delivery %+v", extra)
	default:
	}
	// The snapshot handed out earlier is unchanged by later stores.
	if first.State["a"] != 1 || len(first.State) != 1 {
		t.Errorf("earlier snapshot mutated: %v", first.State)
	}
}

func TestMapClose(t *testing.T) {
	m := NewMap[string, int]("m")
	ch := m.Subscribe(context.Background())
	m.Close()
	if _, ok := <-ch; ok {
		t.Fatal("open after Close")
	}
	m.Store("a", 1)
	if len(m.Load()) != 0 {
		t.Fatal("store after close took effect")
	}
}
