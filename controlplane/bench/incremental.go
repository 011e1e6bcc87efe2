package bench

import (
	"fmt"
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/internal/profiling"
)

// IncrementalResult is the latency of a one-route change with Routes
// loaded: from the change entering the Message Service until the fleet's
// new snapshot is set in the xDS server.
type IncrementalResult struct {
	Routes  int     `json:"routes"`
	Changes int     `json:"changes"`
	Latency Latency `json:"latency"`
	// InitialMs is the first, full load of the workload.
	InitialMs float64 `json:"initialMs"`
	// CPUProfile is where the changes' CPU profile was written, if asked.
	CPUProfile string `json:"cpuProfile,omitempty"`
}

// changeTimeout only stops a hang; a change taking longer is a failure of
// the pipeline, not a slow result.
const changeTimeout = 2 * time.Minute

// MeasureIncremental loads w, then makes changes one-route changes, one at
// a time. If profile is not empty, the changes (not the initial load) are
// CPU-profiled into that file.
func MeasureIncremental(w *workload.Workload, changes int, profile string) (*IncrementalResult, error) {
	p, err := StartPipeline(false)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	first, err := p.Publish(w.Resources, changeTimeout)
	if err != nil {
		return nil, fmt.Errorf("initial load: %w", err)
	}
	out := &IncrementalResult{Routes: w.Routes, Changes: changes, InitialMs: ms(first)}
	if profile != "" {
		stop, err := profiling.StartCPU(profile)
		if err != nil {
			return nil, err
		}
		defer stop()
		out.CPUProfile = profile
	}
	lat := make([]time.Duration, 0, changes)
	cur := w.Resources
	for k := range changes {
		cur = workload.Change(cur, k)
		d, err := p.Publish(cur, changeTimeout)
		if err != nil {
			return nil, fmt.Errorf("change %d: %w", k, err)
		}
		lat = append(lat, d)
	}
	out.Latency = summarize(lat)
	return out, nil
}
