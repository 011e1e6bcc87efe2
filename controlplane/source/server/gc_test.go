package server

import (
	"log/slog"
	"os"
	"runtime/debug"
	"testing"
)

func TestGCPercentOption(t *testing.T) {
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, c := range []struct{ opt, want int }{{0, DefaultGCPercent}, {250, 250}, {-1, 123}} {
		debug.SetGCPercent(123)
		s := &Server{opts: Options{GCPercent: c.opt}, log: slog.New(slog.DiscardHandler)}
		s.setGCPercent()
		if got := debug.SetGCPercent(123); got != c.want {
			t.Errorf("GCPercent %d: GOGC is %d, want %d", c.opt, got, c.want)
		}
	}
	t.Setenv("GOGC", "123")
	(&Server{log: slog.New(slog.DiscardHandler)}).setGCPercent()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("with GOGC set the server changed the GC target to %d", got)
	}
}
