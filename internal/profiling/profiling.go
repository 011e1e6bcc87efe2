// Package profiling starts the CPU profiles that the project's commands
// take on request (translate --cpuprofile, the fan-out bench's control
// plane, tfbench), so that each does not carry its own copy.
package profiling

import (
	"os"
	"runtime/pprof"
)

// StartCPU profiles the process into path until stop is called.
func StartCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
