package resource

import (
	"runtime"
	"sync"
)

// ConcurrentValidator is a Validator that may be called from several
// goroutines at once (the CRD validator is). Decode then checks a
// manifest's documents in parallel; what it returns is the same as
// checking them one by one.
type ConcurrentValidator interface {
	Validator
	// ConcurrentSafe only marks the type.
	ConcurrentSafe()
}

// pendingAdd is an object that passed every check, waiting for the
// duplicate check and its place in the Resources, which follow document
// order. afterErrs is how many errors its document had reported before it,
// so that a document's errors and duplicates keep their order.
type pendingAdd struct {
	loc       *location
	ki        *kindInfo
	obj       Object
	afterErrs int
}

// documentsInParallel decodes and checks docs on every CPU, then adds the
// results in document order. It reports false, doing nothing, when that
// would not help or the Validator may not be shared: validation (schema
// and CEL) is nearly all the time of a large manifest.
func (st *decodeState) documentsInParallel(docs []*document) bool {
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	if _, ok := st.dec.Validator.(ConcurrentValidator); !ok || workers < 2 {
		return false
	}
	// Each document is read and checked in one go. Reading every
	// document's YAML first, while a Validator still being built finishes
	// (translate -f builds it while the files are read), kept the maps of
	// all of them alive at once: a heap larger by a hundred MB for 10,000
	// routes, which cost more CPU (page faults, GC) than the overlap saved.
	parts := make([]*decodeState, len(docs))
	inParallel(workers, len(docs), func(i int) {
		part := &decodeState{dec: st.dec, file: st.file, skipped: Skipped{}, pending: &[]pendingAdd{}}
		part.document(docs[i])
		parts[i] = part
	})
	for _, part := range parts {
		st.skipped.Merge(part.skipped)
		done := 0
		for _, p := range *part.pending {
			st.fail(part.errs[done:p.afterErrs]...)
			done = p.afterErrs
			st.add(p)
		}
		st.fail(part.errs[done:]...)
	}
	return true
}

// inParallel calls f(0..n-1) on workers goroutines.
func inParallel(workers, n int, f func(int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
