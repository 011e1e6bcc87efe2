package validation

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsjson "sigs.k8s.io/json"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// The reflection converter (runtime.DefaultUnstructuredConverter) costs
// two to three times what encoding the map as JSON and decoding that does,
// which is how the API server itself decodes the core kinds. The two agree
// on what the JSON path takes (TestCoreCreateEqualsSteps compares the
// results on random objects); elsewhere they can differ (the converter wraps an int64
// that overflows an int32 field, JSON rejects it; JSON turns bad UTF-8
// into U+FFFD), so that goes to the converter:
//   - a map holding anything but objects, arrays, strings that are UTF-8,
//     int64s, bools and nulls;
//   - any JSON error or unknown field;
//   - a type with a field the two would treat apart: see jsonTypeOK.

// jsonCustom are the types with their own JSON unmarshalling that the JSON
// path accepts: both decoders hand their UnmarshalJSON the same text (what
// resource.AppendPlainJSON writes is what json.Marshal would, which the converter uses).
var jsonCustom = map[reflect.Type]bool{
	reflect.TypeFor[metav1.Time]():        true,
	reflect.TypeFor[metav1.FieldsV1]():    true,
	reflect.TypeFor[intstr.IntOrString](): true,
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// jsonTypeOK reports whether every type reachable from t decodes the same
// through JSON as through the converter: no interfaces, no ",string"
// fields, no unexported fields, no embedded pointers (JSON allocates one
// only for a field of it that is set), no custom unmarshalling but
// jsonCustom's.
func jsonTypeOK(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	if jsonCustom[t] {
		return true
	}
	p := reflect.PointerTo(t)
	for _, i := range []reflect.Type{jsonUnmarshaler, textUnmarshaler} {
		if t.Implements(i) || p.Implements(i) {
			return t.Kind() == reflect.Pointer && jsonCustom[t.Elem()]
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Pointer ||
				strings.Contains(f.Tag.Get("json"), ",string") || !jsonTypeOK(f.Type, seen) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return jsonTypeOK(t.Elem(), seen)
	case reflect.Map:
		return t.Key().Kind() == reflect.String && jsonTypeOK(t.Key(), seen) && jsonTypeOK(t.Elem(), seen)
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// decodeJSON is decode through JSON; ok is false when it has to be left to
// the converter (see above).
func decodeJSON[T any](obj map[string]any) (_ *T, ok bool) {
	data, ok := resource.AppendPlainJSON(make([]byte, 0, 512), obj)
	if !ok {
		return nil, false
	}
	typed := new(T)
	if strictErrs, err := sigsjson.UnmarshalStrict(data, typed); err != nil || len(strictErrs) > 0 {
		return nil, false
	}
	return typed, true
}
