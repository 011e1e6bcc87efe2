package bench

import (
	"math"
	"slices"
	"time"
)

// Latency summarises a sample of durations, in milliseconds so that JSON
// readers need no unit conversion.
type Latency struct {
	N     int     `json:"n"`
	P50ms float64 `json:"p50Ms"`
	P99ms float64 `json:"p99Ms"`
	MaxMs float64 `json:"maxMs"`
}

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Latency{N: len(s), P50ms: ms(quantile(s, 0.50)), P99ms: ms(quantile(s, 0.99)), MaxMs: ms(s[len(s)-1])}
}

// quantile is the nearest-rank quantile of sorted s: with fewer than 100
// values, p99 is the maximum.
func quantile(s []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1e3 }

func mib(b uint64) float64 { return math.Round(float64(b)/(1<<20)*10) / 10 }
