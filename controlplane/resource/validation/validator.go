package validation

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validator validates objects of every kind the control plane accepts. Build
// it once with New and share it: it holds the compiled CEL programs.
type Validator struct {
	kinds map[schema.GroupVersionKind]kindValidator
	// byGroupVersion lists the kinds of each group/version, for messages.
	byGroupVersion map[schema.GroupVersion][]string
}

// kindValidator is one kind's share of the API server's request path.
type kindValidator interface {
	kind() schema.GroupVersionKind
	isNamespaced() bool
	hasStatusSubresource() bool
	// ready readies the kind for the methods below, which may be called
	// only once it has returned nil.
	ready() error
	coerce(obj map[string]any) (unknownFields []string, err error)
	applyDefaults(obj map[string]any)
	prepareForCreate(obj map[string]any)
	prepareForUpdate(newObj, oldObj map[string]any)
	validate(obj map[string]any) field.ErrorList
	validateUpdate(newObj, oldObj map[string]any) field.ErrorList
	validateStatusUpdate(newObj, oldObj map[string]any) field.ErrorList
}

// New lists the kinds of the embedded CRDs and the core kinds. It is cheap:
// a kind's structural schema, schema validator and CEL programs (a CRD's
// share of a few hundred CEL rules) are built on its first use, once, so a
// run pays only for the kinds it meets. A CRD that fails to build is
// reported on each use of its kinds, as an internal error naming it;
// BuildAll builds everything up front. Call New once per process.
func New() (*Validator, error) {
	crds, err := fs.Sub(crdFiles, "crds")
	if err != nil {
		return nil, err
	}
	return newFromFS(crds)
}

// newFromFS is New with the CRD files (*.yaml) of fsys.
func newFromFS(crds fs.FS) (*Validator, error) {
	kinds, err := newCRDKinds(crds)
	if err != nil {
		return nil, err
	}
	v := &Validator{kinds: map[schema.GroupVersionKind]kindValidator{}, byGroupVersion: map[schema.GroupVersion][]string{}}
	for _, k := range kinds {
		v.add(k)
	}
	for _, k := range coreKinds() {
		v.add(k)
	}
	for _, kinds := range v.byGroupVersion {
		sort.Strings(kinds)
	}
	return v, nil
}

// BuildAll builds every kind's validators now, on every CPU, rather than on
// first use: for a server that would rather pay at start-up than on its
// first writes, and for tests, which must see every embedded CRD build.
func (v *Validator) BuildAll() error {
	return v.Build(v.Kinds()...)
}

// Build builds the validators of the given kinds now (see BuildAll), in
// parallel; the error joins those of the kinds that failed.
func (v *Validator) Build(gvks ...schema.GroupVersionKind) error {
	errs := make([]error, len(gvks))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, gvk := range gvks {
		k, ok := v.kinds[gvk]
		if !ok {
			errs[i] = fmt.Errorf("unknown kind %s", gvk)
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = k.ready()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (v *Validator) add(k kindValidator) {
	gvk := k.kind()
	v.kinds[gvk] = k
	v.byGroupVersion[gvk.GroupVersion()] = append(v.byGroupVersion[gvk.GroupVersion()], gvk.Kind)
}

// Kinds lists every kind the Validator knows, sorted.
func (v *Validator) Kinds() []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(v.kinds))
	for gvk := range v.kinds {
		out = append(out, gvk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Knows reports whether gvk is a kind the Validator checks.
func (v *Validator) Knows(gvk schema.GroupVersionKind) bool {
	_, ok := v.kinds[gvk]
	return ok
}

// Namespaced reports whether objects of gvk live in a namespace (ok is
// false for a kind the Validator does not know). Validate requires
// metadata.namespace on those; the API server takes it from the URL, so
// callers reading files fill it in (kubectl uses "default").
func (v *Validator) Namespaced(gvk schema.GroupVersionKind) (namespaced, ok bool) {
	k, ok := v.kinds[gvk]
	return ok && k.isNamespaced(), ok
}

// HasStatusSubresource reports whether gvk keeps status apart from the rest
// of the object, as the Gateway API kinds do: a create or update of the
// object does not set status, only a status update does.
func (v *Validator) HasStatusSubresource(gvk schema.GroupVersionKind) bool {
	k, ok := v.kinds[gvk]
	return ok && k.hasStatusSubresource()
}

// lookup finds obj's kind, ready for use, or says which of apiVersion and
// kind is wrong, or that the kind's CRD did not build.
func (v *Validator) lookup(obj map[string]any) (kindValidator, *field.Error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" {
		return nil, field.Required(field.NewPath("apiVersion"), "")
	}
	if kind == "" {
		return nil, field.Required(field.NewPath("kind"), "")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, field.Invalid(field.NewPath("apiVersion"), apiVersion, err.Error())
	}
	if k, ok := v.kinds[gv.WithKind(kind)]; ok {
		if err := k.ready(); err != nil {
			return nil, field.InternalError(field.NewPath("kind"), err)
		}
		return k, nil
	}
	if kinds, ok := v.byGroupVersion[gv]; ok {
		return nil, field.NotSupported(field.NewPath("kind"), kind, kinds)
	}
	return nil, field.NotSupported(field.NewPath("apiVersion"), apiVersion, v.groupVersions())
}

// typeMetaErrors says which of obj's kind and apiVersion are not gvk's.
func typeMetaErrors(gvk schema.GroupVersionKind, obj map[string]any) field.ErrorList {
	u := &unstructured.Unstructured{Object: obj}
	var errs field.ErrorList
	if u.GetKind() != gvk.Kind {
		errs = append(errs, field.Invalid(field.NewPath("kind"), u.GetKind(), fmt.Sprintf("must be %v", gvk.Kind)))
	}
	if want := gvk.GroupVersion().String(); u.GetAPIVersion() != want {
		errs = append(errs, field.Invalid(field.NewPath("apiVersion"), u.GetAPIVersion(), fmt.Sprintf("must be %v", want)))
	}
	return errs
}

func (v *Validator) groupVersions() []string {
	out := make([]string, 0, len(v.byGroupVersion))
	for gv := range v.byGroupVersion {
		out = append(out, gv.String())
	}
	sort.Strings(out)
	return out
}

// Validate checks obj as it stands, as the API server's create validation
// does after decoding: metadata, OpenAPI schema, list types, then CEL rules.
// It neither prunes nor defaults obj and does not change it; since several
// CEL rules read defaulted fields (a backendRef's group, say), pass it
// objects that went through Default, or use Create, which does both.
func (v *Validator) Validate(obj map[string]any) field.ErrorList {
	k, ferr := v.lookup(obj)
	if ferr != nil {
		return field.ErrorList{ferr}
	}
	return k.validate(obj)
}

// ValidateUpdate checks newObj as a replacement of oldObj: besides what
// Validate checks, immutable metadata and CEL transition rules (oldSelf),
// with ratcheting, so a field the update leaves unchanged is not rejected
// by a rule it already broke. As in kube-apiserver, newObj must carry a
// metadata.resourceVersion; an unconditional update copies in the stored one.
func (v *Validator) ValidateUpdate(newObj, oldObj map[string]any) field.ErrorList {
	k, ferr := v.lookup(newObj)
	if ferr != nil {
		return field.ErrorList{ferr}
	}
	return k.validateUpdate(newObj, oldObj)
}

// ValidateStatusUpdate checks a write to the status subresource: newObj is
// oldObj with only its status replaced.
func (v *Validator) ValidateStatusUpdate(newObj, oldObj map[string]any) field.ErrorList {
	k, ferr := v.lookup(newObj)
	if ferr != nil {
		return field.ErrorList{ferr}
	}
	return k.validateStatusUpdate(newObj, oldObj)
}

// Default sets the defaults the kind's schema declares, in place.
func (v *Validator) Default(obj map[string]any) error {
	k, ferr := v.lookup(obj)
	if ferr != nil {
		return ferr
	}
	k.applyDefaults(obj)
	return nil
}

// Prune drops, in place, the fields obj's schema does not declare and
// returns their paths, as the API server's decoder does. Callers decide, as
// the server does by fieldValidation, whether those are errors
// (UnknownFieldsError), warnings, or ignored. It fails only on metadata
// that cannot be decoded at all.
func (v *Validator) Prune(obj map[string]any) ([]string, error) {
	k, ferr := v.lookup(obj)
	if ferr != nil {
		return nil, ferr
	}
	return k.coerce(obj)
}

// Result is what the API server's write path makes of an object.
type Result struct {
	// Object is the object as it would be stored: a pruned, defaulted copy
	// of the input. It is nil when Errors is not empty.
	Object map[string]any
	// UnknownFields are the paths of dropped fields the schema does not declare.
	UnknownFields []string
	// Errors are the validation errors; see StatusFor.
	Errors field.ErrorList
}

// Create runs the API server's create path on a copy of obj: drop unknown
// fields, apply defaults, drop status if the kind has a status subresource,
// validate. The error is for objects the server could not even decode
// (malformed metadata); it answers those with 400 Bad Request.
func (v *Validator) Create(obj map[string]any) (Result, error) {
	return v.create(obj, true)
}

// CreateInPlace is Create for a caller that hands obj over, typically one it
// has just decoded: obj itself is pruned and defaulted and becomes
// Result.Object, which saves copying it. After a rejection or an error, obj
// is left in an unspecified state.
func (v *Validator) CreateInPlace(obj map[string]any) (Result, error) {
	return v.create(obj, false)
}

func (v *Validator) create(obj map[string]any, copyObj bool) (Result, error) {
	k, ferr := v.lookup(obj)
	if ferr != nil {
		return Result{Errors: field.ErrorList{ferr}}, nil
	}
	if copyObj {
		obj = k8sruntime.DeepCopyJSON(obj)
	}
	if c, ok := k.(creator); ok {
		unknown, errs, err := c.create(obj)
		if err != nil {
			return Result{}, err
		}
		return result(obj, unknown, errs), nil
	}
	unknown, err := decode(k, obj)
	if err != nil {
		return Result{}, err
	}
	k.prepareForCreate(obj)
	return result(obj, unknown, k.validate(obj)), nil
}

// creator is a kind with its own create path, which gives the results of
// the steps (coerce, applyDefaults, prepareForCreate, validate) at a lower
// cost.
type creator interface {
	create(obj map[string]any) (unknown []string, errs field.ErrorList, err error)
}

// Update is Create for a replacement of the stored oldObj: status is kept
// from oldObj when the kind has a status subresource, and ValidateUpdate's
// rules apply.
func (v *Validator) Update(newObj, oldObj map[string]any) (Result, error) {
	return v.update(newObj, oldObj, true)
}

// UpdateInPlace is Update taking newObj over, as CreateInPlace does obj;
// oldObj is only read.
func (v *Validator) UpdateInPlace(newObj, oldObj map[string]any) (Result, error) {
	return v.update(newObj, oldObj, false)
}

func (v *Validator) update(newObj, oldObj map[string]any, copyObj bool) (Result, error) {
	k, ferr := v.lookup(newObj)
	if ferr != nil {
		return Result{Errors: field.ErrorList{ferr}}, nil
	}
	if copyObj {
		newObj = k8sruntime.DeepCopyJSON(newObj)
	}
	unknown, err := decode(k, newObj)
	if err != nil {
		return Result{}, err
	}
	k.prepareForUpdate(newObj, oldObj)
	return result(newObj, unknown, k.validateUpdate(newObj, oldObj)), nil
}

// decode prunes and defaults obj in place, as the server's decoder does.
func decode(k kindValidator, obj map[string]any) ([]string, error) {
	unknown, err := k.coerce(obj)
	if err != nil {
		return nil, err
	}
	k.applyDefaults(obj)
	return unknown, nil
}

func result(obj map[string]any, unknown []string, errs field.ErrorList) Result {
	if len(errs) > 0 {
		obj = nil
	}
	return Result{Object: obj, UnknownFields: unknown, Errors: errs}
}
