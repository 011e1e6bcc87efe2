package resource

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// UnknownFieldsValidator is a Validator that also says which fields of the
// object it dropped because its schema does not declare them (the CRD
// validator prunes them, as the API server does). With one, the decoder
// checks a valid object with one strict decode instead of two: see
// validatedFirst.
type UnknownFieldsValidator interface {
	Validator
	// ValidateUnknown is Validate, also returning the paths of the
	// fields it dropped as unknown.
	ValidateUnknown(obj map[string]any) (out map[string]any, unknown []string, errs field.ErrorList)
}

// validatedFirst is typed's shortcut for an object with no problem, nearly
// every object of a large manifest: it validates *m, the object as
// written, and strictly decodes only what the Validator returns, where
// the straightforward path first strictly decodes the object as written
// to report unknown fields and wrong types, then validates, then decodes
// the Validator's output. The decoded object is the same: both decode
// that output, from the same *m (apiVersion, kind and namespace set
// alike). The first strict decode could only have failed where the
// shortcut gives up (ok false, nothing reported) and leaves the object
// to the straightforward path:
//   - an unknown field, which the Validator prunes and reports;
//   - a wrong type in a field that the Validator keeps: the decode of
//     its output fails on it too;
//   - a wrong type in a field that the Validator drops without telling:
//     status (dropped on create), so an object with status is not taken;
//     metadata.namespace, which the shortcut reads from *m; and null
//     values, which never fail to decode;
//   - any Validator error.
//
// The Validator changes *m in place, so *m is set to nil once handed over.
func (st *decodeState) validatedFirst(ki *kindInfo, m *map[string]any) (Object, bool) {
	v, ok := st.dec.Validator.(UnknownFieldsValidator)
	obj := *m
	if !ok || obj == nil {
		return nil, false
	}
	if _, has := obj["status"]; has {
		return nil, false
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return nil, false
	}
	ns, ok := stringOrNull(meta["namespace"])
	if !ok {
		return nil, false
	}
	*m = nil
	obj["apiVersion"], obj["kind"] = ki.apiVersion(), ki.kind
	if ki.namespaced {
		if ns == "" {
			ns = DefaultNamespace
		}
		meta["namespace"] = ns
	}
	out, unknown, errs := v.ValidateUnknown(obj)
	if len(errs) > 0 || len(unknown) > 0 || out == nil {
		return nil, false
	}
	return decodeOutput(ki, out)
}
