package bench

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// ProcessResult is one run of `envoy-gateway translate -f FILE --to xds`:
// YAML decoding, CRD schema and CEL validation, both translations and the
// output, as a user would run it.
type ProcessResult struct {
	Routes    int     `json:"routes"`
	Command   string  `json:"command"`
	WallMs    float64 `json:"wallMs"`
	UserMs    float64 `json:"userMs"`
	SysMs     float64 `json:"sysMs"`
	MaxRSSMiB float64 `json:"maxRssMiB"`
	OutputMiB float64 `json:"outputMiB"`
}

// MeasureTranslateProcess runs binary's translate command on file, which
// holds routes routes. The output is counted, not kept.
func MeasureTranslateProcess(binary, file string, routes int) (*ProcessResult, error) {
	args := []string{"translate", "-f", file, "--to", "xds", "-o", "json"}
	cmd := exec.Command(binary, args...)
	var out countWriter
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return nil, fmt.Errorf("%s %v: %w: %s", binary, args, err, tail(stderr.Bytes()))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r := &ProcessResult{Routes: routes, Command: "envoy-gateway translate -f <file> --to xds -o json",
		WallMs: ms(wall), UserMs: ms(cmd.ProcessState.UserTime()), SysMs: ms(cmd.ProcessState.SystemTime()),
		OutputMiB: mib(uint64(out))}
	if ru != nil {
		// Linux reports ru_maxrss in KiB.
		r.MaxRSSMiB = mib(uint64(ru.Maxrss) << 10)
	}
	return r, nil
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
