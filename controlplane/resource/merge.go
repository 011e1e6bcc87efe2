package resource

import (
	"fmt"
	"reflect"
)

// Key identifies an object within a Resources: two objects with the same Key
// are the same object defined twice.
type Key struct {
	Kind      string
	Namespace string // empty for cluster-scoped kinds
	Name      string
}

// String renders "HTTPRoute default/foo", or "GatewayClass eg".
func (k Key) String() string {
	if k.Namespace == "" {
		return k.Kind + " " + k.Name
	}
	return k.Kind + " " + k.Namespace + "/" + k.Name
}

// KeyOf returns the Key of obj, which must be of a kind Resources holds.
func KeyOf(obj Object) Key {
	return Key{Kind: kindName(obj), Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// kindName finds obj's kind from its Go type, so that objects built in code
// without TypeMeta still have one.
func kindName(obj Object) string {
	if k, ok := kindByType[reflect.TypeOf(obj)]; ok {
		return k
	}
	return obj.GetObjectKind().GroupVersionKind().Kind
}

var kindByType = func() map[reflect.Type]string {
	m := map[reflect.Type]string{}
	for i := range kinds {
		m[reflect.TypeOf(kinds[i].newObject())] = kinds[i].kind
	}
	return m
}()

// Walk calls fn for every object, kind by kind in a fixed order, until fn
// returns false.
func (r *Resources) Walk(fn func(Key, Object) bool) {
	for i := range kinds {
		ki := &kinds[i]
		stop := false
		ki.each(r, func(o Object) bool {
			stop = !fn(Key{Kind: ki.kind, Namespace: o.GetNamespace(), Name: o.GetName()}, o)
			return !stop
		})
		if stop {
			return
		}
	}
}

// Len returns the number of objects.
func (r *Resources) Len() int {
	n := 0
	for i := range kinds {
		n += kinds[i].count(r)
	}
	return n
}

// Sort orders every slice by namespace, then name, so that consumers see the
// same order whatever order the objects arrived in.
func (r *Resources) Sort() {
	for i := range kinds {
		kinds[i].sort(r)
	}
}

// DeepCopy returns a copy that shares no memory with r.
func (r *Resources) DeepCopy() *Resources {
	if r == nil {
		return nil
	}
	out := &Resources{}
	for i := range kinds {
		ki := &kinds[i]
		ki.each(r, func(o Object) bool {
			ki.add(out, o.DeepCopyObject().(Object))
			return true
		})
	}
	return out
}

// Merge appends the objects of other that r does not hold yet (by Key) and
// returns the Keys it left out because r already had them: the first
// definition wins. The objects are shared, not copied.
func (r *Resources) Merge(other *Resources) []Key {
	if other == nil {
		return nil
	}
	have := map[Key]struct{}{}
	r.Walk(func(k Key, _ Object) bool {
		have[k] = struct{}{}
		return true
	})
	return r.merge(other, have)
}

func (r *Resources) merge(other *Resources, have map[Key]struct{}) []Key {
	var dups []Key
	for i := range kinds {
		ki := &kinds[i]
		ki.each(other, func(o Object) bool {
			k := Key{Kind: ki.kind, Namespace: o.GetNamespace(), Name: o.GetName()}
			if _, dup := have[k]; dup {
				dups = append(dups, k)
				return true
			}
			have[k] = struct{}{}
			ki.add(r, o)
			return true
		})
	}
	return dups
}

// Part is the Resources of one source (a file, say), for Union.
type Part struct {
	Source    string
	Resources *Resources
}

// DuplicateError reports an object defined by more than one source.
type DuplicateError struct {
	Key Key
	// Source is where the ignored definition is; First is where the one in
	// force is.
	Source, First string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s: %s is already defined in %s; this definition is ignored", e.Source, e.Key, e.First)
}

// Union merges parts in order; an object defined by several parts is taken
// from the first, and each later definition is reported. The result is
// sorted. Objects are shared with the parts, not copied.
func Union(parts ...Part) (*Resources, []error) {
	out := &Resources{}
	firstIn := map[Key]string{}
	have := map[Key]struct{}{}
	var errs []error
	for i, p := range parts {
		for _, k := range out.merge(p.Resources, have) {
			first, ok := firstIn[k]
			if !ok {
				first = p.Source
			}
			errs = append(errs, &DuplicateError{Key: k, Source: p.Source, First: first})
		}
		// Only a later part's duplicates look up where a key was first.
		if p.Resources != nil && i < len(parts)-1 {
			p.Resources.Walk(func(k Key, _ Object) bool {
				if _, ok := firstIn[k]; !ok {
					firstIn[k] = p.Source
				}
				return true
			})
		}
	}
	out.Sort()
	return out, errs
}
