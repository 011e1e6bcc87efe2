package resource

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	sigsjson "sigs.k8s.io/json"
)

// decodeMap sets dst, a pointer to a new (zero) struct, from obj exactly
// as sigsjson.UnmarshalStrict(marshalJSON(obj), dst) does when that
// succeeds with no strict error, without printing and parsing the JSON:
// every valid object is decoded this way into its Go type after
// validation. It reports false, leaving dst unusable, where the JSON
// decode could fail (an unknown field, a wrong type, a number out of
// range) or where it is not sure; the caller then decodes the JSON.
//
// Structs, pointers, slices, maps with string keys, strings, bools and
// integers are set directly, as encoding/json sets them; every other type
// (one with its own UnmarshalJSON or UnmarshalText, interfaces, floats,
// byte slices, a struct whose fields encoding/json might resolve in some
// other way) is decoded from its own JSON by UnmarshalStrict, which is
// what the whole decode does with that part of the document.
func decodeMap(obj map[string]any, dst any) bool {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	p := planOf(v.Type().Elem())
	if p.kind != planStruct {
		return false
	}
	return p.set(v.Elem(), obj)
}

type planKind uint8

const (
	planJSON planKind = iota // decode the part's own JSON
	planStruct
	planPointer
	planSlice
	planMap
	planString
	planBool
	planInt
	planUint
)

// typePlan says how to set a value of one Go type.
type typePlan struct {
	kind   planKind
	typ    reflect.Type
	elem   *typePlan            // planPointer, planSlice, planMap
	fields map[string]fieldPlan // planStruct, by JSON name
}

type fieldPlan struct {
	index []int
	plan  *typePlan
}

var (
	plansMu sync.Mutex
	plans   sync.Map // reflect.Type -> *typePlan, complete
)

func planOf(t reflect.Type) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	building := map[reflect.Type]*typePlan{}
	p := buildPlan(t, building)
	for t, bp := range building {
		plans.Store(t, bp)
	}
	return p
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// hasOwnDecoding reports whether encoding/json would call a method of t
// or *t to decode it.
func hasOwnDecoding(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || t.Implements(textUnmarshaler) ||
		pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler)
}

// buildPlan makes t's plan; building holds the plans made so far in this
// call (recursive types refer to their own, not yet complete, plan).
func buildPlan(t reflect.Type, building map[reflect.Type]*typePlan) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &typePlan{typ: t}
	building[t] = p
	if hasOwnDecoding(t) {
		return p
	}
	switch t.Kind() {
	case reflect.Struct:
		if fields, ok := structFields(t, building); ok {
			p.kind, p.fields = planStruct, fields
		}
	case reflect.Pointer:
		if t.Name() == "" {
			p.kind, p.elem = planPointer, buildPlan(t.Elem(), building)
		}
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 { // []byte is base64 in JSON
			p.kind, p.elem = planSlice, buildPlan(t.Elem(), building)
		}
	case reflect.Map:
		if k := t.Key(); k.Kind() == reflect.String && !hasOwnDecoding(k) {
			p.kind, p.elem = planMap, buildPlan(t.Elem(), building)
		}
	case reflect.String:
		p.kind = planString
	case reflect.Bool:
		p.kind = planBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = planInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p.kind = planUint
	}
	return p
}

// structFields maps the JSON names of t's fields to them, as
// encoding/json does for the plain cases: exported fields named by their
// tag or Go name, fields of embedded structs promoted. ok is false for
// anything else (",string", embedded pointers or non-structs, a name
// used twice, an unusual tag), which is left to encoding/json.
func structFields(t reflect.Type, building map[reflect.Type]*typePlan) (map[string]fieldPlan, bool) {
	fields := map[string]fieldPlan{}
	var add func(t reflect.Type, index []int) bool
	add = func(t reflect.Type, index []int) bool {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if opts != "" && !onlyOptions(opts, "omitempty", "omitzero", "inline") {
				return false
			}
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && name == "" {
				if !sf.IsExported() || sf.Type.Kind() != reflect.Struct || !add(sf.Type, idx) {
					return false
				}
				continue
			}
			if !sf.IsExported() {
				if sf.Anonymous {
					return false
				}
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if _, dup := fields[name]; dup || !plainName(name) {
				return false
			}
			fields[name] = fieldPlan{index: idx, plan: buildPlan(sf.Type, building)}
		}
		return true
	}
	return fields, add(t, nil)
}

func onlyOptions(opts string, allowed ...string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if !slices.Contains(allowed, o) {
			return false
		}
	}
	return true
}

// plainName reports whether a JSON name is one encoding/json takes as
// written.
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// set sets v, a zero value of p.typ, from x.
func (p *typePlan) set(v reflect.Value, x any) bool {
	if p.kind == planJSON {
		return setFromJSON(v, x)
	}
	if x == nil {
		// JSON null leaves a struct, string, number or bool as it is, and
		// sets a pointer, slice or map to nil: v is zero already.
		return true
	}
	switch p.kind {
	case planStruct:
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		for k, e := range m {
			f, ok := p.fields[k]
			if !ok || !f.plan.set(v.FieldByIndex(f.index), e) {
				return false
			}
		}
		return true
	case planPointer:
		nv := reflect.New(p.typ.Elem())
		v.Set(nv)
		return p.elem.set(nv.Elem(), x)
	case planSlice:
		s, ok := x.([]any)
		if !ok {
			return false
		}
		sv := reflect.MakeSlice(p.typ, len(s), len(s))
		for i, e := range s {
			if !p.elem.set(sv.Index(i), e) {
				return false
			}
		}
		v.Set(sv)
		return true
	case planMap:
		return p.setMap(v, x)
	case planString:
		s, ok := x.(string)
		if !ok || !utf8.ValidString(s) {
			return false
		}
		v.SetString(s)
		return true
	case planBool:
		b, ok := x.(bool)
		if ok {
			v.SetBool(b)
		}
		return ok
	case planInt:
		n, ok := x.(int64)
		if !ok || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case planUint:
		n, ok := x.(int64)
		if !ok || n < 0 || v.OverflowUint(uint64(n)) {
			return false
		}
		v.SetUint(uint64(n))
		return true
	}
	return false
}

func (p *typePlan) setMap(v reflect.Value, x any) bool {
	m, ok := x.(map[string]any)
	if !ok {
		return false
	}
	mv := reflect.MakeMapWithSize(p.typ, len(m))
	kt, et := p.typ.Key(), p.typ.Elem()
	for k, e := range m {
		if !utf8.ValidString(k) {
			return false
		}
		ev := reflect.New(et).Elem()
		if !p.elem.set(ev, e) {
			return false
		}
		mv.SetMapIndex(reflect.ValueOf(k).Convert(kt), ev)
	}
	v.Set(mv)
	return true
}

// setFromJSON decodes x's JSON into v as the whole decode would: through
// a pointer to v, which encoding/json treats as it treats v in place.
func setFromJSON(v reflect.Value, x any) bool {
	js, err := appendMarshaled(nil, x)
	if err != nil || !v.CanAddr() {
		return false
	}
	strictErrs, err := sigsjson.UnmarshalStrict(js, v.Addr().Interface())
	return err == nil && len(strictErrs) == 0
}
