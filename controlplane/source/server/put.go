package server

import (
	"bytes"
	"context"
	"errors"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// FieldValidation says what a write does with fields the schema does not
// declare, as kube-apiserver's fieldValidation parameter does.
type FieldValidation string

const (
	// FieldValidationStrict rejects the write (400). It is the default
	// here, unlike kube-apiserver's Warn: a misspelt field in a gateway
	// config that is silently dropped is an outage nobody can see coming.
	FieldValidationStrict FieldValidation = "Strict"
	// FieldValidationWarn drops the fields and returns a warning for each.
	FieldValidationWarn FieldValidation = "Warn"
	// FieldValidationIgnore drops them silently.
	FieldValidationIgnore FieldValidation = "Ignore"
)

// WriteOptions tune Put, Create and Apply.
type WriteOptions struct {
	// DryRun validates and translates, and stores nothing.
	DryRun          bool
	FieldValidation FieldValidation
}

// WriteResult is the outcome of one write.
type WriteResult struct {
	// Object is the object as stored (or, for a dry-run, as it would be),
	// with resourceVersion set; after a dry-run, with the status the
	// translator would give it.
	Object *unstructured.Unstructured
	// Created is true when the object did not exist before.
	Created bool
	// Unchanged is true when the write equalled the stored object, so
	// nothing was written and resourceVersion did not move.
	Unchanged bool
	// Warnings are the dropped unknown fields under FieldValidationWarn.
	Warnings []string
	// encoded is Object's JSON when the write had it for free: the stored
	// bytes with resourceVersion added; nil otherwise.
	encoded []byte
}

// Put creates or replaces the object namespace/name, as a Kubernetes PUT
// does. metadata.resourceVersion in obj, if set, is a precondition: 409
// Conflict unless it is the stored one (404 if the object is gone).
// Without it the write replaces whatever is stored. Status is kept from the
// store for kinds with a status subresource; uid and creationTimestamp are
// kept; generation moves only when the spec changes.
func (a *API) Put(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, obj *unstructured.Unstructured, opts WriteOptions) (*WriteResult, error) {
	return a.write(ctx, gvk, namespace, name, obj, false, opts)
}

// Create is POST: like Put, but 409 AlreadyExists if the object exists.
func (a *API) Create(ctx context.Context, gvk schema.GroupVersionKind, namespace string, obj *unstructured.Unstructured, opts WriteOptions) (*WriteResult, error) {
	return a.write(ctx, gvk, namespace, "", obj, true, opts)
}

func (a *API) write(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, obj *unstructured.Unstructured, createOnly bool, opts WriteOptions) (*WriteResult, error) {
	k, err := a.kinds.forKind(gvk)
	if err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, badRequestf("no object given")
	}
	in, err := normalize(obj.Object)
	if err != nil {
		return nil, err
	}
	return a.writeMap(ctx, k, namespace, name, in, createOnly, opts)
}

// writeMap is write for a map already in FromJSON's form; it does not
// change in.
func (a *API) writeMap(ctx context.Context, k Kind, namespace, name string, in map[string]any, createOnly bool, opts WriteOptions) (*WriteResult, error) {
	for attempt := 0; ; attempt++ {
		p, err := a.prepare(ctx, k, namespace, name, in, createOnly, opts.FieldValidation)
		if err != nil {
			return nil, err
		}
		if opts.DryRun {
			return a.dryRun(ctx, []*prepared{p})[0], nil
		}
		if p.unchanged {
			return p.encodedResult(p.old.Revision), nil
		}
		rev, err := a.st.Put(ctx, p.key, p.value, p.expectRev)
		if err == nil {
			return p.encodedResult(rev), nil
		}
		if !p.conditional && attempt < maxRetries && (errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound)) {
			continue // another writer got there first; redo against what it wrote
		}
		switch {
		case createOnly && errors.Is(err, store.ErrConflict):
			return nil, apierrors.NewAlreadyExists(k.GroupResource(), p.name)
		case errors.Is(err, store.ErrNotFound):
			return nil, conflict(k, p.name)
		}
		return nil, fromStore(k, p.name, err)
	}
}

// prepared is a write that passed validation, ready for the store.
type prepared struct {
	kind Kind
	key  store.Key
	name string
	// obj is the object as it will be stored (without resourceVersion).
	obj map[string]any
	// old is the stored object this replaces; nil for a create.
	old       *store.Object
	oldObj    map[string]any
	expectRev int64
	value     []byte
	unchanged bool
	// conditional: the client gave a resourceVersion, so a lost race is
	// its conflict, not a reason to retry.
	conditional bool
	warnings    []string
}

func (p *prepared) result(rev int64) *WriteResult {
	return &WriteResult{
		// p.obj is this write's own (the Validator's output); the result is
		// its last use, so it is rendered in place.
		Object:    render(p.kind, p.obj, rev),
		Created:   p.old == nil,
		Unchanged: p.unchanged,
		Warnings:  p.warnings,
	}
}

// encodedResult is result with its JSON, which is the stored value with
// resourceVersion inserted into metadata where encoding the object puts it
// (TestWriteResultEncodedEqualsMarshal), when the request's version is the
// storage version.
func (p *prepared) encodedResult(rev int64) *WriteResult {
	res := p.result(rev)
	if rev <= 0 || p.kind.GroupVersion() != p.kind.storageGVK().GroupVersion() {
		return res
	}
	md, ok := findMember(p.value, "metadata")
	if !ok {
		return res
	}
	rv := strconv.Quote(strconv.FormatInt(rev, 10))
	if m, ok := inserted(p.value[md.valueStart:md.end], "resourceVersion", []byte(rv)); ok {
		res.encoded = replaced(p.value, md, m)
	}
	return res
}

// prepare runs the API server's write path on a copy of in against what is
// stored now: identity checks, preconditions, system metadata, pruning,
// defaulting, validation and the generation.
func (a *API) prepare(ctx context.Context, k Kind, namespace, name string, in map[string]any, createOnly bool, fv FieldValidation) (*prepared, error) {
	obj := runtime.DeepCopyJSON(in)
	u := metaOf(obj)
	if err := checkIdentity(k, namespace, name, u); err != nil {
		return nil, err
	}
	rv, err := parseRV("metadata.resourceVersion", u.GetResourceVersion())
	if err != nil {
		return nil, err
	}
	p := &prepared{kind: k, key: k.key(u.GetNamespace(), u.GetName()), name: u.GetName(), conditional: rv > 0}
	old, err := a.st.Get(ctx, p.key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if rv > 0 {
			return nil, apierrors.NewNotFound(k.GroupResource(), p.name)
		}
		return p, a.prepareCreate(p, obj, fv)
	case err != nil:
		return nil, fromStore(k, p.name, err)
	case createOnly:
		return nil, apierrors.NewAlreadyExists(k.GroupResource(), p.name)
	case rv > 0 && rv != old.Revision:
		return nil, conflict(k, p.name)
	}
	p.old = &old
	return p, a.prepareUpdate(p, obj, fv)
}

func (a *API) prepareCreate(p *prepared, obj map[string]any, fv FieldValidation) error {
	u := metaOf(obj)
	u.SetResourceVersion("")
	u.SetUID(types.UID(uuid.NewUUID()))
	u.SetCreationTimestamp(metav1.NewTime(a.opts.Now()))
	u.SetGeneration(1)
	u.SetDeletionTimestamp(nil)
	u.SetDeletionGracePeriodSeconds(nil)
	// obj is prepare's own copy and is not read after this, so the
	// validator may prune and default it in place.
	res, err := a.v.CreateInPlace(obj)
	if err != nil {
		return badRequestf("%v", err)
	}
	p.expectRev = store.MustNotExist
	return a.finish(p, res, fv)
}

func (a *API) prepareUpdate(p *prepared, obj map[string]any, fv FieldValidation) error {
	oldObj, err := decodeStored(*p.old)
	if err != nil {
		return fromStore(p.kind, p.name, err)
	}
	ou := metaOf(oldObj)
	ou.SetResourceVersion(strconv.FormatInt(p.old.Revision, 10))
	// As kube-apiserver's BeforeUpdate: system fields come from the stored
	// object, and a uid that differs is rejected by validation below.
	u := metaOf(obj)
	u.SetResourceVersion(ou.GetResourceVersion())
	if u.GetUID() == "" {
		u.SetUID(ou.GetUID())
	}
	u.SetCreationTimestamp(ou.GetCreationTimestamp())
	u.SetGeneration(ou.GetGeneration())
	res, err := a.v.UpdateInPlace(obj, oldObj)
	if err != nil {
		return badRequestf("%v", err)
	}
	p.oldObj, p.expectRev = oldObj, p.old.Revision
	// The generation moves before finish encodes the object, so that it is
	// encoded once.
	if len(res.Errors) == 0 && !sameSpec(res.Object, oldObj) {
		metaOf(res.Object).SetGeneration(ou.GetGeneration() + 1)
	}
	if err := a.finish(p, res, fv); err != nil {
		return err
	}
	p.unchanged = bytes.Equal(p.value, p.old.Value)
	return nil
}

// finish applies the Validator's verdict and encodes the stored form.
func (a *API) finish(p *prepared, res validation.Result, fv FieldValidation) error {
	if len(res.Errors) > 0 {
		return invalid(p.kind, p.name, res.Errors)
	}
	switch fv {
	case FieldValidationStrict, "":
		if err := validation.UnknownFieldsError(res.UnknownFields); err != nil {
			return apierrors.NewBadRequest(err.Error())
		}
	case FieldValidationWarn:
		for _, f := range res.UnknownFields {
			p.warnings = append(p.warnings, "unknown field \""+f+"\"")
		}
	case FieldValidationIgnore:
	default:
		return badRequestf("fieldValidation: unsupported value %q: want Strict, Warn or Ignore", fv)
	}
	p.obj = res.Object
	a.setDefaultStatus(p.kind, p.obj)
	var err error
	if p.value, err = encodeForStore(p.kind, p.obj); err != nil {
		return apierrors.NewInternalError(err)
	}
	return nil
}

// checkIdentity fills apiVersion, kind, name and namespace from the request
// where obj leaves them out, and refuses an obj that names another object.
func checkIdentity(k Kind, namespace, name string, u *unstructured.Unstructured) error {
	switch av := u.GetAPIVersion(); {
	case av == "":
		u.SetAPIVersion(k.GroupVersion().String())
	case av != k.GroupVersion().String():
		return badRequestf("the API version in the data (%s) does not match the expected API version (%s)", av, k.GroupVersion())
	}
	switch kind := u.GetKind(); {
	case kind == "":
		u.SetKind(k.Kind)
	case kind != k.Kind:
		return badRequestf("the kind in the data (%s) does not match the expected kind (%s)", kind, k.Kind)
	}
	switch n := u.GetName(); {
	case n == "" && name == "":
		return invalid(k, "", field.ErrorList{field.Required(field.NewPath("metadata", "name"), "name or generateName is required")})
	case n == "":
		u.SetName(name)
	case name != "" && n != name:
		return badRequestf("the name of the object (%s) does not match the name on the URL (%s)", n, name)
	}
	if !k.Namespaced {
		u.SetNamespace("")
		return nil
	}
	switch ns := u.GetNamespace(); {
	case namespace == "" && ns == "":
		u.SetNamespace(resource.DefaultNamespace)
	case ns == "":
		u.SetNamespace(namespace)
	case namespace != "" && ns != namespace:
		return badRequestf("the namespace of the provided object (%s) does not match the namespace sent on the request (%s)", ns, namespace)
	}
	return nil
}
