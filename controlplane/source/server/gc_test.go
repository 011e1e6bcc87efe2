package server

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"
)

func TestGCPercentOption(t *testing.T) {
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOMEMLIMIT")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)
	for _, c := range []struct{ opt, want int }{{0, DefaultGCPercent}, {250, 250}, {-1, 123}} {
		debug.SetGCPercent(123)
		s := &Server{opts: Options{GCPercent: c.opt}, log: slog.New(slog.DiscardHandler)}
		s.setGCPercent()
		if got := debug.SetGCPercent(123); got != c.want {
			t.Errorf("GCPercent %d: GOGC is %d, want %d", c.opt, got, c.want)
		}
	}
	if got := debug.SetMemoryLimit(-1); got != DefaultMemoryLimit {
		t.Errorf("with the GC target raised the soft memory limit is %d, want %d", got, DefaultMemoryLimit)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "2GiB")
	(&Server{log: slog.New(slog.DiscardHandler)}).setGCPercent()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set the server changed the memory limit to %d", got)
	}
	debug.SetGCPercent(123)
	t.Setenv("GOGC", "123")
	(&Server{log: slog.New(slog.DiscardHandler)}).setGCPercent()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("with GOGC set the server changed the GC target to %d", got)
	}
}
