package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// randomJSON is a decoded JSON value (FromJSON's types) with the strings
// that trip scanners: quotes, backslashes, brackets, HTML characters and
// keys that name the members being looked for.
func randomJSON(r *rand.Rand, depth int) any {
	strs := []string{"", "status", "spec", `a"b`, `x\y`, "{[", "]}", ",:", "<&>", "é\u2028", `\"`, "\\"}
	switch n := r.IntN(9); {
	case depth > 3 || n < 2:
		return strs[r.IntN(len(strs))]
	case n == 2:
		return int64(r.IntN(2000) - 1000)
	case n == 3:
		return []any{1.5, 1e21, 0.1, -2.25}[r.IntN(4)]
	case n == 4:
		return []any{true, false, nil}[r.IntN(3)]
	case n == 5:
		out := []any{}
		for range r.IntN(4) {
			out = append(out, randomJSON(r, depth+1))
		}
		return out
	default:
		out := map[string]any{}
		for range r.IntN(5) {
			out[strs[r.IntN(len(strs))]+fmt.Sprint(r.IntN(3))] = randomJSON(r, depth+1)
		}
		return out
	}
}

func TestFindMemberAgreesWithDecoding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"status", "spec", "metadata", "apiVersion", "x"}
	for i := range 3000 {
		obj := map[string]any{}
		for _, n := range names {
			if r.IntN(2) == 0 {
				obj[n] = randomJSON(r, 0)
			}
		}
		if r.IntN(3) == 0 {
			obj[`st"atus`] = randomJSON(r, 0) // an escaped key never matches
		}
		data, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 { // indented too: the scanner must not rely on compactness
			var b bytes.Buffer
			_ = json.Indent(&b, data, "", "  ")
			data = b.Bytes()
		}
		for _, n := range names {
			m, ok := findMember(data, n)
			v, want := obj[n]
			if ok != want {
				t.Fatalf("%s in %s: found %v, want %v", n, data, ok, want)
			}
			if !ok {
				continue
			}
			enc, _ := json.Marshal(v)
			var got bytes.Buffer
			_ = json.Compact(&got, data[m.valueStart:m.end])
			if !bytes.Equal(got.Bytes(), enc) {
				t.Fatalf("%s in %s: value %s, want %s", n, data, data[m.valueStart:m.end], enc)
			}
			rest, err := validation.FromJSON(without(data, m))
			if err != nil {
				t.Fatalf("without %s of %s: %v", n, data, err)
			}
			wantRest := maps.Clone(obj)
			delete(wantRest, n)
			if !reflect.DeepEqual(rest, wantRest) {
				t.Fatalf("without %s of %s: %v, want %v", n, data, rest, wantRest)
			}
		}
	}
	for _, bad := range []string{`{"a":1,"b":2}x`[:12], `{"a":1 "b":2}`, `{,}`, "", "[]", `{"a"`, `{"a":`, `{"a":1`, `{"a":"x}`, `{"a":{"b":1}`, `{"a" 1}`, `"status"`} {
		if _, ok := findMember([]byte(bad), "status"); ok {
			t.Errorf("findMember(%q) found a member", bad)
		}
	}
}

// inserted must put a member where encoding the map with it would.
func TestInsertedEqualsEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	keys := []string{"apiVersion", "kind", "metadata", "spec", "stat", "statu", "statusX", "staé", "type", "zz", "Status"}
	for range 3000 {
		obj := map[string]any{}
		for _, k := range keys {
			if r.IntN(3) == 0 {
				obj[k] = randomJSON(r, 1)
			}
		}
		data, _ := json.Marshal(obj)
		st := randomJSON(r, 0)
		stJSON, _ := json.Marshal(st)
		got, ok := inserted(data, "status", stJSON)
		if !ok {
			t.Fatalf("not inserted into %s", data)
		}
		obj["status"] = st
		want, _ := json.Marshal(obj)
		if !bytes.Equal(got, want) {
			t.Fatalf("inserted into %s:\n%s\nwant\n%s", data, got, want)
		}
	}
	if _, ok := inserted([]byte(`{"a\u0062":1}`), "status", []byte("1")); ok {
		t.Error("inserted among keys with escapes, whose order the bytes do not tell")
	}
}

// The status write-back splices the new status into the stored bytes; it
// must store exactly what decoding, replacing and re-encoding stores.
func TestSplicedStatusEqualsReencoding(t *testing.T) {
	a := &API{}
	kinds := newKindTable(testValidator(t))
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range kinds.all {
		if !k.HasStatus {
			continue
		}
		for range 200 {
			obj := map[string]any{
				"apiVersion": k.GroupVersion().String(), "kind": k.Kind,
				"metadata": map[string]any{"name": "n", "uid": "u", "generation": int64(r.IntN(5)), "labels": randomJSON(r, 2)},
				"spec":     randomJSON(r, 0),
			}
			if r.IntN(4) > 0 {
				obj["status"] = randomJSON(r, 0)
			}
			value, err := encodeForStore(k, obj)
			if err != nil {
				t.Fatal(err)
			}
			o := store.Object{Key: k.key("ns", "n"), Value: value, Revision: int64(r.IntN(100) + 1)}
			var st map[string]any
			if old, ok := obj["status"].(map[string]any); ok && r.IntN(3) == 0 {
				st = old // unchanged: nothing to write
			} else if m, ok := randomJSON(r, 1).(map[string]any); ok {
				st = m
			} else {
				st = map[string]any{"conditions": []any{}}
			}
			want, werr := a.reencodedStatus(k, o, st)
			got, ok, gerr := splicedStatus(k, value, st)
			if !ok {
				t.Fatalf("%s: a stored value was not spliced: %s", k.Kind, value)
			}
			if !bytes.Equal(got, want) || (gerr == nil) != (werr == nil) {
				t.Fatalf("%s: stored %s, status %v:\nspliced    %s (%v)\nreencoded  %s (%v)", k.Kind, value, st, got, gerr, want, werr)
			}
		}
	}
}

// A value not in the stored form is left to the decoding path.
func TestSplicedStatusRefusesOtherForms(t *testing.T) {
	kinds := newKindTable(testValidator(t))
	k, err := kinds.forKind(schema.GroupVersionKind{Group: resource.GroupGatewayAPI, Version: "v1", Kind: resource.KindHTTPRoute})
	if err != nil {
		t.Fatal(err)
	}
	st := map[string]any{"parents": []any{}}
	for _, v := range []string{
		`{"apiVersion":"gateway.networking.k8s.io/v1beta1","kind":"HTTPRoute","metadata":{"name":"n"},"status":{}}`,
		`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"n","resourceVersion":"3"},"status":{}}`,
		`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"n"},"s\u0074":1}`,
	} {
		if _, ok, _ := splicedStatus(k, []byte(v), st); ok {
			t.Errorf("spliced %s", v)
		}
	}
}

// Status update functions get the stored object without its spec; apart
// from the spec it must decode as the whole value does.
func TestWithoutSpecDecodesAsWhole(t *testing.T) {
	route := &gwapiv1.HTTPRoute{}
	route.Name, route.Namespace, route.UID, route.Generation = "r", "ns", "uid-1", 7
	route.Spec.Hostnames = []gwapiv1.Hostname{"a.example.com"}
	route.Spec.ParentRefs = []gwapiv1.ParentReference{{Name: "gw"}}
	route.Status.Parents = []gwapiv1.RouteParentStatus{{ParentRef: gwapiv1.ParentReference{Name: "gw"}, ControllerName: "x/y"}}
	value, err := json.Marshal(route)
	if err != nil {
		t.Fatal(err)
	}
	gk := schema.GroupKind{Group: resource.GroupGatewayAPI, Kind: resource.KindHTTPRoute}
	whole, _, err := decodeTyped(gk, value)
	if err != nil {
		t.Fatal(err)
	}
	part, _, err := decodeTyped(gk, withoutSpec(value))
	if err != nil {
		t.Fatal(err)
	}
	if len(part.(*gwapiv1.HTTPRoute).Spec.Hostnames) != 0 {
		t.Fatal("the spec was decoded")
	}
	whole.(*gwapiv1.HTTPRoute).Spec = gwapiv1.HTTPRouteSpec{}
	if !reflect.DeepEqual(whole, part) {
		t.Fatalf("without the spec:\n%+v\nwant\n%+v", part, whole)
	}
}

// The publisher builds an object whose status alone changed from the
// cached one; it must equal decoding the new value.
func TestRestatusEqualsDecoding(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cond := func() metav1.Condition {
		return metav1.Condition{Type: []string{"Accepted", "Programmed"}[r.IntN(2)], Status: metav1.ConditionStatus([]string{"True", "False"}[r.IntN(2)]),
			Reason: "R", Message: fmt.Sprint(r.IntN(9)), ObservedGeneration: int64(r.IntN(3)), LastTransitionTime: metav1.Unix(int64(r.IntN(1e6)), 0)}
	}
	conds := func() []metav1.Condition {
		var out []metav1.Condition
		for range r.IntN(3) {
			out = append(out, cond())
		}
		return out
	}
	objects := []func() resource.Object{
		func() resource.Object {
			g := &gwapiv1.Gateway{Spec: gwapiv1.GatewaySpec{GatewayClassName: "c", Listeners: []gwapiv1.Listener{{Name: "http", Port: 80, Protocol: "HTTP"}}}}
			g.Status.Conditions = conds()
			for range r.IntN(2) {
				g.Status.Listeners = append(g.Status.Listeners, gwapiv1.ListenerStatus{Name: "http", AttachedRoutes: int32(r.IntN(5)), Conditions: conds(),
					SupportedKinds: []gwapiv1.RouteGroupKind{{Kind: "HTTPRoute"}}})
			}
			return g
		},
		func() resource.Object {
			h := &gwapiv1.HTTPRoute{Spec: gwapiv1.HTTPRouteSpec{Hostnames: []gwapiv1.Hostname{"a.example.com"}}}
			for range r.IntN(3) {
				h.Status.Parents = append(h.Status.Parents, gwapiv1.RouteParentStatus{ParentRef: gwapiv1.ParentReference{Name: "gw"}, ControllerName: "x/y", Conditions: conds()})
			}
			return h
		},
		func() resource.Object {
			s := &corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}
			if r.IntN(2) == 0 {
				s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "10.0.0.1"}}
			}
			return s
		},
	}
	for range 500 {
		mk := objects[r.IntN(len(objects))]
		r1 := r.Uint64()
		objA := mk()
		objA.SetName("n")
		objA.SetLabels(map[string]string{"a": fmt.Sprint(r1 % 3)})
		objB := mk() // another status; metadata and spec as objA's
		reflect.ValueOf(objB).Elem().FieldByName("Spec").Set(reflect.ValueOf(objA).Elem().FieldByName("Spec"))
		objB.SetName("n")
		objB.SetLabels(objA.GetLabels())
		gvk, ok := typedKindOf()[reflect.TypeOf(objA)]
		if !ok {
			t.Fatalf("%T is not a typed kind", objA)
		}
		valueA, valueB := storedJSON(t, objA), storedJSON(t, objB)
		prev, _, err := decodeTyped(gvk, valueA)
		if err != nil {
			t.Fatal(err)
		}
		specA, _ := splitStatus(valueA)
		specB, status := splitStatus(valueB)
		if status == nil {
			continue // an empty status is left out; the publisher decodes those
		}
		if specA != specB {
			t.Fatalf("values differ outside the status:\n%s\n%s", valueA, valueB)
		}
		got, ok := restatus(prev, status)
		if !ok {
			t.Fatalf("%T: no status field", prev)
		}
		want, _, err := decodeTyped(gvk, valueB)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("restatus:\n%+v\nwant\n%+v", got, want)
		}
	}
	if _, ok := restatus(&corev1.ConfigMap{}, []byte(`{}`)); ok {
		t.Error("a ConfigMap has no status to replace")
	}
}

// storedJSON is obj in the form the store holds: a map's encoding.
func storedJSON(t *testing.T, obj any) []byte {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	m, err := validation.FromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A write's response is the stored bytes with resourceVersion spliced in;
// it must be what encoding the returned object gives.
func TestWriteResultEncodedEqualsMarshal(t *testing.T) {
	e := startEnv(t, envOptions{})
	r := rand.New(rand.NewPCG(9, 10))
	kinds := []schema.GroupVersionKind{
		{Group: resource.GroupGatewayAPI, Version: "v1", Kind: resource.KindHTTPRoute},
		{Group: resource.GroupGatewayAPI, Version: "v1", Kind: resource.KindGateway},
		{Group: "", Version: "v1", Kind: resource.KindService},
	}
	bodies := map[string]string{
		resource.KindHTTPRoute: `{"spec":{"hostnames":["a.example.com"],"rules":[{"backendRefs":[{"name":"s","port":80}]}]}}`,
		resource.KindGateway:   `{"spec":{"gatewayClassName":"c","listeners":[{"name":"http","port":80,"protocol":"HTTP"}]}}`,
		resource.KindService:   `{"spec":{"ports":[{"port":80}]}}`,
	}
	encoded := 0
	for i := range 60 {
		gvk := kinds[r.IntN(len(kinds))]
		k, err := e.srv.api.kinds.forKind(gvk)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := DecodeObject([]byte(bodies[gvk.Kind]), FormatJSON)
		if err != nil {
			t.Fatal(err)
		}
		md := map[string]any{}
		if r.IntN(2) == 0 {
			md["labels"] = map[string]any{"app": fmt.Sprint(r.IntN(3))}
		}
		if r.IntN(2) == 0 {
			md["annotations"] = map[string]any{"note": `a "quoted" \ <&> value`}
		}
		obj["metadata"] = md
		res, err := e.srv.api.writeMap(context.Background(), k, "ns", fmt.Sprintf("o%d", i%7), obj, false, WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.encoded == nil {
			continue
		}
		encoded++
		want, err := json.Marshal(res.Object.Object)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.encoded, want) {
			t.Fatalf("%s response:\n%s\nwant\n%s", gvk.Kind, res.encoded, want)
		}
	}
	if encoded == 0 {
		t.Fatal("no write was answered with the stored bytes")
	}
}
