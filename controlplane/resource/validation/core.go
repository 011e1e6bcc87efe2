package validation

import (
	"encoding/json"
	"reflect"
	"strings"

	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// coreKind validates a built-in Kubernetes kind. kube-apiserver's own
// validation for these lives in k8s.io/kubernetes, which cannot be imported;
// so this checks the metadata exactly as the server does and, per kind, the
// required fields the control plane relies on, with the server's messages.
type coreKind[T any, PT interface {
	*T
	metav1.Object
}] struct {
	gvk        schema.GroupVersionKind
	namespaced bool
	nameFn     apimachineryvalidation.ValidateNameFunc
	spec       func(PT) field.ErrorList // nil: metadata only
	defaults   func(PT)                 // nil: none
	// jsonDecode is whether T may be decoded through JSON rather than by
	// the converter (see jsonTypeOK); set by setup.
	jsonDecode bool
}

func (k *coreKind[T, PT]) setup() {
	k.jsonDecode = jsonTypeOK(reflect.TypeFor[T](), map[reflect.Type]bool{})
}

func (k *coreKind[T, PT]) kind() schema.GroupVersionKind { return k.gvk }

func (k *coreKind[T, PT]) isNamespaced() bool { return k.namespaced }

func (k *coreKind[T, PT]) hasStatusSubresource() bool { return false }

// decode converts obj to the typed object; unknown lists the fields the
// type does not declare, which the server's decoder drops.
func (k *coreKind[T, PT]) decode(obj map[string]any) (PT, []string, error) {
	if k.jsonDecode {
		if t, ok := decodeJSON[T](obj); ok {
			return PT(t), nil, nil
		}
	}
	return k.decodeConverter(obj)
}

func (k *coreKind[T, PT]) decodeConverter(obj map[string]any) (typed PT, unknown []string, err error) {
	typed = PT(new(T))
	err = runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj, typed, true)
	if strict, ok := runtime.AsStrictDecodingError(err); ok {
		for _, e := range strict.Errors() {
			unknown = append(unknown, unknownFieldPath(e.Error()))
		}
		err = nil
	}
	if err != nil {
		err = explainDecodeError[T](obj, err)
	}
	return typed, unknown, err
}

// explainDecodeError swaps the converter's terse "unrecognized type: string"
// for encoding/json's message, which names the field and both types.
func explainDecodeError[T any](obj map[string]any, err error) error {
	data, jerr := json.Marshal(obj)
	if jerr != nil {
		return err
	}
	var probe T
	if jerr := json.Unmarshal(data, &probe); jerr != nil {
		return jerr
	}
	return err
}

func (k *coreKind[T, PT]) coerce(obj map[string]any) ([]string, error) {
	typed, unknown, err := k.decode(obj)
	if err != nil {
		return nil, err
	}
	if len(unknown) == 0 {
		return nil, nil
	}
	return unknown, k.store(obj, typed)
}

// store replaces obj's content with typed's, as the server's re-encoding
// does, leaving out the zero creationTimestamp that a stored object would
// have had set.
func (k *coreKind[T, PT]) store(obj map[string]any, typed PT) error {
	out, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
	if err != nil {
		return err
	}
	if meta, ok := out["metadata"].(map[string]any); ok && meta["creationTimestamp"] == nil {
		delete(meta, "creationTimestamp")
	}
	clear(obj)
	for key, v := range out {
		obj[key] = v
	}
	return nil
}

func (k *coreKind[T, PT]) applyDefaults(obj map[string]any) {
	if k.defaults == nil {
		return
	}
	typed, _, err := k.decode(obj)
	if err != nil {
		return // Validate reports it.
	}
	k.defaults(typed)
	_ = k.store(obj, typed)
}

// create is coerce, applyDefaults, prepareForCreate and validate in one
// piece: those each decode obj to T, and the typed object decoded once
// serves them all. What coerce and applyDefaults store is T re-encoded;
// decoded again, it differs from T only where the encoding loses something
// (a timestamp's fraction of a second; an empty list, which becomes none),
// and the create checks read neither (no timestamp; lists by their items):
// see TestCoreCreateEqualsSteps. Update is left to the steps: its checks
// compare timestamps with the stored object's.
func (k *coreKind[T, PT]) create(obj map[string]any) (unknown []string, errs field.ErrorList, err error) {
	typed, unknown, err := k.decode(obj)
	if err != nil {
		return nil, nil, err
	}
	if k.defaults != nil {
		k.defaults(typed)
	}
	if len(unknown) > 0 || k.defaults != nil {
		if err := k.store(obj, typed); err != nil {
			return nil, nil, err
		}
	}
	return unknown, k.validateTyped(obj, typed), nil
}

func (k *coreKind[T, PT]) prepareForCreate(map[string]any)      {}
func (k *coreKind[T, PT]) prepareForUpdate(_, _ map[string]any) {}
func (k *coreKind[T, PT]) validateStatusUpdate(n, o map[string]any) field.ErrorList {
	return k.validateUpdate(n, o)
}

func (k *coreKind[T, PT]) validate(obj map[string]any) field.ErrorList {
	typed, errs := k.typed(obj)
	if typed == nil {
		return errs
	}
	return k.validateDecoded(typed)
}

// validateTyped is validate for typed, obj already decoded.
func (k *coreKind[T, PT]) validateTyped(obj map[string]any, typed PT) field.ErrorList {
	if errs := typeMetaErrors(k.gvk, obj); len(errs) > 0 {
		return errs
	}
	return k.validateDecoded(typed)
}

func (k *coreKind[T, PT]) validateDecoded(typed PT) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaAccessor(typed, k.namespaced, k.nameFn, field.NewPath("metadata"))
	if k.spec != nil {
		errs = append(errs, k.spec(typed)...)
	}
	return errs
}

func (k *coreKind[T, PT]) validateUpdate(newObj, oldObj map[string]any) field.ErrorList {
	typed, errs := k.typed(newObj)
	if typed == nil {
		return errs
	}
	old, oldErrs := k.typed(oldObj)
	if old == nil {
		return oldErrs
	}
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessorUpdate(typed, old, field.NewPath("metadata"))...)
	if k.spec != nil {
		errs = append(errs, k.spec(typed)...)
	}
	return errs
}

// typed checks apiVersion and kind and decodes; a nil result means the
// object cannot be validated further.
func (k *coreKind[T, PT]) typed(obj map[string]any) (PT, field.ErrorList) {
	if errs := typeMetaErrors(k.gvk, obj); len(errs) > 0 {
		return nil, errs
	}
	typed, _, err := k.decode(obj)
	if err != nil {
		return nil, field.ErrorList{field.Invalid(nil, nil, err.Error())}
	}
	return typed, nil
}

// unknownFieldPath turns the converter's `unknown field "spec.x"` back into
// the path.
func unknownFieldPath(msg string) string {
	return strings.TrimSuffix(strings.TrimPrefix(msg, `unknown field "`), `"`)
}

// ready: a core kind is built by New.
func (k *coreKind[T, PT]) ready() error { return nil }
