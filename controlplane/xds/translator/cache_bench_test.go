package translator_test

import (
	"fmt"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// BenchmarkCacheChange is the xDS stage of a one-route change: the IRs
// before and after the change alternate, each differing from the other
// in one virtual host, shared as the Gateway API runner publishes them.
func BenchmarkCacheChange(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		w := workload.Generate(n, 1)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			c := &gatewayapi.Cache{}
			x1 := c.Translate(w.Resources, gatewayapi.Options{}).IR[workload.Fleet]
			x2, _ := ir.Share(x1, c.Translate(workload.Change(w.Resources, 1), gatewayapi.Options{}).IR[workload.Fleet])
			xc := translator.NewCache()
			if _, err := xc.Translate(x1); err != nil {
				b.Fatal(err)
			}
			xs, i := []*ir.Xds{x2, x1}, 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := xc.Translate(xs[i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
