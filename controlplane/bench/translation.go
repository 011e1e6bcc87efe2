package bench

import (
	"fmt"
	"maps"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// TranslationResult is the cost of one full translation, resources -> IR ->
// xDS, averaged over Iterations.
type TranslationResult struct {
	Routes     int `json:"routes"`
	Iterations int `json:"iterations"`
	// TotalMs is per translation; GatewayAPIMs and XdsMs are its two stages.
	TotalMs      float64 `json:"totalMs"`
	GatewayAPIMs float64 `json:"gatewayApiMs"`
	XdsMs        float64 `json:"xdsMs"`
	AllocsPerOp  uint64  `json:"allocsPerOp"`
	MiBPerOp     float64 `json:"allocMiBPerOp"`
	// PeakHeapMiB is the most heap in use (live and not yet collected)
	// seen during the translations, input included; InputHeapMiB is the
	// live heap before, mostly the input resources.
	PeakHeapMiB  float64 `json:"peakHeapMiB"`
	InputHeapMiB float64 `json:"inputHeapMiB"`
}

// FullTranslation is what a server does on a change before it sets
// snapshots: Gateway API translation, then the xDS translation of every
// fleet.
func FullTranslation(res *resource.Resources) (map[string]*translator.ResourceSet, error) {
	r := gatewayapi.Translate(res, gatewayapi.Options{})
	return translateFleets(r)
}

func translateFleets(r *gatewayapi.Result) (map[string]*translator.ResourceSet, error) {
	out := make(map[string]*translator.ResourceSet, len(r.IR))
	for _, f := range slices.Sorted(maps.Keys(r.IR)) {
		rs, err := translator.Translate(r.IR[f])
		if err != nil {
			return nil, fmt.Errorf("fleet %s: %w", f, err)
		}
		out[f] = rs
	}
	return out, nil
}

// MeasureTranslation translates w iterations times.
func MeasureTranslation(w *workload.Workload, iterations int) (TranslationResult, error) {
	res := TranslationResult{Routes: w.Routes, Iterations: iterations}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res.InputHeapMiB = mib(before.HeapAlloc)
	peak := startHeapSampler()
	var gw, xds time.Duration
	for range iterations {
		t0 := time.Now()
		r := gatewayapi.Translate(w.Resources, gatewayapi.Options{})
		t1 := time.Now()
		if _, err := translateFleets(r); err != nil {
			peak()
			return res, err
		}
		gw, xds = gw+t1.Sub(t0), xds+time.Since(t1)
	}
	res.PeakHeapMiB = mib(peak())
	runtime.ReadMemStats(&after)
	n := time.Duration(iterations)
	res.GatewayAPIMs, res.XdsMs, res.TotalMs = ms(gw/n), ms(xds/n), ms((gw+xds)/n)
	res.AllocsPerOp = (after.Mallocs - before.Mallocs) / uint64(iterations)
	res.MiBPerOp = mib((after.TotalAlloc - before.TotalAlloc) / uint64(iterations))
	return res, nil
}

// startHeapSampler samples the heap every millisecond until the returned
// function is called, which returns the largest sample. runtime/metrics,
// unlike ReadMemStats, does not stop the world, so sampling barely
// disturbs what it measures.
func startHeapSampler() (stop func() uint64) {
	const name = "/memory/classes/heap/objects:bytes"
	var peakBytes atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := func() {
		s := []metrics.Sample{{Name: name}}
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peakBytes.Load() {
			peakBytes.Store(v)
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		sample()
		return peakBytes.Load()
	}
}
