package bench

import (
	"fmt"
	"runtime/debug"
	"testing"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

// The measurements must work end to end; these tests check what they
// observe (every proxy synced and ACKed every change), never how fast.

func TestIncrementalObservesEverySnapshot(t *testing.T) {
	r, err := MeasureIncremental(workload.Generate(100, 1), 5, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Latency.N != 5 {
		t.Fatalf("%d changes measured, want 5", r.Latency.N)
	}
}

func TestFanoutEveryProxyAcksEveryChange(t *testing.T) {
	p, err := StartPipeline(true)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	w := workload.Generate(100, 1)
	if _, err := p.Publish(w.Resources, time.Minute); err != nil {
		t.Fatal(err)
	}
	cur := w.Resources
	res, err := Fanout(p.Addr, 5, 3, func(k int) error {
		cur = workload.Change(cur, k)
		_, err := p.Publish(cur, time.Minute)
		return err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.AllAcked.N != 3 || len(res.Changes) != 3 {
		t.Fatalf("%d changes ACKed by all, %d recorded, want 3", res.AllAcked.N, len(res.Changes))
	}
	for k, c := range res.Changes {
		if c.FirstAckMs > c.HalfAckedMs || c.HalfAckedMs > c.AllAckedMs {
			t.Errorf("change %d: first, half and all ACKed out of order: %+v", k, c)
		}
	}
}

func TestWarmFleetMemoryRestoresTheCollector(t *testing.T) {
	gc, limit := debug.SetGCPercent(77), debug.SetMemoryLimit(1<<40)
	defer debug.SetGCPercent(gc)
	defer debug.SetMemoryLimit(limit)
	restore := warmFleetMemory(8 << 20)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GC percent while warm: %d, want -1 (off)", got)
	}
	restore()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("GC percent after restore: %d, want 77", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("memory limit after restore: %d, want %d", got, int64(1<<40))
	}
}

func TestProcessMeasurementReportsFailure(t *testing.T) {
	if _, err := MeasureTranslateProcess("/bin/false", "/nonexistent.yaml", 1); err == nil {
		t.Fatal("a failing command measured as a success")
	}
}

func BenchmarkFullTranslation(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		w := workload.Generate(n, 1)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FullTranslation(w.Resources); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIncrementalChange is one route change through the running
// pipeline, until the snapshot is set.
func BenchmarkIncrementalChange(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			p, err := StartPipeline(false)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			w := workload.Generate(n, 1)
			if _, err := p.Publish(w.Resources, changeTimeout); err != nil {
				b.Fatal(err)
			}
			cur, k := w.Resources, 0
			for b.Loop() {
				cur, k = workload.Change(cur, k), k+1
				if _, err := p.Publish(cur, changeTimeout); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFanout is one route change until 100 ADS streams ACKed it, with
// the server in process.
func BenchmarkFanout(b *testing.B) {
	p, err := StartPipeline(true)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	w := workload.Generate(1000, 1)
	if _, err := p.Publish(w.Resources, changeTimeout); err != nil {
		b.Fatal(err)
	}
	cur := w.Resources
	b.ResetTimer()
	res, err := Fanout(p.Addr, 100, b.N, func(k int) error {
		cur = workload.Change(cur, k)
		// Not Publish: the clock runs until the proxies ACK.
		p.Resources.Store(sourceName, cur)
		return nil
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.AllAcked.P50ms, "p50-ms")
}
