// PATCHED (third_party/README.md): this file is not upstream.

package listtype

import (
	"sync/atomic"

	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
)

// Almost every object has no duplicate in its sets and maps, and then
// ValidateListSetsAndMaps returns nil, having built a field.Path for every
// object and array on the way. The functions here make the same checks on
// the same values without paths, and stop at the first error;
// ValidateListSetsAndMaps runs the walk with paths only when they find one,
// so its errors are those of the unchanged code.

// quickOff counts the DisableQuickCheck calls not yet undone.
var quickOff atomic.Int32

// DisableQuickCheck makes ValidateListSetsAndMaps walk with paths, as
// upstream does, until the returned function is called. It is for tests
// that compare the two.
func DisableQuickCheck() (restore func()) {
	quickOff.Add(1)
	return func() { quickOff.Add(-1) }
}

// objectHasListErrors is whether validateListSetsAndMaps(_, s, obj) would
// return errors.
func objectHasListErrors(s *schema.Structural, obj map[string]interface{}) bool {
	if s == nil || obj == nil {
		return false
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Structural != nil {
		for _, v := range obj {
			if valueHasListErrors(s.AdditionalProperties.Structural, v) {
				return true
			}
		}
	}
	if s.Properties != nil {
		for k, v := range obj {
			if isContainer(v) && propertyHasListErrors(s, k, v) {
				return true
			}
		}
	}
	return false
}

// propertyHasListErrors checks the property k, if s declares it. It is
// not part of the loop in objectHasListErrors (nor inlined there) so that
// the copy of the property's schema can stay on the stack: escape analysis
// moves a variable of a loop whose address reaches a recursive call to the
// heap.
//
//go:noinline
func propertyHasListErrors(s *schema.Structural, k string, v interface{}) bool {
	sub, ok := s.Properties[k]
	return ok && valueHasListErrors(&sub, v)
}

// valueHasListErrors is whether validationListSetAndMaps would return errors.
func valueHasListErrors(s *schema.Structural, obj interface{}) bool {
	switch obj := obj.(type) {
	case []interface{}:
		return arrayHasListErrors(s, obj)
	case map[string]interface{}:
		return objectHasListErrors(s, obj)
	}
	return false
}

// arrayHasListErrors is whether validateListSetsAndMapsArray would return
// errors. The set and map checks are the same functions; the path they
// are given only goes into the errors they report.
func arrayHasListErrors(s *schema.Structural, obj []interface{}) bool {
	if s.XListType != nil {
		switch *s.XListType {
		case "set":
			if nonUnique, err := validateListSet(nil, obj); err != nil || len(nonUnique) > 0 {
				return true
			}
		case "map":
			if len(validateListMap(nil, s, obj)) > 0 {
				return true
			}
		}
	}
	if s.Items != nil {
		for i := range obj {
			if valueHasListErrors(s.Items, obj[i]) {
				return true
			}
		}
	}
	return false
}
