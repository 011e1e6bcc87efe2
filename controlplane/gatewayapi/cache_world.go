package gatewayapi

import (
	"reflect"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// The world a route compilation depends on is smaller than the world.
// Compiling an HTTPRoute (compileRoute, and the virtual hosts and cluster
// lists built from compilations) reads no GatewayClass, Gateway or
// ListenerSet: parents, listeners and everything that reads their status
// are computed anew by every translation. Yet those are the objects whose
// status the translation writes back, so every route create publishes a
// new Gateway (attachedRoutes), and comparing them by identity forgot every
// compilation at every write. They are compared instead by everything but
// status (and resourceVersion, which a status write bumps): a conservative
// stand-in for "by nothing", kept so that a spec change forgets as before.
// The last translation itself (Cache.prev, the patch path, the reused
// index and clusters) still needs the very same objects (sameWorld).

// sameButStatus, by world kind, compares two objects of a kind whose
// status alone may differ (nil for kinds compared by identity only).
var sameButStatus = func() []func(a, b unsafe.Pointer) bool {
	relaxed := map[reflect.Type]func(a, b unsafe.Pointer) bool{
		reflect.TypeFor[*gwapiv1.GatewayClass](): func(a, b unsafe.Pointer) bool {
			x, y := (*gwapiv1.GatewayClass)(a), (*gwapiv1.GatewayClass)(b)
			return sameMetaAndSpec(&x.ObjectMeta, &y.ObjectMeta, &x.Spec, &y.Spec)
		},
		reflect.TypeFor[*gwapiv1.Gateway](): func(a, b unsafe.Pointer) bool {
			x, y := (*gwapiv1.Gateway)(a), (*gwapiv1.Gateway)(b)
			return sameMetaAndSpec(&x.ObjectMeta, &y.ObjectMeta, &x.Spec, &y.Spec)
		},
		reflect.TypeFor[*gwapiv1.ListenerSet](): func(a, b unsafe.Pointer) bool {
			x, y := (*gwapiv1.ListenerSet)(a), (*gwapiv1.ListenerSet)(b)
			return sameMetaAndSpec(&x.ObjectMeta, &y.ObjectMeta, &x.Spec, &y.Spec)
		},
	}
	// The kinds in worldOf's order.
	t := reflect.TypeFor[resource.Resources]()
	var out []func(a, b unsafe.Pointer) bool
	for i := range t.NumField() {
		f := t.Field(i)
		if i == httpRoutesField || f.Type.Kind() != reflect.Slice {
			continue
		}
		out = append(out, relaxed[f.Type.Elem()])
	}
	return out
}()

func sameMetaAndSpec[S any](ma, mb *metav1.ObjectMeta, sa, sb *S) bool {
	x, y := *ma, *mb
	x.ResourceVersion, y.ResourceVersion = "", ""
	x.ManagedFields, y.ManagedFields = nil, nil
	return reflect.DeepEqual(x, y) && reflect.DeepEqual(sa, sb)
}

// sameCompileWorld is sameWorld, but for objects of the kinds of
// sameButStatus that differ from the last ones in status only.
func sameCompileWorld(a, b [][]unsafe.Pointer) bool {
	if len(a) != len(b) || len(a) != len(sameButStatus) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		same := sameButStatus[i]
		for j, p := range a[i] {
			if q := b[i][j]; p != q && (same == nil || p == nil || q == nil || !same(p, q)) {
				return false
			}
		}
	}
	return true
}
