package server

import (
	"reflect"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Every kind resource.Resources holds must be published, or objects of a
// kind added there would silently never reach the translator from here.
func TestTypedKindsCoverResources(t *testing.T) {
	have := map[reflect.Type]bool{}
	for gk, newObj := range typedKinds {
		obj := newObj()
		have[reflect.TypeOf(obj)] = true
		r := &resource.Resources{}
		if !r.Add(obj) || r.Len() != 1 {
			t.Errorf("%v: Resources does not hold %T", gk, obj)
		}
	}
	rt := reflect.TypeOf(resource.Resources{})
	for i := range rt.NumField() {
		f := rt.Field(i)
		if f.Type.Kind() != reflect.Slice {
			continue
		}
		if !have[f.Type.Elem()] {
			t.Errorf("Resources.%s (%s) is not in typedKinds", f.Name, f.Type.Elem())
		}
	}
}

// Every object a translation Result carries gets its status written: a
// route kind added to Result must not be silently dropped here.
func TestStatusWriterCoversResult(t *testing.T) {
	res := &gatewayapi.Result{}
	rv := reflect.ValueOf(res).Elem()
	fields := 0
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Pointer {
			continue
		}
		obj := reflect.New(f.Type().Elem().Elem())
		o, ok := obj.Interface().(resource.Object)
		if !ok {
			continue
		}
		o.SetName("x")
		o.SetUID("u")
		f.Set(reflect.Append(f, obj))
		fields++
	}
	w := newStatusWriter(NewAPI(nil, testValidator(t), APIOptions{}), e2eLogger())
	items := w.items(res)
	if len(items) != fields {
		t.Fatalf("Result has %d kinds of objects, the status writer handles %d", fields, len(items))
	}
	for _, it := range items {
		if it.key.Kind == "" {
			t.Errorf("no store key for an item: %+v", it)
		}
	}
}
