package bolt

import (
	"context"
	"fmt"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// writeOp is one Put or Delete waiting for the committer.
type writeOp struct {
	key       string
	value     []byte
	del       bool
	expectRev int64
	done      chan writeResult // buffered: the committer never blocks on a caller
}

type writeResult struct {
	rev int64
	err error
}

// commitState is what readers and watchers need to know about the
// committer: the last durable revision, a channel closed at each new one,
// and the error that stopped writes, if any.
type commitState struct {
	mu        sync.Mutex
	committed int64
	changed   chan struct{}
	fatal     error
}

func (c *commitState) init(rev int64) {
	c.committed = rev
	c.changed = make(chan struct{})
}

// snapshot returns the durable revision and a channel that is closed when it
// next moves. Taking both under one lock means a waiter cannot miss a commit
// that lands between its check and its wait.
func (c *commitState) snapshot() (int64, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.committed, c.changed
}

func (c *commitState) advance(rev int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.committed = rev
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *commitState) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fatal = err
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *commitState) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fatal
}

// awaitDurable waits until revision rev is fsynced. bbolt makes a commit
// visible to new read transactions before its final fsync returns, so a
// reader can see a write that is not yet acknowledged; answering with it
// before it is durable could show a client state that a crash then undoes.
// The wait is normally zero or the remainder of one fsync.
func (c *commitState) awaitDurable(ctx context.Context, rev int64, closing <-chan struct{}) error {
	for {
		committed, changed := c.snapshot()
		if committed >= rev {
			return nil
		}
		if err := c.err(); err != nil {
			return err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-closing:
			return store.ErrClosed
		}
	}
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key store.Key, value []byte, expectRev int64) (int64, error) {
	if err := s.checkWrite(key, expectRev); err != nil {
		return 0, err
	}
	if len(value) > s.opts.MaxValueSize {
		return 0, fmt.Errorf("%w: %s: %d bytes, limit %d", store.ErrTooLarge, key, len(value), s.opts.MaxValueSize)
	}
	v := append([]byte{}, value...) // the caller may reuse its buffer once we return
	return s.submit(ctx, &writeOp{key: key.String(), value: v, expectRev: expectRev})
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key store.Key, expectRev int64) (int64, error) {
	if err := s.checkWrite(key, expectRev); err != nil {
		return 0, err
	}
	if expectRev == store.MustNotExist {
		return 0, fmt.Errorf("delete %s: expected revision MustNotExist makes no sense for a delete", key)
	}
	return s.submit(ctx, &writeOp{key: key.String(), del: true, expectRev: expectRev})
}

func (s *Store) checkWrite(key store.Key, expectRev int64) error {
	if err := key.Validate(); err != nil {
		return err
	}
	if n := len(key.String()); n > maxKeySize {
		return fmt.Errorf("%w: key %q is %d bytes, limit %d", store.ErrInvalidKey, key, n, maxKeySize)
	}
	if expectRev < store.MustNotExist {
		return fmt.Errorf("%s: expected revision %d is invalid", key, expectRev)
	}
	return nil
}

// submit queues op and waits for its transaction to be durable.
func (s *Store) submit(ctx context.Context, op *writeOp) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	op.done = make(chan writeResult, 1)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return 0, store.ErrClosed
	}
	select {
	case s.queue <- op:
	case <-ctx.Done():
		s.mu.RUnlock()
		return 0, ctx.Err()
	}
	s.mu.RUnlock()
	select {
	case r := <-op.done:
		return r.rev, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// runCommitter is the only writer of the file. Each pass takes every op that
// queued up during the previous commit's fsync, so concurrent writers share
// one fsync instead of queueing behind each other's.
func (s *Store) runCommitter() {
	defer close(s.committerDone)
	batch := make([]*writeOp, 0, s.opts.MaxBatch)
	var last time.Duration // the last commit's time
	prevSize := 0
	for op := range s.queue {
		batch = append(batch[:0], op)
		open := s.gather(&batch)
		if open && prevSize > 1 && len(batch) < s.opts.MaxBatch {
			// Writers are concurrent: wait a fraction of a commit for
			// more, which costs them that much latency and saves an fsync
			// (and its CPU) for every batch it merges.
			s.linger(&batch, min(last/lingerDivisor, maxLinger))
		}
		start := time.Now()
		s.commit(batch)
		last, prevSize = time.Since(start), len(batch)
	}
}

// A batch after a batch of several writes waits up to 1/lingerDivisor of
// the last commit's time, and never more than maxLinger, for more writes.
const (
	lingerDivisor = 2
	maxLinger     = 2 * time.Millisecond
)

// gather appends the ops already queued; false when the queue is closed.
func (s *Store) gather(batch *[]*writeOp) bool {
	for len(*batch) < s.opts.MaxBatch {
		select {
		case next, ok := <-s.queue:
			if !ok {
				return false
			}
			*batch = append(*batch, next)
		default:
			return true
		}
	}
	return true
}

// linger appends ops that arrive within d.
func (s *Store) linger(batch *[]*writeOp, d time.Duration) {
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for len(*batch) < s.opts.MaxBatch {
		select {
		case next, ok := <-s.queue:
			if !ok {
				return
			}
			*batch = append(*batch, next)
		case <-timer.C:
			return
		}
	}
}

// commit applies the batch in one transaction. An op that fails its own
// checks fails alone; an error from bbolt itself fails the whole batch and
// stops all further writes, because after a failed fsync the state of the
// file is unknown and acknowledging later writes on top of it would be a lie.
func (s *Store) commit(batch []*writeOp) {
	if err := s.state.err(); err != nil {
		replyAll(batch, err)
		return
	}
	results := make([]writeResult, len(batch))
	var last int64
	err := s.db.Update(func(tx *bbolt.Tx) error {
		rev, err := getMeta(tx, metaRev)
		if err != nil {
			return err
		}
		for i, op := range batch {
			if results[i], err = apply(tx, op, &rev); err != nil {
				return err
			}
		}
		if err := putMeta(tx, metaRev, rev); err != nil {
			return err
		}
		last = rev
		return s.trimLog(tx, rev)
	})
	if err != nil {
		err = fmt.Errorf("bolt store: commit failed, writes are stopped: %w", err)
		s.state.fail(err)
		replyAll(batch, err)
		return
	}
	// Advance before replying, so a writer that reads or watches right
	// after its acknowledgement sees its own write without waiting.
	s.commits.Add(1)
	s.state.advance(last)
	for i, op := range batch {
		op.done <- results[i]
	}
}

func replyAll(batch []*writeOp, err error) {
	for _, op := range batch {
		op.done <- writeResult{err: err}
	}
}

// apply performs one op inside the batch transaction. The returned
// writeResult carries the op's own outcome (including conflicts); the error
// is reserved for failures of the transaction itself.
func apply(tx *bbolt.Tx, op *writeOp, rev *int64) (writeResult, error) {
	objs := tx.Bucket(bucketObjects)
	key := []byte(op.key)
	var old record
	cur := objs.Get(key)
	exists := cur != nil
	if exists {
		var err error
		if old, err = decodeRecord(cur); err != nil {
			return writeResult{err: fmt.Errorf("%s: %w", op.key, err)}, nil
		}
	}
	if err := precondition(op, exists, old.modRev); err != nil {
		return writeResult{err: err}, nil
	}
	*rev++
	ev := loggedEvent{key: op.key}
	if op.del {
		if err := objs.Delete(key); err != nil {
			return writeResult{}, err
		}
		ev.typ, ev.createRev, ev.value = store.Deleted, old.createRev, old.value
	} else {
		ev.typ, ev.createRev, ev.value, ev.prev = store.Modified, old.createRev, op.value, old.value
		if !exists {
			ev.typ, ev.createRev = store.Added, *rev
		}
		if err := objs.Put(key, encodeRecord(record{createRev: ev.createRev, modRev: *rev, value: op.value})); err != nil {
			return writeResult{}, err
		}
	}
	if err := tx.Bucket(bucketEvents).Put(encodeRev(*rev), encodeEvent(ev)); err != nil {
		return writeResult{}, err
	}
	return writeResult{rev: *rev}, nil
}

// precondition decides 404/409 for one op against the state that the ops
// before it in the batch left behind.
func precondition(op *writeOp, exists bool, curRev int64) error {
	switch {
	case op.expectRev == store.MustNotExist && exists:
		return fmt.Errorf("%w: %s already exists (revision %d)", store.ErrConflict, op.key, curRev)
	case !exists && (op.del || op.expectRev > 0):
		return fmt.Errorf("%w: %s", store.ErrNotFound, op.key)
	case op.expectRev > 0 && curRev != op.expectRev:
		return fmt.Errorf("%w: %s is at revision %d, expected %d", store.ErrConflict, op.key, curRev, op.expectRev)
	}
	return nil
}

// trimLog drops the events that fall out of the retained window. Revisions
// are dense, so the window is exactly compacted+1..rev.
func (s *Store) trimLog(tx *bbolt.Tx, rev int64) error {
	compacted, err := getMeta(tx, metaCompacted)
	if err != nil {
		return err
	}
	target := rev - s.opts.EventLogSize
	if target <= compacted {
		return nil
	}
	events := tx.Bucket(bucketEvents)
	for r := compacted + 1; r <= target; r++ {
		if err := events.Delete(encodeRev(r)); err != nil {
			return err
		}
	}
	return putMeta(tx, metaCompacted, target)
}
