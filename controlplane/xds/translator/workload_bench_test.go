package translator_test

import (
	"fmt"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// BenchmarkTranslateWorkload is the xDS stage of `envoy-gateway bench`'s
// translation measurement: the IR of the generated workload to xDS.
func BenchmarkTranslateWorkload(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		x := gatewayapi.Translate(workload.Generate(n, 1).Resources, gatewayapi.Options{}).IR[workload.Fleet]
		if x == nil {
			b.Fatal("the workload's fleet has no IR")
		}
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := translator.Translate(x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
