package main

import (
	"io"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

func benchFleets(b *testing.B, routes int) []xdsFleet {
	b.Helper()
	sets := translateAll(b, workload.Generate(routes, 1).Resources)
	fleets := make([]xdsFleet, len(sets))
	for i, rs := range sets {
		fleets[i] = newXDSFleet(rs)
	}
	return fleets
}

func benchmarkWriteXDS(b *testing.B, format string, direct bool) {
	fleets := benchFleets(b, 10000)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := writeXDSWith(io.Discard, fleets, format, direct); err != nil {
			b.Fatal(err)
		}
	}
	// The machine is shared: CPU time says more than wall time.
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func BenchmarkWriteXDSJSON(b *testing.B)             { benchmarkWriteXDS(b, "json", true) }
func BenchmarkWriteXDSJSONViaProtoJSON(b *testing.B) { benchmarkWriteXDS(b, "json", false) }
