// Package bolt is the embedded store.Store: one bbolt file, for a control
// plane that runs as a single process.
//
// Writes go through one committer goroutine that gathers every write queued
// while the previous transaction was being fsynced into the next transaction
// (group commit). A write is acknowledged only after the transaction that
// holds it is fsynced, so throughput under concurrency comes from sharing
// fsyncs, never from skipping them. Conflict checks run inside that
// transaction in queue order, so they see the writes batched before them.
//
// Every write also appends an event to a log in the same file; Watch replays
// the log from any revision it still holds and then follows new commits. The
// log keeps the last Options.EventLogSize events.
package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/store"
)

// Options tune the store; the zero value gives the defaults.
type Options struct {
	// EventLogSize is how many recent events are kept for resuming a Watch.
	// A watcher further behind than this gets ErrCompacted. Default 10,000.
	EventLogSize int64
	// MaxBatch caps the writes committed in one transaction. Default 1,000.
	MaxBatch int
	// MaxValueSize caps one value, as etcd's request limit does, so that the
	// two implementations reject the same objects. Default 1.5 MiB.
	MaxValueSize int
	// LockTimeout is how long Open waits for another process holding the
	// file. Default 5 s.
	LockTimeout time.Duration
	// InitialMmapSize is the address space mapped for the file at open.
	// While the file fits in it, a commit never remaps the file, which
	// waits for every open read and holds off new ones (Gets of concurrent
	// writes queued behind it). Address space only: the file grows with
	// its data. Default 1 GiB.
	InitialMmapSize int
}

func (o Options) withDefaults() Options {
	if o.EventLogSize <= 0 {
		o.EventLogSize = 10_000
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1_000
	}
	if o.MaxValueSize <= 0 {
		o.MaxValueSize = 3 << 19
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = 5 * time.Second
	}
	if o.InitialMmapSize <= 0 {
		o.InitialMmapSize = 1 << 30
	}
	return o
}

// maxKeySize keeps keys far below bbolt's limit; real keys are a few
// hundred bytes at most (DNS-subdomain names and groups).
const maxKeySize = 1024

// Store is a store.Store on a bbolt file.
type Store struct {
	db   *bbolt.DB
	opts Options

	// mu guards closed and the sends on queue, so that Close can close the
	// queue knowing no submitter is about to send on it.
	mu            sync.RWMutex
	closed        bool
	queue         chan *writeOp
	committerDone chan struct{}

	state    commitState
	commits  atomic.Int64  // transactions committed, to measure group commit
	closing  chan struct{} // closed by Close after the last commit; ends watches
	watchers sync.WaitGroup
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the store file at path. Only one process may hold a
// file at a time; a second Open waits up to LockTimeout and then fails.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:      opts.LockTimeout,
		FreelistType: bbolt.FreelistMapType,
		// As etcd: the freelist is rebuilt by a scan at open instead of being
		// written by every commit, one page write fewer per fsync.
		NoFreelistSync:  true,
		InitialMmapSize: opts.InitialMmapSize,
	})
	if err != nil {
		return nil, fmt.Errorf("bolt store: open %s: %w", path, err)
	}
	rev, err := initFile(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt store: open %s: %w", path, err)
	}
	s := &Store{
		db:            db,
		opts:          opts,
		queue:         make(chan *writeOp, opts.MaxBatch),
		committerDone: make(chan struct{}),
		closing:       make(chan struct{}),
	}
	s.state.init(rev)
	go s.runCommitter()
	return s, nil
}

// initFile creates the buckets of a new file, or checks the format of an
// existing one, and returns the last revision.
func initFile(db *bbolt.DB) (int64, error) {
	var rev int64
	err := db.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return createBuckets(tx)
		}
		f := meta.Get(metaFormat)
		switch {
		case len(f) == 8 && mustRev(f) == 1:
			if err := meta.Put(metaFormat, encodeRev(formatVersion)); err != nil {
				return err
			}
		case len(f) != 8 || mustRev(f) != formatVersion:
			return fmt.Errorf("unsupported file format %x (want %d)", f, formatVersion)
		}
		if tx.Bucket(bucketObjects) == nil || tx.Bucket(bucketEvents) == nil {
			return fmt.Errorf("%w: missing buckets", errCorrupt)
		}
		var err error
		rev, err = getMeta(tx, metaRev)
		return err
	})
	return rev, err
}

func createBuckets(tx *bbolt.Tx) error {
	for _, name := range [][]byte{bucketObjects, bucketEvents, bucketMeta} {
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	for k, v := range map[string]int64{string(metaFormat): formatVersion, string(metaRev): 0, string(metaCompacted): 0} {
		if err := meta.Put([]byte(k), encodeRev(v)); err != nil {
			return err
		}
	}
	return nil
}

func mustRev(b []byte) int64 { r, _ := decodeRev(b); return r }

func getMeta(tx *bbolt.Tx, key []byte) (int64, error) {
	v := tx.Bucket(bucketMeta).Get(key)
	if v == nil {
		return 0, fmt.Errorf("%w: meta %q missing", errCorrupt, key)
	}
	return decodeRev(v)
}

func putMeta(tx *bbolt.Tx, key []byte, v int64) error {
	return tx.Bucket(bucketMeta).Put(key, encodeRev(v))
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key store.Key) (store.Object, error) {
	if err := key.Validate(); err != nil {
		return store.Object{}, err
	}
	var obj store.Object
	var seen int64
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		if seen, err = getMeta(tx, metaRev); err != nil {
			return err
		}
		v := tx.Bucket(bucketObjects).Get([]byte(key.String()))
		if v == nil {
			return fmt.Errorf("%w: %s", store.ErrNotFound, key)
		}
		obj, err = toObject(key, v)
		return err
	})
	if werr := s.state.awaitDurable(ctx, seen, s.closing); werr != nil {
		return store.Object{}, werr
	}
	return obj, err
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, prefix store.Prefix) ([]store.Object, int64, error) {
	if err := prefix.Validate(); err != nil {
		return nil, 0, err
	}
	var objs []store.Object
	var rev int64
	err := s.view(ctx, func(tx *bbolt.Tx) error {
		var err error
		if rev, err = getMeta(tx, metaRev); err != nil {
			return err
		}
		p := []byte(prefix.String())
		c := tx.Bucket(bucketObjects).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			key, err := store.ParseKey(string(k))
			if err != nil {
				return fmt.Errorf("%w: stored key %q: %v", errCorrupt, k, err)
			}
			obj, err := toObject(key, v)
			if err != nil {
				return err
			}
			objs = append(objs, obj)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if err := s.state.awaitDurable(ctx, rev, s.closing); err != nil {
		return nil, 0, err
	}
	return objs, rev, nil
}

func toObject(key store.Key, v []byte) (store.Object, error) {
	r, err := decodeRecord(v)
	if err != nil {
		return store.Object{}, fmt.Errorf("%s: %w", key, err)
	}
	return store.Object{Key: key, Value: r.value, Revision: r.modRev, CreateRevision: r.createRev}, nil
}

// view runs fn in a read transaction, reporting a closed database as
// store.ErrClosed.
func (s *Store) view(ctx context.Context, fn func(*bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.View(fn)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return store.ErrClosed
	}
	return err
}

// Commits is how many transactions have been committed (each one fsynced),
// so that callers can measure how many writes share an fsync.
func (s *Store) Commits() int64 { return s.commits.Load() }

// Close implements store.Store. Writes already queued are committed; new
// ones fail with store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.queue)
	s.mu.Unlock()

	<-s.committerDone
	close(s.closing)
	s.watchers.Wait()
	return s.db.Close()
}
