package gatewayapi

import (
	"runtime"
	"sync"
)

// minPerGoroutine is the least work, in items, worth a goroutine of
// forEachParallel: a virtual host takes microseconds.
const minPerGoroutine = 64

// forEachParallel calls fn(i) for every i in [0, n), in contiguous chunks
// on up to GOMAXPROCS goroutines, and returns when all calls have. fn must
// only write what belongs to its i.
func forEachParallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/minPerGoroutine)
	if workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Go(func() {
			for i := lo; i < min(lo+chunk, n); i++ {
				fn(i)
			}
		})
	}
	wg.Wait()
}
