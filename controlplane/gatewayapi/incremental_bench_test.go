package gatewayapi_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// BenchmarkCacheChange is the Gateway API stage of a one-route change with
// the workload loaded: the Runner's cached translation.
func BenchmarkCacheChange(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		w := workload.Generate(n, 1)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			c := &gatewayapi.Cache{}
			c.Translate(w.Resources, gatewayapi.Options{})
			cur, k := w.Resources, 0
			b.ReportAllocs()
			for b.Loop() {
				cur, k = workload.Change(cur, k), k+1
				if r := c.Translate(cur, gatewayapi.Options{}); r.IR[workload.Fleet] == nil {
					b.Fatal("the workload's fleet has no IR")
				}
			}
		})
	}
}

// BenchmarkCacheChangeNewSecond is BenchmarkCacheChange with the clock a
// second later at every change: routes whose input carries none of the
// conditions computed for them (no status written back, as in the bench)
// get new transition times, so every such route's status is written anew.
func BenchmarkCacheChangeNewSecond(b *testing.B) {
	w := workload.Generate(10000, 1)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := gatewayapi.Options{Now: func() time.Time { return now }}
	c := &gatewayapi.Cache{}
	c.Translate(w.Resources, opts)
	cur, k := w.Resources, 0
	b.ReportAllocs()
	for b.Loop() {
		cur, k = workload.Change(cur, k), k+1
		now = now.Add(time.Second)
		if r := c.Translate(cur, opts); r.IR[workload.Fleet] == nil {
			b.Fatal("the workload's fleet has no IR")
		}
	}
}

// BenchmarkCacheChangeStatusWriteBack is BenchmarkCacheChange with every
// Result's Gateway statuses written back before the next change, as the
// Config Server's status writer does when a route create changes
// attachedRoutes: new Gateway objects that differ in status only.
func BenchmarkCacheChangeStatusWriteBack(b *testing.B) {
	w := workload.Generate(10000, 1)
	c := &gatewayapi.Cache{}
	r := c.Translate(w.Resources, gatewayapi.Options{})
	cur, k := w.Resources, 0
	b.ReportAllocs()
	for b.Loop() {
		cur, k = workload.Change(writeGatewayStatus(cur, r), k), k+1
		if r = c.Translate(cur, gatewayapi.Options{}); r.IR[workload.Fleet] == nil {
			b.Fatal("the workload's fleet has no IR")
		}
	}
}

// writeGatewayStatus returns res with each Gateway that r holds replaced
// by a copy with r's status and a new resourceVersion.
func writeGatewayStatus(res *resource.Resources, r *gatewayapi.Result) *resource.Resources {
	out := *res
	out.Gateways = slices.Clone(res.Gateways)
	for i, g := range out.Gateways {
		for _, o := range r.Gateways {
			if o.Namespace == g.Namespace && o.Name == g.Name {
				n := g.DeepCopy()
				o.Status.DeepCopyInto(&n.Status)
				n.ResourceVersion += "s"
				out.Gateways[i] = n
			}
		}
	}
	return &out
}
