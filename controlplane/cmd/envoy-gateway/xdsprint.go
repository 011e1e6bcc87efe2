package main

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// piecesPerChunk: a chunk of clusters or endpoints is some tens of KiB;
// route configurations are large on their own.
const piecesPerChunk = 64

// blockSize is where output blocks are cut: small enough to be reused
// from chunk to chunk, large enough to write in few calls.
const blockSize = 64 << 10

// print renders pieces in chunks on every CPU and writes the chunks in
// order. At most a few chunks are rendered ahead of the writer, into
// reused blocks: rendering the whole output before writing it grew the
// heap by its size, and faulting in fresh pages costs about 9 us per
// 4 KiB page in this VM.
func (r *xdsRenderer) print(w io.Writer, pieces []xdsPiece) error {
	nChunks := (len(pieces) + piecesPerChunk - 1) / piecesPerChunk
	if nChunks == 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), nChunks)
	// Taking a token is the right to render a chunk.
	tokens := make(chan struct{}, 2*workers)
	for range cap(tokens) {
		tokens <- struct{}{}
	}
	type chunk struct {
		blocks [][]byte
		err    error
	}
	done := make([]chan chunk, nChunks)
	for i := range done {
		done[i] = make(chan chunk, 1)
	}
	pool := &blockPool{}
	stop := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			pw := newProtoJSONWriter(pool, r.cutAt())
			for {
				select {
				case <-tokens:
				case <-stop:
					return
				}
				// Chunks are taken in order after a token, so the chunk
				// the writer waits for is always being rendered.
				c := int(next.Add(1)) - 1
				if c >= nChunks {
					return
				}
				b, err := pool.get(), error(nil)
				for _, p := range pieces[c*piecesPerChunk : min(len(pieces), (c+1)*piecesPerChunk)] {
					if b, err = r.appendPiece(b, pw, p); err != nil {
						break
					}
					b = pw.cut(b)
				}
				done[c] <- chunk{append(pw.sealed, b), err}
				pw.sealed = nil
			}
		})
	}
	defer wg.Wait()
	defer close(stop)
	for c := range nChunks {
		ch := <-done[c]
		if ch.err != nil {
			return ch.err
		}
		for _, b := range ch.blocks {
			if _, err := w.Write(b); err != nil {
				return err
			}
			pool.put(b)
		}
		tokens <- struct{}{}
	}
	return nil
}

func (r *xdsRenderer) cutAt() int {
	if r.blockSize > 0 {
		return r.blockSize
	}
	return blockSize
}

// blockPool keeps output blocks for reuse.
type blockPool struct {
	mu   sync.Mutex
	free [][]byte
}

func (p *blockPool) get() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b[:0]
	}
	return make([]byte, 0, blockSize+blockSize/4)
}

func (p *blockPool) put(b []byte) {
	p.mu.Lock()
	p.free = append(p.free, b)
	p.mu.Unlock()
}
