package message

import (
	"context"
	"maps"
	"sync"
)

// MapUpdate is one delivery from a Map: the whole current state plus the keys
// that changed since this subscriber's previous delivery. A consumer can
// redo only the work for Changed keys.
type MapUpdate[K comparable, V any] struct {
	// State is a read-only snapshot; it is never modified after delivery.
	State map[K]V
	// Changed holds the keys stored or deleted since the previous delivery
	// (for the first delivery: every key present).
	Changed map[K]struct{}
}

// Map is a topic whose value is a map, updated one key at a time. Each
// component that publishes owns its keys: for example every config source
// stores its own Resources under its own name.
type Map[K comparable, V any] struct {
	name string

	mu     sync.Mutex
	state  map[K]V
	subs   map[chan MapUpdate[K, V]]struct{}
	closed bool
}

// NewMap returns an empty keyed topic.
func NewMap[K comparable, V any](name string) *Map[K, V] {
	return &Map[K, V]{name: name, state: map[K]V{}, subs: map[chan MapUpdate[K, V]]struct{}{}}
}

// Name returns the topic's name.
func (m *Map[K, V]) Name() string { return m.name }

// Store sets key k to v and notifies subscribers.
func (m *Map[K, V]) Store(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	// Copy on write: snapshots already handed out stay unchanged.
	next := maps.Clone(m.state)
	next[k] = v
	m.state = next
	m.notify(k)
}

// Delete removes key k and notifies subscribers if it was present.
func (m *Map[K, V]) Delete(k K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.state[k]; !ok || m.closed {
		return
	}
	next := maps.Clone(m.state)
	delete(next, k)
	m.state = next
	m.notify(k)
}

func (m *Map[K, V]) notify(k K) {
	for ch := range m.subs {
		changed := map[K]struct{}{k: {}}
		// Coalesce: fold a delivery still waiting into this one.
		select {
		case old := <-ch:
			for ok := range old.Changed {
				changed[ok] = struct{}{}
			}
		default:
		}
		ch <- MapUpdate[K, V]{State: m.state, Changed: changed}
	}
}

// Load returns the current state; the map must not be modified.
func (m *Map[K, V]) Load() map[K]V {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Subscribe returns a channel of updates. A late subscriber receives the
// current state at once if it is not empty. The channel closes with ctx or
// the topic.
func (m *Map[K, V]) Subscribe(ctx context.Context) <-chan MapUpdate[K, V] {
	ch := make(chan MapUpdate[K, V], 1)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		close(ch)
		return ch
	}
	if len(m.state) > 0 {
		changed := make(map[K]struct{}, len(m.state))
		for k := range m.state {
			changed[k] = struct{}{}
		}
		ch <- MapUpdate[K, V]{State: m.state, Changed: changed}
	}
	m.subs[ch] = struct{}{}
	m.mu.Unlock()

	go func() {
		<-ctx.Done()
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := m.subs[ch]; ok {
			delete(m.subs, ch)
			close(ch)
		}
	}()
	return ch
}

// Close ends every subscription.
func (m *Map[K, V]) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	for ch := range m.subs {
		delete(m.subs, ch)
		close(ch)
	}
}
