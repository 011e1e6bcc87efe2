package file

import "time"

// debouncer turns a burst of pokes into one tick: it fires once no poke has
// come for quiet, or at the latest max after the burst's first poke.
type debouncer struct {
	quiet, max time.Duration
	timer      *time.Timer
	deadline   time.Time // zero when no burst is pending
}

func newDebouncer(quiet, max time.Duration) *debouncer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &debouncer{quiet: quiet, max: max, timer: t}
}

func (d *debouncer) poke() {
	now := time.Now()
	if d.deadline.IsZero() {
		d.deadline = now.Add(d.max)
	}
	wait := min(d.quiet, d.deadline.Sub(now))
	d.timer.Reset(max(wait, 0))
}

// C delivers the tick; the receiver must call fired.
func (d *debouncer) C() <-chan time.Time { return d.timer.C }

func (d *debouncer) fired() { d.deadline = time.Time{} }

func (d *debouncer) stop() { d.timer.Stop() }
