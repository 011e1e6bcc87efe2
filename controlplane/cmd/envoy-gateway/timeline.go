package main

import (
	"fmt"
	"io"
	"syscall"
	"time"
)

// timeline prints when each phase of a run starts and ends, in
// milliseconds since the run began, and the CPU time the process spent
// in it, so that the serial phases of a large translate stand out next to
// the parallel ones (CPU over wall is how many cores were busy). A nil
// timeline is off.
type timeline struct {
	w     io.Writer
	start time.Time
}

func newTimeline(w io.Writer, on bool) *timeline {
	if !on {
		return nil
	}
	return &timeline{w: w, start: time.Now()}
}

// phase marks the start of name; the returned func marks its end.
func (t *timeline) phase(name string) func() {
	if t == nil {
		return func() {}
	}
	begin, cpu0 := time.Since(t.start), cpuTime()
	return func() {
		end, cpu := time.Since(t.start), cpuTime()-cpu0
		fmt.Fprintf(t.w, "timeline: %-10s %6d ms -> %6d ms  cpu %5d ms  (%.2f cores)\n", name,
			begin.Milliseconds(), end.Milliseconds(), cpu.Milliseconds(), float64(cpu)/float64(max(end-begin, 1)))
	}
}

// cpuTime is the user and system time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
