package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// publisher keeps a typed copy of the store and publishes it on the Message
// Service. It follows the store's watch, like an informer, rather than
// hearing from the write path: the store is the source of truth, so what
// the translator sees is exactly what was made durable, in commit order,
// whoever wrote it.
type publisher struct {
	st  store.Store
	out *message.Map[string, *resource.Resources]
	log *slog.Logger

	mu   sync.Mutex
	objs map[store.Key]cached
	// pending is when the publish that no translation has followed yet
	// was made (unix ns, 0 for none); gap is the spacing it led to.
	pending, gap atomic.Int64
	// ready is closed after the first publish.
	ready     chan struct{}
	readyOnce sync.Once
}

// cached is one object as the translator reads it. spec is its stored form
// without status: a change that leaves it alone is a status write, which
// must not be republished, or every translation would trigger the next.
type cached struct {
	obj  resource.Object
	spec string
}

func newPublisher(st store.Store, out *message.Map[string, *resource.Resources], log *slog.Logger) *publisher {
	return &publisher{st: st, out: out, log: log, objs: map[store.Key]cached{}, ready: make(chan struct{})}
}

// run loads everything, publishes, and follows the store until ctx ends.
// A watch that falls behind the store's retained history starts over from
// a fresh list.
func (p *publisher) run(ctx context.Context) error {
	for {
		rev, err := p.load(ctx)
		if err == nil {
			err = p.follow(ctx, rev)
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, store.ErrCompacted):
			p.log.Warn("fell behind the store's history; reloading everything", "error", err)
			continue
		}
		return err
	}
}

func (p *publisher) load(ctx context.Context) (int64, error) {
	objs, rev, err := p.st.List(ctx, store.Prefix{})
	if err != nil {
		return 0, fmt.Errorf("loading the store: %w", err)
	}
	p.mu.Lock()
	clear(p.objs)
	for _, o := range objs {
		p.put(o)
	}
	p.mu.Unlock()
	p.publish()
	p.log.Info("loaded the store", "objects", len(objs), "revision", rev)
	return rev, nil
}

func (p *publisher) follow(ctx context.Context, rev int64) error {
	events, err := p.st.Watch(ctx, store.Prefix{}, rev)
	if err != nil {
		return err
	}
	var last time.Time // of the last publish
	for {
		ev, ok := <-events
		if !ok {
			return p.closed(ctx)
		}
		b := batch{p: p, events: events}
		b.add(ev)
		// Take whatever else is queued before publishing once: a burst of
		// writes costs the translator one snapshot, not one each.
		b.drain()
		if b.changed && b.err == nil && b.open {
			// Under a stream of writes, publishes are spaced (see
			// publishGap), and what arrives meanwhile joins this one: each
			// publish costs a translation and a status pass over every
			// object, which would otherwise take the CPU the writes need. A
			// change after a quiet spell is published at once.
			b.until(ctx, last.Add(p.publishGap()))
		}
		if b.changed {
			p.publish()
			last = time.Now()
			p.pending.CompareAndSwap(0, last.UnixNano())
		}
		if b.err != nil {
			return b.err
		}
		if !b.open {
			return p.closed(ctx)
		}
	}
}

// The least time between two publishes while writes keep coming is
// gapPerTranslation times as long as a translation took (as the status
// topic shows), so that the translator gets at most about a ninth of the
// time whatever the size of the world and the load on the machine, within
// [minPublishGap, maxPublishGap]. A change waits at most that long beyond
// the translation it queues behind.
const (
	gapPerTranslation = 8
	minPublishGap     = 10 * time.Millisecond
	maxPublishGap     = 100 * time.Millisecond
)

func (p *publisher) publishGap() time.Duration {
	if g := time.Duration(p.gap.Load()); g > 0 {
		return g
	}
	return minPublishGap
}

// translated is told of each translation's end; the time since the publish
// it followed sets the gap.
func (p *publisher) translated(at time.Time) {
	t0 := p.pending.Swap(0)
	if t0 == 0 {
		return
	}
	d := at.Sub(time.Unix(0, t0))
	p.gap.Store(int64(min(max(gapPerTranslation*d, minPublishGap), maxPublishGap)))
}

// batch gathers the events that one publish covers.
type batch struct {
	p       *publisher
	events  <-chan store.Event
	changed bool
	err     error
	open    bool
}

func (b *batch) add(ev store.Event) {
	b.open = true
	c, err := b.p.apply(ev)
	b.changed = b.changed || c
	b.err = err
}

// drain applies the events already queued.
func (b *batch) drain() {
	for b.err == nil {
		select {
		case ev, ok := <-b.events:
			if !ok {
				b.open = false
				return
			}
			b.add(ev)
		default:
			return
		}
	}
}

// until applies events as they come until the deadline (or the end).
func (b *batch) until(ctx context.Context, deadline time.Time) {
	wait := time.Until(deadline)
	if wait <= 0 {
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for b.err == nil {
		select {
		case ev, ok := <-b.events:
			if !ok {
				b.open = false
				return
			}
			b.add(ev)
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (p *publisher) closed(ctx context.Context) error {
	if ctx.Err() != nil {
		return nil
	}
	return store.ErrClosed
}

// apply records one event and reports whether the translator must hear of it.
func (p *publisher) apply(ev store.Event) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev.Type {
	case store.Error:
		return false, ev.Err
	case store.Deleted:
		_, had := p.objs[ev.Object.Key]
		delete(p.objs, ev.Object.Key)
		return had, nil
	}
	prev, had := p.objs[ev.Object.Key]
	cur, ok := p.put(ev.Object)
	return ok && (!had || prev.spec != cur.spec), nil
}

// put decodes o into the cache (p.mu held); ok is false for kinds the
// translator does not read, and for damaged values, which are logged.
func (p *publisher) put(o store.Object) (cached, bool) {
	gk := schema.GroupKind{Group: o.Key.Group, Kind: o.Key.Kind}
	if _, ok := typedKinds[gk]; !ok {
		return cached{}, false
	}
	spec, status := splitStatus(o.Value)
	// A status write (every spec write is followed by one) changes only
	// the status: the object is the cached one with the new status.
	if prev, had := p.objs[o.Key]; had && prev.spec == spec && status != nil {
		if obj, ok := restatus(prev.obj, status); ok {
			c := cached{obj: obj, spec: spec}
			p.objs[o.Key] = c
			return c, true
		}
	}
	obj, _, err := decodeTyped(gk, o.Value)
	if err != nil {
		p.log.Error("stored object cannot be decoded; leaving it out", "key", o.Key.String(), "error", err)
		delete(p.objs, o.Key)
		return cached{}, false
	}
	c := cached{obj: obj, spec: spec}
	p.objs[o.Key] = c
	return c, true
}

// restatus is a copy of obj with its Status decoded from status, which is
// what decoding a value that differs from obj's only in its status gives
// (TestRestatusEqualsDecoding). The copy shares everything else with obj,
// which is safe because cached objects are never modified. ok is false
// for a type without a Status field.
func restatus(obj resource.Object, status []byte) (resource.Object, bool) {
	v := reflect.ValueOf(obj).Elem()
	if !v.FieldByName("Status").IsValid() {
		return nil, false
	}
	cp := reflect.New(v.Type())
	cp.Elem().Set(v)
	f := cp.Elem().FieldByName("Status")
	f.SetZero()
	if err := json.Unmarshal(status, f.Addr().Interface()); err != nil {
		return nil, false
	}
	return cp.Interface().(resource.Object), true
}

func (p *publisher) publish() {
	p.out.Store(SourceName, p.snapshot())
	p.readyOnce.Do(func() { close(p.ready) })
}

// snapshot is the cache as Resources, sorted; objects are shared, never
// modified afterwards (a change replaces the cached pointer).
func (p *publisher) snapshot() *resource.Resources {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &resource.Resources{}
	for _, c := range p.objs {
		r.Add(c.obj)
	}
	r.Sort()
	return r
}

// splitStatus is a stored value without its status, and the status; values
// are written by json.Marshal of a map, so equal objects give equal bytes.
// status is nil when the value has none.
func splitStatus(value []byte) (spec string, status []byte) {
	m, ok := findMember(value, "status")
	if !ok {
		return string(value), nil
	}
	return string(without(value, m)), value[m.valueStart:m.end]
}

// loadSnapshot reads the whole store into Resources, for callers that have
// no publisher.
func loadSnapshot(ctx context.Context, st store.Store) (*resource.Resources, error) {
	objs, _, err := st.List(ctx, store.Prefix{})
	if err != nil {
		return nil, err
	}
	r := &resource.Resources{}
	for _, o := range objs {
		obj, ok, err := decodeTyped(schema.GroupKind{Group: o.Key.Group, Kind: o.Key.Kind}, o.Value)
		if ok && err == nil {
			r.Add(obj)
		}
	}
	r.Sort()
	return r, nil
}
