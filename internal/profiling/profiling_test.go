package profiling

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestStartCPUWritesAProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	stop, err := StartCPU(path)
	if err != nil {
		t.Fatal(err)
	}
	// A second profile cannot run beside the first; the error must say so
	// rather than leave an empty file behind as if it had worked.
	if _, err := StartCPU(filepath.Join(t.TempDir(), "second.pprof")); err == nil {
		t.Error("a second CPU profile started while one was running")
	}
	stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// pprof writes gzip-compressed protobuf.
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("%s is not a gzip-compressed profile (%d bytes)", path, len(b))
	}
}

func TestStartCPUReportsABadPath(t *testing.T) {
	if _, err := StartCPU(filepath.Join(t.TempDir(), "missing", "cpu.pprof")); err == nil {
		t.Fatal("a profile in a missing directory was started")
	}
}
