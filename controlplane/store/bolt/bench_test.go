package bolt

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// benchValue is about the size of a small HTTPRoute in JSON.
var benchValue = []byte(`{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r","namespace":"ns"},` +
	`"spec":{"parentRefs":[{"name":"eg"}],"hostnames":["www.example.com"],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],` +
	`"backendRefs":[{"name":"backend","port":3000}]}]}}`)

func BenchmarkPutSequential(b *testing.B) { benchPut(b, 1) }

func BenchmarkPutConcurrent16(b *testing.B) { benchPut(b, 16) }

// benchPut runs b.N durable Puts from the given number of goroutines and
// reports throughput and per-write latency percentiles.
func benchPut(b *testing.B, writers int) {
	s, err := Open(b.TempDir()+"/bench.db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				k := store.Key{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute",
					Namespace: fmt.Sprintf("ns%d", w), Name: fmt.Sprintf("r%d", i%1000)}
				t0 := time.Now()
				if _, err := s.Put(ctx, k, benchValue, store.AnyRevision); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
	b.ReportMetric(float64(b.N)/float64(s.commits.Load()), "writes/commit")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
