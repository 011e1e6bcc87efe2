package gatewayapi_test

import (
	"fmt"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
)

// BenchmarkTranslateWorkload is the Gateway API stage of `envoy-gateway
// bench`'s translation measurement, on the same generated workload.
func BenchmarkTranslateWorkload(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		w := workload.Generate(n, 1)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := gatewayapi.Translate(w.Resources, gatewayapi.Options{})
				if r.IR[workload.Fleet] == nil {
					b.Fatal("the workload's fleet has no IR")
				}
			}
		})
	}
}
