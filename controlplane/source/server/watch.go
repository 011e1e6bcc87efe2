package server

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// WatchEvent is one change, as a Kubernetes watch reports it.
type WatchEvent struct {
	// Type is ADDED, MODIFIED, DELETED or ERROR.
	Type watch.EventType
	// Object is the object after the change (for DELETED, its last state,
	// with the resourceVersion of the delete); nil for ERROR.
	Object *unstructured.Unstructured
	// Status says why the watch ended, for ERROR: 410 Expired when it fell
	// behind the retained history (list again and watch from the list).
	Status *metav1.Status
}

// Watch streams the changes of a kind in one namespace ("" means all), in
// store order. From resourceVersion N it sends the changes after N; 410
// Expired if those are no longer kept. Without one (or "0") it first sends
// every current object as ADDED. The channel closes when ctx ends, the
// store closes, or after an ERROR event.
//
// With a label selector, events are filtered as kube-apiserver's watch
// cache does: an object that starts matching comes as ADDED, one that stops
// matching as DELETED (with its last matching state and the revision of the
// change), and changes to objects that match neither before nor after are
// not sent.
func (a *API) Watch(ctx context.Context, gvk schema.GroupVersionKind, namespace string, opts ListOptions) (<-chan WatchEvent, error) {
	k, sel, err := a.collection(gvk, namespace, opts.LabelSelector)
	if err != nil {
		return nil, err
	}
	from, err := parseRV("resourceVersion", opts.ResourceVersion)
	if err != nil {
		return nil, err
	}
	var initial []store.Object
	if from == 0 {
		if initial, from, err = a.st.List(ctx, k.prefix(namespace)); err != nil {
			return nil, fromStore(k, "", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	events, err := a.st.Watch(ctx, k.prefix(namespace), from)
	if err != nil {
		cancel()
		if errors.Is(err, store.ErrCompacted) {
			return nil, fromStore(k, "", fmt.Errorf("too old resource version: %d: %w", from, err))
		}
		return nil, fromStore(k, "", err)
	}
	out := make(chan WatchEvent, 16)
	go func() {
		defer cancel()
		defer close(out)
		w := &watcher{a: a, k: k, sel: sel, ctx: ctx, out: out}
		for _, o := range initial {
			if !w.send(watch.Added, o) {
				return
			}
		}
		for ev := range events {
			if !w.forward(ev) {
				return
			}
		}
	}()
	return out, nil
}

type watcher struct {
	a   *API
	k   Kind
	sel labels.Selector
	ctx context.Context
	out chan<- WatchEvent
}

func (w *watcher) forward(ev store.Event) bool {
	switch ev.Type {
	case store.Added:
		return w.send(watch.Added, ev.Object)
	case store.Modified:
		return w.modified(ev)
	case store.Deleted:
		return w.send(watch.Deleted, ev.Object)
	}
	err := ev.Err
	if errors.Is(err, store.ErrCompacted) {
		err = fmt.Errorf("too old resource version: %w", err)
	}
	w.emit(WatchEvent{Type: watch.Error, Status: StatusOf(fromStore(w.k, "", err))})
	return false
}

// send delivers o if it matches; false when the watch is over.
func (w *watcher) send(typ watch.EventType, o store.Object) bool {
	obj, ok := w.decode(o)
	if !ok {
		return false
	}
	if !w.sel.Matches(labels.Set(metaOf(obj).GetLabels())) {
		return true
	}
	return w.emit(WatchEvent{Type: typ, Object: render(w.k, obj, o.Revision)})
}

// modified turns a change into what a watcher with this selector sees: the
// change itself, or the object entering (ADDED) or leaving (DELETED) the
// selection.
func (w *watcher) modified(ev store.Event) bool {
	if w.sel.Empty() || ev.Prev == nil {
		// Without the old value (an event logged before the store kept it)
		// only the new state can be judged.
		return w.send(watch.Modified, ev.Object)
	}
	obj, ok := w.decode(ev.Object)
	if !ok {
		return false
	}
	prev := ev.Object
	prev.Value = ev.Prev
	prevObj, ok := w.decode(prev)
	if !ok {
		return false
	}
	now := w.sel.Matches(labels.Set(metaOf(obj).GetLabels()))
	before := w.sel.Matches(labels.Set(metaOf(prevObj).GetLabels()))
	switch {
	case now && before:
		return w.emit(WatchEvent{Type: watch.Modified, Object: render(w.k, obj, ev.Object.Revision)})
	case now:
		return w.emit(WatchEvent{Type: watch.Added, Object: render(w.k, obj, ev.Object.Revision)})
	case before:
		return w.emit(WatchEvent{Type: watch.Deleted, Object: render(w.k, prevObj, ev.Object.Revision)})
	}
	return true
}

// decode reads a stored value, or ends the watch with an ERROR saying it is
// damaged (ok false).
func (w *watcher) decode(o store.Object) (map[string]any, bool) {
	obj, err := decodeStored(o)
	if err != nil {
		w.emit(WatchEvent{Type: watch.Error, Status: StatusOf(fromStore(w.k, o.Key.Name, fmt.Errorf("stored %s is damaged: %w", o.Key, err)))})
		return nil, false
	}
	return obj, true
}

func (w *watcher) emit(ev WatchEvent) bool {
	select {
	case w.out <- ev:
		return true
	case <-w.ctx.Done():
		return false
	}
}
