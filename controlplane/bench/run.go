package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

// Config chooses what a run measures and at which sizes.
type Config struct {
	Quick bool
	Seed  uint64
	// Binary is the envoy-gateway executable, for the process
	// measurements; ChildArgs are the arguments that make it run
	// ServeChild for a workload.
	Binary    string
	ChildArgs func(routes int, seed uint64, profile string) []string
	// Dir holds the generated manifests, stores and profiles.
	Dir string
	// Log receives progress lines.
	Log io.Writer
	// Only, if not empty, names the measurements to run (see Measurements).
	Only []string
}

// Measurements are the names Config.Only accepts.
var Measurements = []string{"translation", "process", "incremental", "fanout", "writes", "startup"}

func (c Config) want(name string) bool { return len(c.Only) == 0 || slices.Contains(c.Only, name) }

// sizes of each measurement.
type sizes struct {
	translation            []int
	process, startup       int
	incremental, changes   int
	fanoutRoutes, streams  int
	fanoutChanges          int
	seqWrites, concWrites  int
	concurrentWriteClients int
}

func (c Config) sizes() sizes {
	if c.Quick {
		return sizes{translation: []int{100, 1000, 10000}, process: 1000, startup: 1000, incremental: 1000, changes: 200,
			fanoutRoutes: 1000, streams: 100, fanoutChanges: 5, seqWrites: 50, concWrites: 200, concurrentWriteClients: 16}
	}
	return sizes{translation: []int{100, 1000, 10000, 50000}, process: 10000, startup: 10000, incremental: 10000, changes: 200,
		fanoutRoutes: 10000, streams: 1000, fanoutChanges: 20, seqWrites: 300, concWrites: 1000, concurrentWriteClients: 16}
}

// Run measures everything; a measurement that fails is reported in
// Errors and the others still run.
func Run(c Config) *Report {
	r := &Report{Machine: thisMachine(), Quick: c.Quick}
	s := c.sizes()
	logf := func(format string, args ...any) {
		if c.Log != nil {
			fmt.Fprintf(c.Log, format+"\n", args...)
		}
	}
	fail := func(what string, err error) {
		logf("%s: %v", what, err)
		r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", what, err))
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		fail("work directory", err)
		return r
	}
	for _, m := range c.Only {
		if !slices.Contains(Measurements, m) {
			fail("--only", fmt.Errorf("unknown measurement %q; known: %v", m, Measurements))
			return r
		}
	}
	// The process first: a child's ru_maxrss starts from the peak RSS of
	// this process (Go starts children with vfork), which the 50k-route
	// translation raises to a GiB; and that translation's heap would be
	// handed back to the OS by this process while the child runs.
	if c.want("process") {
		r.Process = c.process(s, fail, logf)
	}
	if c.want("translation") {
		r.Translation = c.translation(s, fail, logf)
	}
	if c.want("incremental") {
		logf("incremental: %d changes over %d routes", s.changes, s.incremental)
		if inc, err := MeasureIncremental(workload.Generate(s.incremental, c.Seed), s.changes, filepath.Join(c.Dir, "incremental.cpu.pprof")); err != nil {
			fail("incremental", err)
		} else {
			r.Incremental = inc
		}
	}
	if c.want("fanout") {
		logf("fan-out: %d streams, %d routes", s.streams, s.fanoutRoutes)
		if f, err := MeasureFanout(c.Binary, c.ChildArgs(s.fanoutRoutes, c.Seed, filepath.Join(c.Dir, "fanout-controlplane.cpu.pprof")), s.fanoutRoutes, s.streams, s.fanoutChanges); err != nil {
			fail("fan-out", err)
		} else {
			r.Fanout = f
		}
	}
	if c.want("writes") {
		r.ConfigServer = c.writes(s, fail, logf)
	}
	if c.want("startup") {
		logf("start-up: %d routes from files", s.startup)
		startupFile := filepath.Join(c.Dir, fmt.Sprintf("routes-%d.yaml", s.startup))
		if err := workload.Generate(s.startup, c.Seed).WriteYAMLFile(startupFile); err != nil {
			fail("writing the manifest", err)
		} else if st, err := MeasureStartupFromFiles(c.Binary, mkdir(c.Dir, "startup-files"), startupFile, s.startup); err != nil {
			fail("start-up from files", err)
		} else {
			r.Startup = append(r.Startup, *st)
		}
		logf("start-up: %d routes from the store", s.startup)
		if st, err := MeasureStartupFromStore(c.Binary, mkdir(c.Dir, "startup-store"), startupFile, s.startup); err != nil {
			fail("start-up from the store", err)
		} else {
			r.Startup = append(r.Startup, *st)
		}
	}
	return r
}

func (c Config) translation(s sizes, fail func(string, error), logf func(string, ...any)) []TranslationResult {
	var out []TranslationResult
	for _, n := range s.translation {
		logf("translation: %d routes", n)
		tr, err := MeasureTranslation(workload.Generate(n, c.Seed), min(20, max(1, 50000/n)))
		if err != nil {
			fail(fmt.Sprintf("translation of %d routes", n), err)
			continue
		}
		out = append(out, tr)
	}
	return out
}

func (c Config) process(s sizes, fail func(string, error), logf func(string, ...any)) *ProcessResult {
	file := filepath.Join(c.Dir, fmt.Sprintf("routes-%d.yaml", s.process))
	if err := workload.Generate(s.process, c.Seed).WriteYAMLFile(file); err != nil {
		fail("writing the manifest", err)
		return nil
	}
	logf("translate process: %s", file)
	// Generating the workload left garbage; collect and return it now, not
	// while the child is being timed (FreeOSMemory collects first).
	debug.FreeOSMemory()
	p, err := MeasureTranslateProcess(c.Binary, file, s.process)
	if err != nil {
		fail("translate process", err)
	}
	return p
}

func (c Config) writes(s sizes, fail func(string, error), logf func(string, ...any)) []WriteResult {
	v, err := validation.New()
	if err == nil {
		err = v.BuildAll() // as the server does at start-up: no write waits for a compile
	}
	if err != nil {
		fail("config server", err)
		return nil
	}
	w := workload.Generate(max(s.seqWrites, s.concWrites), c.Seed)
	var out []WriteResult
	for i, run := range []struct{ writes, clients int }{{s.seqWrites, 1}, {s.concWrites, s.concurrentWriteClients}} {
		logf("config server: %d PUTs from %d client(s)", run.writes, run.clients)
		res, err := MeasureWrites(mkdir(c.Dir, fmt.Sprintf("store-%d", i)), v, w, run.writes, run.clients)
		if err != nil {
			fail("config server writes", err)
			continue
		}
		out = append(out, *res)
	}
	return out
}

func mkdir(parent, name string) string {
	d := filepath.Join(parent, name)
	_ = os.RemoveAll(d)
	_ = os.MkdirAll(d, 0o755)
	return d
}

// WriteJSON writes the report, indented.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
