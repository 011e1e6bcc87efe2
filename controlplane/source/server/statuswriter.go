package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"reflect"
	"strconv"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// statusParallelism is how many status writes are in flight at once; the
// store batches concurrent writes into one fsync, so a translation that
// changes a thousand routes costs a few commits, not a thousand.
const statusParallelism = 32

// statusWriter writes each translation's status back to the store.
//
// Ownership: objects that were in the previous Result and are not in this
// one while they still exist (a GatewayClass that now names another
// controller, a Gateway whose class went away) are disowned: a GatewayClass
// or Gateway gets its CRD's default status back (Pending, "Waiting for
// controller"), a route loses our entries in status.parents. The Gateway
// API asks a controller to leave status it no longer owns, and leaving our
// Accepted=True on an object nobody serves would be a lie. What was
// disowned while the server was down is not noticed.
type statusWriter struct {
	api        *API
	controller gwapiv1.GatewayController
	log        *slog.Logger

	mu sync.Mutex
	// done holds, per object, the translator's status last reconciled with
	// the store: the same verdict again needs no read.
	done  map[store.Key]doneStatus
	owned map[store.Key]types.UID
}

type doneStatus struct {
	uid      types.UID
	computed string
	route    *gwapiv1.RouteStatus
}

// statusItem is one object's status to reconcile.
type statusItem struct {
	key      store.Key
	uid      types.UID
	computed string
	// route is a route's computed status (part of a Result, which nobody
	// modifies), compared instead of encoded: every translation lists every
	// route, and ten thousand encodings per change add up.
	route *gwapiv1.RouteStatus
	// update returns the status to store given the stored object, or false
	// to leave it (it was replaced or changed since the translation).
	update func(stored resource.Object) (any, bool)
}

// withoutSpec is a stored value without its spec, for update functions,
// which read only metadata and status: the spec is most of an object's
// bytes, and decoding it for nothing was most of a status write's CPU.
func withoutSpec(value []byte) []byte {
	if m, ok := findMember(value, "spec"); ok {
		return without(value, m)
	}
	return value
}

func newStatusWriter(api *API, log *slog.Logger) *statusWriter {
	return &statusWriter{api: api, controller: api.controller(), log: log,
		done: map[store.Key]doneStatus{}, owned: map[store.Key]types.UID{}}
}

func (w *statusWriter) run(ctx context.Context, topic *message.Topic[*gatewayapi.Result]) error {
	for u := range topic.Subscribe(ctx) {
		if u.Value != nil {
			w.reconcile(ctx, u.Value)
		}
	}
	return nil
}

func (w *statusWriter) reconcile(ctx context.Context, res *gatewayapi.Result) {
	items := w.items(res)
	current := make(map[store.Key]types.UID, len(items))
	for _, it := range items {
		current[it.key] = it.uid
	}
	for key, uid := range w.owned {
		if _, ok := current[key]; !ok {
			items = append(items, w.disown(key, uid))
		}
	}
	sem := make(chan struct{}, statusParallelism)
	var wg sync.WaitGroup
	for _, it := range items {
		if w.isDone(it) {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			w.write(ctx, it)
		})
	}
	wg.Wait()
	w.owned = current
	w.mu.Lock()
	maps.DeleteFunc(w.done, func(k store.Key, _ doneStatus) bool { _, ok := current[k]; return !ok })
	w.mu.Unlock()
}

func (w *statusWriter) isDone(it statusItem) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	d, ok := w.done[it.key]
	if !ok || d.uid != it.uid {
		return false
	}
	if it.route != nil {
		return d.route != nil && sameRouteStatus(d.route, it.route)
	}
	return it.computed != "" && d.computed == it.computed
}

func (w *statusWriter) write(ctx context.Context, it statusItem) {
	outcome, err := w.api.updateStatus(ctx, it.key, it.update)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			w.log.Error("writing status", "object", it.key.String(), "error", err)
		}
		return
	case outcome == statusSkipped:
		return
	case outcome == statusWritten:
		w.log.Debug("status written", "object", it.key.String())
	}
	w.mu.Lock()
	d := doneStatus{uid: it.uid, computed: it.computed}
	if it.route != nil {
		// A copy, so that nothing done to the Result later can make the
		// next comparison vacuous.
		d.route = it.route.DeepCopy()
	}
	w.done[it.key] = d
	w.mu.Unlock()
}

// items turns a Result into one statusItem per object it owns. A verdict
// about another incarnation of the object (uid) or an older spec
// (generation) is dropped: the translation of the current one follows.
func (w *statusWriter) items(res *gatewayapi.Result) []statusItem {
	var out []statusItem
	for _, c := range res.GatewayClasses {
		out = append(out, item(c, c.Status, func(s *gwapiv1.GatewayClass) any {
			st := gatewayClassStatus(c.Status, s.Status)
			return &st
		}))
	}
	for _, g := range res.Gateways {
		out = append(out, item(g, g.Status, func(s *gwapiv1.Gateway) any {
			st := gatewayStatus(g.Status, s.Status)
			return &st
		}))
	}
	for _, p := range res.BackendTLSPolicies {
		out = append(out, item(p, p.Status, func(s *gwapiv1.BackendTLSPolicy) any {
			st := policyStatus(w.controller, p.Status, s.Status)
			return &st
		}))
	}
	for _, ls := range res.ListenerSets {
		out = append(out, item(ls, ls.Status, func(s *gwapiv1.ListenerSet) any {
			st := listenerSetStatus(ls.Status, s.Status)
			return &st
		}))
	}
	for _, r := range routesOf(res) {
		computed := routeStatusOf(r)
		out = append(out, routeItem(r, computed, func(s resource.Object) any {
			st := routeStatus(w.controller, *computed, *routeStatusOf(s))
			return &st
		}))
	}
	return out
}

// routesOf lists every route of a Result, whatever its kind. It reads the
// Result's slices by reflection, so a route kind the translator starts
// reporting is written back without a change here (TestStatusWriterCoversResult).
func routesOf(res *gatewayapi.Result) []resource.Object {
	var out []resource.Object
	v := reflect.ValueOf(res).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Slice {
			continue
		}
		for j := range f.Len() {
			if o, ok := f.Index(j).Interface().(resource.Object); ok && routeStatusOf(o) != nil {
				out = append(out, o)
			}
		}
	}
	return out
}

// routeStatusOf is the status every route kind shares (its own status
// type only embeds it); nil for objects that are not routes.
func routeStatusOf(obj resource.Object) *gwapiv1.RouteStatus {
	switch r := obj.(type) {
	case *gwapiv1.HTTPRoute:
		return &r.Status.RouteStatus
	case *gwapiv1.GRPCRoute:
		return &r.Status.RouteStatus
	case *gwapiv1.TLSRoute:
		return &r.Status.RouteStatus
	case *gwapiv1.TCPRoute:
		return &r.Status.RouteStatus
	case *gwapiv1.UDPRoute:
		return &r.Status.RouteStatus
	}
	return nil
}

func item[T resource.Object](obj T, status any, merge func(stored T) any) statusItem {
	computed, _ := json.Marshal(status)
	it := routeItem(obj, nil, merge)
	it.computed = string(computed)
	return it
}

// routeItem is item for a route, whose computed status is kept to be
// compared rather than encoded.
func routeItem[T resource.Object](obj T, computed *gwapiv1.RouteStatus, merge func(stored T) any) statusItem {
	return statusItem{
		key:   storeKeyOf(obj),
		uid:   obj.GetUID(),
		route: computed,
		update: func(stored resource.Object) (any, bool) {
			s, ok := stored.(T)
			if !ok || s.GetUID() != obj.GetUID() || s.GetGeneration() != obj.GetGeneration() {
				return nil, false
			}
			return merge(s), true
		},
	}
}

// storeKeyOf is where a typed object is stored.
func storeKeyOf(obj resource.Object) store.Key {
	gk, ok := typedKindOf()[reflect.TypeOf(obj)]
	if !ok {
		return store.Key{}
	}
	return store.Key{Group: gk.Group, Kind: gk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// typedKindOf inverts typedKinds, once: status write-back asks for every
// object of every translation.
var typedKindOf = sync.OnceValue(func() map[reflect.Type]schema.GroupKind {
	out := make(map[reflect.Type]schema.GroupKind, len(typedKinds))
	for gk, newObj := range typedKinds {
		out[reflect.TypeOf(newObj())] = gk
	}
	return out
})

// disown is the item that withdraws our status from an object we no longer
// handle.
func (w *statusWriter) disown(key store.Key, uid types.UID) statusItem {
	gk := schema.GroupKind{Group: key.Group, Kind: key.Kind}
	return statusItem{key: key, uid: uid, update: func(stored resource.Object) (any, bool) {
		if stored.GetUID() != uid {
			return nil, false
		}
		if rs := routeStatusOf(stored); rs != nil {
			st := withoutController(w.controller, *rs)
			return &st, true
		}
		if p, ok := stored.(*gwapiv1.BackendTLSPolicy); ok {
			st := policyStatus(w.controller, gwapiv1.PolicyStatus{}, p.Status)
			return &st, true
		}
		st, ok := w.api.defaultStatus[gk]
		return runtime.DeepCopyJSON(st), ok
	}}
}

type statusOutcome int

const (
	statusSkipped statusOutcome = iota
	statusUnchanged
	statusWritten
)

// updateStatus is a write to the status subresource on behalf of the
// control plane: it replaces only status, never bumps generation, and is
// conditional on the revision it read, re-reading after a conflict.
func (a *API) updateStatus(ctx context.Context, key store.Key, update func(resource.Object) (any, bool)) (statusOutcome, error) {
	k, ok := a.kinds.storage[schema.GroupKind{Group: key.Group, Kind: key.Kind}]
	if !ok {
		return statusSkipped, nil
	}
	for attempt := 0; attempt < maxRetries; attempt++ {
		o, err := a.st.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return statusSkipped, nil
		} else if err != nil {
			return statusSkipped, err
		}
		typed, _, err := decodeTyped(k.GroupKind(), withoutSpec(o.Value))
		if err != nil || typed == nil {
			return statusSkipped, err
		}
		st, ok := update(typed)
		if !ok {
			return statusSkipped, nil
		}
		value, err := a.withStatus(k, o, st)
		if err != nil || value == nil {
			return statusUnchanged, err
		}
		_, err = a.st.Put(ctx, key, value, o.Revision)
		switch {
		case err == nil:
			return statusWritten, nil
		case errors.Is(err, store.ErrConflict):
			continue
		case errors.Is(err, store.ErrNotFound):
			return statusSkipped, nil
		}
		return statusSkipped, err
	}
	return statusSkipped, conflict(k, key.Name)
}

// withStatus is the stored value o with its status replaced by st, checked
// as a status update; nil when the status is already st.
func (a *API) withStatus(k Kind, o store.Object, st any) ([]byte, error) {
	stMap, ok := st.(map[string]any)
	if !ok {
		var err error
		if stMap, err = runtime.DefaultUnstructuredConverter.ToUnstructured(st); err != nil {
			return nil, err
		}
	}
	if !a.checkStatusWrites {
		if v, ok, err := splicedStatus(k, o.Value, stMap); ok {
			return v, err
		}
	}
	return a.reencodedStatus(k, o, stMap)
}

// reencodedStatus is withStatus by decoding the stored value, replacing
// its status and encoding it again.
func (a *API) reencodedStatus(k Kind, o store.Object, stMap map[string]any) ([]byte, error) {
	oldObj, err := decodeStored(o)
	if err != nil {
		return nil, err
	}
	oldJSON, _ := json.Marshal(oldObj["status"])
	newJSON, _ := json.Marshal(stMap)
	if bytes.Equal(oldJSON, newJSON) {
		return nil, nil
	}
	metaOf(oldObj).SetResourceVersion(strconv.FormatInt(o.Revision, 10))
	newObj := maps.Clone(oldObj)
	newObj["status"] = runtime.DeepCopyJSON(stMap)
	if a.checkStatusWrites {
		if errs := a.v.ValidateStatusUpdate(newObj, oldObj); len(errs) > 0 {
			return nil, apierrors.NewInvalid(k.GroupKind(), o.Key.Name, errs)
		}
	}
	return encodeForStore(k, newObj)
}

// splicedStatus is withStatus without decoding the stored value: its status
// bytes are compared with the new status's and replaced in place. A value
// in the form encodeForStore writes (json.Marshal of the decoded map, so
// the member's bytes are what re-encoding it gives; the storage version; no
// resourceVersion) comes out byte for byte as re-encoding would make it
// (TestSplicedStatusEqualsReencoding). ok is false for any other value,
// which takes the decoding path.
func splicedStatus(k Kind, value []byte, status map[string]any) (out []byte, ok bool, err error) {
	if !storedForm(k, value) {
		return nil, false, nil
	}
	newJSON, err := json.Marshal(status)
	if err != nil {
		return nil, false, nil
	}
	m, found := findMember(value, "status")
	if !found {
		// A kind whose CRD defaults no status (HTTPRoute): the first
		// status write after a create adds it.
		if string(newJSON) == "null" {
			return nil, true, nil // as absent
		}
		out, ok = inserted(value, "status", newJSON)
		return out, ok, nil
	}
	if bytes.Equal(value[m.valueStart:m.end], newJSON) {
		return nil, true, nil
	}
	return replaced(value, m, newJSON), true, nil
}

// storedForm reports whether value has the storage apiVersion and no
// metadata.resourceVersion, as encodeForStore leaves it.
func storedForm(k Kind, value []byte) bool {
	av, ok := findMember(value, "apiVersion")
	if !ok || string(value[av.valueStart:av.end]) != strconv.Quote(k.storageGVK().GroupVersion().String()) {
		return false
	}
	md, ok := findMember(value, "metadata")
	if !ok {
		return false
	}
	_, hasRV := findMember(value[md.valueStart:md.end], "resourceVersion")
	return !hasRV
}
