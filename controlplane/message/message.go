// Package message is the Message Service: typed publish/subscribe between the
// components of one process.
//
// Components never call each other; each subscribes to the topics it consumes
// and publishes to the topics it produces. Delivery is level-triggered: a
// subscriber is owed only the latest value, so a burst of publishes while it
// is busy collapses into one delivery, and it always ends on the newest value.
// That is what a translator wants: translating an intermediate state that has
// already been replaced is wasted work.
package message

import (
	"context"
	"sync"
)

// Update is one delivery from a Topic.
type Update[T any] struct {
	Value T
	// Seq counts publishes to the topic, from 1. A subscriber that sees Seq
	// jump by more than one knows that intermediate values were coalesced.
	Seq uint64
}

// Topic holds the latest value of one kind of message.
type Topic[T any] struct {
	name string

	mu     sync.Mutex
	latest Update[T]
	subs   map[chan Update[T]]struct{}
	closed bool
}

// NewTopic returns an empty topic. The name is used in logs and metrics.
func NewTopic[T any](name string) *Topic[T] {
	return &Topic[T]{name: name, subs: map[chan Update[T]]struct{}{}}
}

// Name returns the topic's name.
func (t *Topic[T]) Name() string { return t.name }

// Publish makes v the latest value and offers it to every subscriber,
// replacing any value a subscriber has not yet received. It never blocks on a
// slow subscriber. Publishing to a closed topic is a no-op.
func (t *Topic[T]) Publish(v T) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.latest = Update[T]{Value: v, Seq: t.latest.Seq + 1}
	for ch := range t.subs {
		offer(ch, t.latest)
	}
}

// offer puts u in the one-slot channel ch, dropping a value that is still
// waiting there. Callers hold the topic lock, so no other sender races.
func offer[T any](ch chan Update[T], u Update[T]) {
	select {
	case <-ch:
	default:
	}
	ch <- u
}

// Load returns the latest value and whether anything was published yet.
func (t *Topic[T]) Load() (T, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.latest.Value, t.latest.Seq > 0
}

// Subscribe returns a channel of updates. A subscriber that arrives after a
// publish receives the latest value at once. The channel is closed when ctx
// ends or the topic is closed.
func (t *Topic[T]) Subscribe(ctx context.Context) <-chan Update[T] {
	ch := make(chan Update[T], 1)
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		close(ch)
		return ch
	}
	if t.latest.Seq > 0 {
		ch <- t.latest
	}
	t.subs[ch] = struct{}{}
	t.mu.Unlock()

	go func() {
		<-ctx.Done()
		t.mu.Lock()
		defer t.mu.Unlock()
		if _, ok := t.subs[ch]; ok {
			delete(t.subs, ch)
			close(ch)
		}
	}()
	return ch
}

// Close ends every subscription. Later publishes are ignored.
func (t *Topic[T]) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	for ch := range t.subs {
		delete(t.subs, ch)
		close(ch)
	}
}

// Subscribers returns the number of live subscriptions (for /readyz and tests).
func (t *Topic[T]) Subscribers() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.subs)
}
