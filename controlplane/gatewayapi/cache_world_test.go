package gatewayapi

import (
	"math/rand/v2"
	"reflect"
	"testing"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// TestCacheKeepsCompilationsOverStatusWrites: a translation whose
// GatewayClasses and Gateways are new objects with the statuses the last
// one computed (the status writer's write-back) reuses every route
// compilation; one whose Gateway changed otherwise reuses none.
func TestCacheKeepsCompilationsOverStatusWrites(t *testing.T) {
	res := workload.Generate(200, 3).Resources
	c := &Cache{}
	first := c.Translate(res, Options{Now: fixedNow})
	if len(first.Gateways) == 0 || len(first.GatewayClasses) == 0 {
		t.Fatal("the workload has no Gateway or GatewayClass of ours")
	}
	written := *res
	all := func() bool { return false }
	written.GatewayClasses = writeStatuses(all, res.GatewayClasses, first.GatewayClasses, func(in, from *gwapiv1.GatewayClass) *gwapiv1.GatewayClass {
		w := in.DeepCopy()
		from.Status.DeepCopyInto(&w.Status)
		return w
	})
	written.Gateways = writeStatuses(all, res.Gateways, first.Gateways, func(in, from *gwapiv1.Gateway) *gwapiv1.Gateway {
		w := in.DeepCopy()
		from.Status.DeepCopyInto(&w.Status)
		return w
	})
	for i, g := range written.Gateways {
		if g == res.Gateways[i] || reflect.DeepEqual(g.Status, res.Gateways[i].Status) {
			t.Fatalf("Gateway %s: no new status written back", g.Name)
		}
	}
	hits := c.hits
	got := c.Translate(&written, Options{Now: fixedNow})
	if n := c.hits - hits; n != len(res.HTTPRoutes) {
		t.Errorf("after a status write-back %d of %d route compilations were reused", n, len(res.HTTPRoutes))
	}
	if !reflect.DeepEqual(got, Translate(&written, Options{Now: fixedNow})) {
		t.Fatal("the translation after a status write-back differs from Translate's")
	}

	relabeled := written
	relabeled.Gateways = append([]*gwapiv1.Gateway(nil), written.Gateways...)
	g := relabeled.Gateways[0].DeepCopy()
	g.Labels = map[string]string{"changed": "yes"}
	relabeled.Gateways[0] = g
	hits = c.hits
	got = c.Translate(&relabeled, Options{Now: fixedNow})
	if n := c.hits - hits; n != 0 {
		t.Errorf("after a Gateway's metadata changed %d route compilations were reused, want none", n)
	}
	if !reflect.DeepEqual(got, Translate(&relabeled, Options{Now: fixedNow})) {
		t.Fatal("the translation after a Gateway change differs from Translate's")
	}
}

// writeBack returns res with the status of some of the GatewayClasses,
// Gateways and ListenerSets of r written back, as the status writer does:
// a new object with the new status and resourceVersion, the same spec.
// Now and then the status is one no translation writes, or a Gateway's
// attachedRoutes are off, as when another writer got there first.
func writeBack(rng *rand.Rand, res *resource.Resources, r *Result) *resource.Resources {
	out := *res
	half := func() bool { return rng.IntN(2) == 0 }
	out.GatewayClasses = writeStatuses(half, res.GatewayClasses, r.GatewayClasses, func(in, from *gwapiv1.GatewayClass) *gwapiv1.GatewayClass {
		o := in.DeepCopy()
		from.Status.DeepCopyInto(&o.Status)
		return o
	})
	out.Gateways = writeStatuses(half, res.Gateways, r.Gateways, func(in, from *gwapiv1.Gateway) *gwapiv1.Gateway {
		o := in.DeepCopy()
		from.Status.DeepCopyInto(&o.Status)
		if len(o.Status.Listeners) > 0 && rng.IntN(4) == 0 {
			o.Status.Listeners[0].AttachedRoutes += int32(1 + rng.IntN(3))
		}
		return o
	})
	out.ListenerSets = writeStatuses(half, res.ListenerSets, r.ListenerSets, func(in, from *gwapiv1.ListenerSet) *gwapiv1.ListenerSet {
		o := in.DeepCopy()
		from.Status.DeepCopyInto(&o.Status)
		return o
	})
	return &out
}

// writeStatuses replaces the objects of in that r holds, but those skip
// passes over, by write(in, r's) with a new resourceVersion.
func writeStatuses[T interface {
	*E
	GetNamespace() string
	GetName() string
	GetResourceVersion() string
	SetResourceVersion(string)
}, E any](skip func() bool, in, r []T, write func(in, from T) T) []T {
	if len(in) == 0 || len(r) == 0 {
		return in
	}
	out := append([]T(nil), in...)
	for i, o := range out {
		if skip() {
			continue
		}
		for _, from := range r {
			if from.GetNamespace() == o.GetNamespace() && from.GetName() == o.GetName() {
				w := write(o, from)
				w.SetResourceVersion(o.GetResourceVersion() + "s")
				out[i] = w
				break
			}
		}
	}
	return out
}
