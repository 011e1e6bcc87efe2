package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// watchPage bounds the events read in one read transaction, so a watcher
// replaying a long log never holds a transaction (and bbolt's mmap lock)
// for long.
const watchPage = 256

// Watch implements store.Store.
//
// A watcher reads its events from the event log, for replay and live
// changes alike; commits only wake it. So a slow watcher costs no memory in
// the store: it just lags, and if it lags past the retained log it ends with
// an Error event carrying store.ErrCompacted, exactly as a resume from a too
// old revision would.
func (s *Store) Watch(ctx context.Context, prefix store.Prefix, fromRev int64) (<-chan store.Event, error) {
	if err := prefix.Validate(); err != nil {
		return nil, err
	}
	if fromRev < 0 {
		return nil, fmt.Errorf("watch %q: revision %d is negative", prefix, fromRev)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, store.ErrClosed
	}
	s.watchers.Add(1) // under mu, so Close cannot be already waiting
	s.mu.RUnlock()

	if fromRev == 0 {
		fromRev, _ = s.state.snapshot()
	}
	if err := s.view(ctx, func(tx *bbolt.Tx) error { return checkCompacted(tx, fromRev) }); err != nil {
		s.watchers.Done()
		return nil, err
	}
	ch := make(chan store.Event, 64)
	go s.runWatcher(ctx, prefix, fromRev, ch)
	return ch, nil
}

func checkCompacted(tx *bbolt.Tx, after int64) error {
	compacted, err := getMeta(tx, metaCompacted)
	if err != nil {
		return err
	}
	if after < compacted {
		return fmt.Errorf("%w: events after revision %d requested, oldest kept is %d", store.ErrCompacted, after, compacted+1)
	}
	return nil
}

func (s *Store) runWatcher(ctx context.Context, prefix store.Prefix, last int64, ch chan<- store.Event) {
	defer s.watchers.Done()
	defer close(ch)
	for {
		committed, changed := s.state.snapshot()
		if last >= committed {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return
			case <-s.closing:
				return
			}
		}
		evs, next, err := s.readEvents(prefix, last, committed)
		if err != nil {
			if !errors.Is(err, store.ErrClosed) {
				s.send(ctx, ch, store.Event{Type: store.Error, Err: err})
			}
			return
		}
		for _, ev := range evs {
			if !s.send(ctx, ch, ev) {
				return
			}
		}
		last = next
	}
}

// send delivers ev unless the watch or the store ends first.
func (s *Store) send(ctx context.Context, ch chan<- store.Event, ev store.Event) bool {
	select {
	case ch <- ev:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// readEvents returns the events under prefix with revisions in
// (after, upto], at most one page of the log, and the last revision it
// scanned, which is where the next page starts.
func (s *Store) readEvents(prefix store.Prefix, after, upto int64) ([]store.Event, int64, error) {
	var evs []store.Event
	last := after
	p := []byte(prefix.String())
	err := s.view(context.Background(), func(tx *bbolt.Tx) error {
		if err := checkCompacted(tx, after); err != nil {
			return err
		}
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(encodeRev(after + 1)); k != nil && len(evs) < watchPage; k, v = c.Next() {
			rev, err := decodeRev(k)
			if err != nil {
				return err
			}
			if rev > upto {
				break
			}
			last = rev
			ev, err := decodeEvent(v)
			if err != nil {
				return fmt.Errorf("event %d: %w", rev, err)
			}
			if !bytes.HasPrefix([]byte(ev.key), p) {
				continue
			}
			key, err := store.ParseKey(ev.key)
			if err != nil {
				return fmt.Errorf("%w: event %d key: %v", errCorrupt, rev, err)
			}
			evs = append(evs, store.Event{Type: ev.typ, Prev: ev.prev, Object: store.Object{
				Key: key, Value: ev.value, Revision: rev, CreateRevision: ev.createRev,
			}})
		}
		if last == after {
			// The log is dense up to committed; a gap would make this
			// watcher spin, so report it instead.
			return fmt.Errorf("%w: event log has no revision %d", errCorrupt, after+1)
		}
		return nil
	})
	return evs, last, err
}
