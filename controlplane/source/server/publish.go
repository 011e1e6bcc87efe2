package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

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
	for {
		ev, ok := <-events
		if !ok {
			return p.closed(ctx)
		}
		changed, err := p.apply(ev)
		// Take whatever else is queued before publishing once: a burst of
		// writes costs the translator one snapshot, not one each.
	drain:
		for err == nil {
			select {
			case ev, ok = <-events:
				if !ok {
					break drain
				}
				var c bool
				c, err = p.apply(ev)
				changed = changed || c
			default:
				break drain
			}
		}
		if changed {
			p.publish()
		}
		if err != nil {
			return err
		}
		if !ok {
			return p.closed(ctx)
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
	obj, ok, err := decodeTyped(schema.GroupKind{Group: o.Key.Group, Kind: o.Key.Kind}, o.Value)
	if !ok {
		return cached{}, false
	}
	if err != nil {
		p.log.Error("stored object cannot be decoded; leaving it out", "key", o.Key.String(), "error", err)
		delete(p.objs, o.Key)
		return cached{}, false
	}
	c := cached{obj: obj, spec: withoutStatus(o.Value)}
	p.objs[o.Key] = c
	return c, true
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

// withoutStatus is a stored value with its status removed; values are
// written by json.Marshal of a map, so equal objects give equal strings.
func withoutStatus(value []byte) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(value, &m); err != nil {
		return string(value)
	}
	delete(m, "status")
	b, err := json.Marshal(m)
	if err != nil {
		return string(value)
	}
	return string(b)
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
