package gatewayapi

import (
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

// Every index is visited exactly once, whether the work is split or not.
func TestForEachParallelVisitsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, minPerGoroutine - 1, 2 * minPerGoroutine, 1000, 1001} {
		seen := make([]atomic.Int32, n)
		forEachParallel(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, got)
			}
		}
	}
}

// Translate builds a large listener's virtual hosts on several goroutines,
// a Cache one by one: both must give the same result.
func TestParallelVirtualHostsMatchCache(t *testing.T) {
	res := workload.Generate(3000, 7).Resources
	opts := Options{Now: fixedNow}
	want := (&Cache{}).Translate(res, opts)
	got := Translate(res, opts)
	most := 0
	for _, x := range got.IR {
		for _, l := range x.Listeners {
			most = max(most, len(l.VirtualHosts))
		}
	}
	if most < 2*minPerGoroutine {
		t.Fatalf("the largest listener has %d virtual hosts: too few to be built in parallel", most)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("Translate differs from a Cache's first translation")
	}
}
