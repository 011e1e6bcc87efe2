// Package bench measures the control plane at scale: translation, one-route
// changes, xDS fan-out to many streams, Config Server writes and start-up.
// `envoy-gateway bench` runs every measurement and prints a table; the Go
// benchmarks beside each measured package use the same workload generator
// (package workload) so that benchstat can compare runs.
//
// Nothing here asserts a duration: these are measurements, not tests.
package bench

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"time"
)

// Report is everything one `envoy-gateway bench` run measured. A
// measurement that could not run leaves its field empty and says why in
// Errors.
type Report struct {
	Machine      Machine             `json:"machine"`
	Quick        bool                `json:"quick"`
	Translation  []TranslationResult `json:"translation,omitempty"`
	Process      *ProcessResult      `json:"process,omitempty"`
	Incremental  *IncrementalResult  `json:"incremental,omitempty"`
	Fanout       *FanoutResult       `json:"fanout,omitempty"`
	ConfigServer []WriteResult       `json:"configServer,omitempty"`
	Startup      []StartupResult     `json:"startup,omitempty"`
	Errors       []string            `json:"errors,omitempty"`
}

// Machine says where the numbers come from.
type Machine struct {
	CPU       string    `json:"cpu"`
	Cores     int       `json:"cores"`
	GoVersion string    `json:"goVersion"`
	OS        string    `json:"os"`
	Date      time.Time `json:"date"`
}

func thisMachine() Machine {
	return Machine{CPU: cpuModel(), Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Date: time.Now().UTC().Truncate(time.Second)}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
