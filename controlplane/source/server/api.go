package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// APIOptions tune the core.
type APIOptions struct {
	// Translate is what dry-run translates with; it must match the
	// translator the control plane runs (above all ControllerName).
	Translate gatewayapi.Options
	// Sources returns the resources of every config source, keyed by
	// source, with this store's under SourceName; a dry-run translates the
	// candidate among all of them, as the translator would. Nil means this
	// store's objects alone, read from the store on every dry-run.
	Sources func() map[string]*resource.Resources
	// Now stamps creationTimestamp; nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// SourceName is the key the Config Server publishes its resources under.
const SourceName = "server"

// maxRetries bounds the re-reads of an unconditional write that keeps
// losing races with other writers of the same object.
const maxRetries = 16

// API is the Config Server's transport-independent core: Kubernetes API
// server semantics over a store.Store. HTTP (and gRPC) are thin layers
// that parse requests into these calls and render their results; every
// error is an *apierrors.StatusError.
type API struct {
	st            store.Store
	v             *validation.Validator
	kinds         *kindTable
	opts          APIOptions
	log           *slog.Logger
	defaultStatus map[schema.GroupKind]map[string]any
	// checkStatusWrites validates the control plane's own status writes
	// against the CRD (schema and CEL over the whole object, as
	// kube-apiserver does for a controller's). That costs as much as
	// validating the object again, on every write that changes status,
	// which is every spec change; the writer is this binary's own
	// translator, not an untrusted client, so only tests turn it on, to
	// prove that what the translator writes is valid.
	checkStatusWrites bool
}

// NewAPI builds the core. v is shared: building a Validator is expensive.
func NewAPI(st store.Store, v *validation.Validator, opts APIOptions) *API {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &API{st: st, v: v, kinds: newKindTable(v), opts: opts, log: log}
	a.defaultStatus = defaultStatuses(v, a.kinds)
	return a
}

// Kinds lists every kind served, in every version.
func (a *API) Kinds() []Kind { return append([]Kind(nil), a.kinds.all...) }

// KindFor resolves a URL's group, version and resource.
func (a *API) KindFor(gvr schema.GroupVersionResource) (Kind, error) {
	return a.kinds.forResource(gvr)
}

// KindOf resolves an object's apiVersion and kind.
func (a *API) KindOf(gvk schema.GroupVersionKind) (Kind, error) { return a.kinds.forKind(gvk) }

// ListOptions select objects for List and Watch.
type ListOptions struct {
	// LabelSelector in the Kubernetes syntax ("app=x,tier!=db").
	LabelSelector string
	// ResourceVersion (Watch only): send the changes after it. Empty or
	// "0" first sends every current object as ADDED.
	ResourceVersion string
}

// Get returns one object. An empty namespace means "default" for
// namespaced kinds, as kubectl does.
func (a *API) Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	k, err := a.kinds.forKind(gvk)
	if err != nil {
		return nil, err
	}
	ns, err := scope(k, namespace)
	if err != nil {
		return nil, err
	}
	o, err := a.st.Get(ctx, k.key(ns, name))
	if err != nil {
		return nil, fromStore(k, name, err)
	}
	obj, err := decodeStored(o)
	if err != nil {
		return nil, fromStore(k, name, fmt.Errorf("stored %s is damaged: %w", o.Key, err))
	}
	return render(k, obj, o.Revision), nil
}

// List returns the objects of a kind in one namespace ("" means all) that
// match the selector. The list's resourceVersion is the store revision it
// was read at: a Watch from it misses nothing.
func (a *API) List(ctx context.Context, gvk schema.GroupVersionKind, namespace string, opts ListOptions) (*unstructured.UnstructuredList, error) {
	k, sel, err := a.collection(gvk, namespace, opts.LabelSelector)
	if err != nil {
		return nil, err
	}
	objs, rev, err := a.st.List(ctx, k.prefix(namespace))
	if err != nil {
		return nil, fromStore(k, "", err)
	}
	list := &unstructured.UnstructuredList{Object: map[string]any{
		"apiVersion": k.GroupVersion().String(),
		"kind":       k.Kind + "List",
		"metadata":   map[string]any{"resourceVersion": strconv.FormatInt(rev, 10)},
	}}
	list.Items = make([]unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		obj, err := decodeStored(o)
		if err != nil {
			return nil, fromStore(k, o.Key.Name, fmt.Errorf("stored %s is damaged: %w", o.Key, err))
		}
		if !sel.Matches(labels.Set(metaOf(obj).GetLabels())) {
			continue
		}
		list.Items = append(list.Items, *render(k, obj, o.Revision))
	}
	return list, nil
}

// DeleteOptions tune Delete.
type DeleteOptions struct {
	// DryRun returns what would be deleted and deletes nothing.
	DryRun bool
	// Preconditions fail the delete with 409 Conflict unless the stored
	// object still has this uid and resourceVersion.
	Preconditions metav1.Preconditions
}

// Delete removes an object and returns its last state.
func (a *API) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, opts DeleteOptions) (*unstructured.Unstructured, error) {
	k, err := a.kinds.forKind(gvk)
	if err != nil {
		return nil, err
	}
	ns, err := scope(k, namespace)
	if err != nil {
		return nil, err
	}
	key := k.key(ns, name)
	for attempt := 0; ; attempt++ {
		o, err := a.st.Get(ctx, key)
		if err != nil {
			return nil, fromStore(k, name, err)
		}
		obj, err := decodeStored(o)
		if err != nil {
			return nil, fromStore(k, name, fmt.Errorf("stored %s is damaged: %w", o.Key, err))
		}
		out := render(k, obj, o.Revision)
		if err := checkPreconditions(k, out, opts.Preconditions); err != nil {
			return nil, err
		}
		if opts.DryRun {
			return out, nil
		}
		_, err = a.st.Delete(ctx, key, o.Revision)
		if err == nil {
			return out, nil
		}
		conditional := opts.Preconditions.ResourceVersion != nil || opts.Preconditions.UID != nil
		if errors.Is(err, store.ErrConflict) && !conditional && attempt < maxRetries {
			continue // changed since we read it; the caller asked for no particular version
		}
		return nil, fromStore(k, name, err)
	}
}

func checkPreconditions(k Kind, obj *unstructured.Unstructured, p metav1.Preconditions) error {
	if p.UID != nil && *p.UID != obj.GetUID() {
		return apierrors.NewConflict(k.GroupResource(), obj.GetName(),
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, obj.GetUID()))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != obj.GetResourceVersion() {
		return apierrors.NewConflict(k.GroupResource(), obj.GetName(),
			fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, obj.GetResourceVersion()))
	}
	return nil
}

// scope is the namespace an object of k lives in when a request names ns.
func scope(k Kind, ns string) (string, error) {
	switch {
	case !k.Namespaced && ns != "":
		return "", notFoundResource(k.GroupVersion().WithResource(k.Resource))
	case k.Namespaced && ns == "":
		return resource.DefaultNamespace, nil
	}
	return ns, nil
}

// collection resolves what List and Watch read: the kind, the label
// selector, and a namespace that the kind can have.
func (a *API) collection(gvk schema.GroupVersionKind, namespace, selector string) (Kind, labels.Selector, error) {
	k, err := a.kinds.forKind(gvk)
	if err != nil {
		return k, nil, err
	}
	sel, err := parseSelector(selector)
	if err != nil {
		return k, nil, err
	}
	if !k.Namespaced && namespace != "" {
		return k, nil, notFoundResource(k.GroupVersion().WithResource(k.Resource))
	}
	return k, sel, nil
}

func parseSelector(s string) (labels.Selector, error) {
	sel, err := labels.Parse(s)
	if err != nil {
		return nil, badRequestf("labelSelector: %v", err)
	}
	return sel, nil
}

// parseRV reads a resourceVersion; "" is 0 (none given).
func parseRV(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequestf("%s: invalid value %q: must be a resourceVersion returned by this server", field, s)
	}
	return n, nil
}

// normalize gives obj the number types the Validator needs (int64, not
// int), whatever Go code built it.
func normalize(obj map[string]any) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, badRequestf("object cannot be encoded as JSON: %v", err)
	}
	out, err := validation.FromJSON(b)
	if err != nil {
		return nil, badRequestf("%v", err)
	}
	return out, nil
}
