package resource

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func newRoute(ns, name string, host gwapiv1.Hostname) *gwapiv1.HTTPRoute {
	return &gwapiv1.HTTPRoute{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       gwapiv1.HTTPRouteSpec{Hostnames: []gwapiv1.Hostname{host}},
	}
}

func TestMergeFirstWins(t *testing.T) {
	a := &Resources{HTTPRoutes: []*gwapiv1.HTTPRoute{newRoute("x", "r", "first.example")}}
	b := &Resources{
		HTTPRoutes: []*gwapiv1.HTTPRoute{newRoute("x", "r", "second.example"), newRoute("y", "r", "y.example")},
		Namespaces: []*corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "x"}}},
	}
	dups := a.Merge(b)
	if !slices.Equal(dups, []Key{{Kind: KindHTTPRoute, Namespace: "x", Name: "r"}}) {
		t.Errorf("dups = %v", dups)
	}
	if got := keysOf(a); !slices.Equal(got, []string{"HTTPRoute x/r", "HTTPRoute y/r", "Namespace x"}) {
		t.Errorf("merged = %q", got)
	}
	if a.HTTPRoutes[0].Spec.Hostnames[0] != "first.example" {
		t.Errorf("the second definition replaced the first")
	}
}

func TestUnionReportsDuplicates(t *testing.T) {
	p1 := Part{"a.yaml", &Resources{HTTPRoutes: []*gwapiv1.HTTPRoute{newRoute("x", "r", "a.example")}}}
	p2 := Part{"b.yaml", &Resources{HTTPRoutes: []*gwapiv1.HTTPRoute{newRoute("x", "r", "b.example"), newRoute("a", "z", "z.example")}}}
	res, errs := Union(p1, p2)
	if len(errs) != 1 {
		t.Fatalf("errs = %v", errs)
	}
	var de *DuplicateError
	if !errors.As(errs[0], &de) || de.First != "a.yaml" || de.Source != "b.yaml" {
		t.Fatalf("err = %#v", errs[0])
	}
	if errs[0].Error() != "b.yaml: HTTPRoute x/r is already defined in a.yaml; this definition is ignored" {
		t.Errorf("message: %s", errs[0])
	}
	// Union sorts: a/z before x/r.
	if got := keysOf(res); !slices.Equal(got, []string{"HTTPRoute a/z", "HTTPRoute x/r"}) {
		t.Errorf("union = %q", got)
	}
	if res.HTTPRoutes[1].Spec.Hostnames[0] != "a.example" {
		t.Errorf("first definition lost")
	}
}

func TestSort(t *testing.T) {
	r := &Resources{HTTPRoutes: []*gwapiv1.HTTPRoute{newRoute("b", "a", ""), newRoute("a", "b", ""), newRoute("a", "a", "")}}
	r.Sort()
	if got := keysOf(r); !slices.Equal(got, []string{"HTTPRoute a/a", "HTTPRoute a/b", "HTTPRoute b/a"}) {
		t.Errorf("sorted = %q", got)
	}
}

// TestDeepCopy copies a decoded sample of every kind, checks that the copy
// is equal, and that changing the copy leaves the original alone.
func TestDeepCopy(t *testing.T) {
	orig, _, errs := LoadFiles("testdata/decode/mixed.in.yaml")
	if len(errs) != 2 { // the two mistakes the file holds on purpose
		t.Fatalf("errs = %v", errs)
	}
	for i := range kinds {
		if kinds[i].count(orig) == 0 {
			t.Fatalf("sample has no %s", kinds[i].kind)
		}
	}
	cp := orig.DeepCopy()
	if !reflect.DeepEqual(orig, cp) {
		t.Fatal("copy differs")
	}
	cp.Walk(func(_ Key, o Object) bool {
		o.SetLabels(map[string]string{"changed": "yes"})
		o.SetName("changed")
		return true
	})
	cp.Backends[0].Spec.Endpoints[0].Address = "changed:1"
	orig.Walk(func(k Key, o Object) bool {
		if o.GetName() == "changed" || o.GetLabels()["changed"] != "" {
			t.Errorf("%s changed with its copy", k)
		}
		return true
	})
	if orig.Backends[0].Spec.Endpoints[0].Address == "changed:1" {
		t.Error("Backend endpoints shared with the copy")
	}
}

func TestKeyOfWithoutTypeMeta(t *testing.T) {
	if k := KeyOf(&Backend{ObjectMeta: metav1.ObjectMeta{Namespace: "n", Name: "b"}}); k.String() != "Backend n/b" {
		t.Errorf("KeyOf = %v", k)
	}
	if k := KeyOf(&gwapiv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: "eg"}}); k.String() != "GatewayClass eg" {
		t.Errorf("KeyOf = %v", k)
	}
}
