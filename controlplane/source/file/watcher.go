// Package file is the Path Watcher: a config source that reads Gateway API
// manifests from files and directories, and publishes them again whenever
// they change.
package file

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// Defaults for the Options.
const (
	// DefaultDebounce is how long the watcher waits for a burst of events
	// (an editor's save is several) to end before it reads the files.
	DefaultDebounce = 100 * time.Millisecond
	// DefaultResync is how often the files are read even without an event,
	// which catches what no event announces (a watched directory that is
	// removed and created again, an event queue overflow).
	DefaultResync = 30 * time.Second
	// maxDelay bounds the debounce under a steady stream of events, so a
	// change is seen within a second even while something keeps writing.
	maxDelay = 500 * time.Millisecond
)

// Option configures a Watcher.
type Option func(*Watcher)

// WithValidator runs v on every decoded object (see resource.Validator).
func WithValidator(v resource.Validator) Option {
	return func(w *Watcher) { w.dec.Validator = v }
}

// WithDebounce sets the quiet time after the last event before the files
// are read.
func WithDebounce(d time.Duration) Option {
	return func(w *Watcher) { w.debounce = d }
}

// WithResync sets how often the files are read without an event; 0 turns
// it off.
func WithResync(d time.Duration) Option {
	return func(w *Watcher) { w.resync = d }
}

// Watcher publishes the objects of a set of files and directories as one
// *resource.Resources under one key of a message.Map.
//
// Every file is decoded on its own. A file that fails to parse, or holds an
// object that fails a check, is reported and its last good content stays
// in force; the other files are unaffected. A deleted file takes its objects
// with it. An object defined in several files is taken from the first file
// in path order (directories in name order) and the others are reported.
//
// The published Resources and its objects are shared with every subscriber
// and must not be modified.
type Watcher struct {
	targets  []target
	key      string
	out      *message.Map[string, *resource.Resources]
	log      *slog.Logger
	dec      resource.Decoder
	debounce time.Duration
	resync   time.Duration

	ready     chan struct{}
	readyOnce sync.Once

	// The fields below belong to the goroutine running Run.
	files     map[string]*fileState
	warned    map[string]bool // skipped kinds already warned about
	reported  map[string]bool // duplicate definitions currently reported
	gens      map[resource.Key]generation
	published bool
}

// target is one path the watcher was given.
type target struct {
	path  string // absolute and clean
	isDir bool
}

// New returns a Watcher of paths (files or directories; a directory's
// *.yaml, *.yml and *.json files are read, not recursively) that publishes
// to out under key. A path that does not exist yet is watched for: one whose
// name looks like a manifest is taken for a file, any other for a directory.
func New(paths []string, key string, out *message.Map[string, *resource.Resources], log *slog.Logger, opts ...Option) *Watcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{
		key: key, out: out, log: log.With("source", "file", "key", key),
		debounce: DefaultDebounce, resync: DefaultResync,
		ready:  make(chan struct{}),
		files:  map[string]*fileState{},
		warned: map[string]bool{}, reported: map[string]bool{}, gens: map[resource.Key]generation{},
	}
	for _, o := range opts {
		o(w)
	}
	for _, p := range paths {
		w.targets = append(w.targets, newTarget(p))
	}
	return w
}

// Ready is closed once the first state has been published.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Run publishes the current state of the paths, then watches them and
// publishes every change, until ctx ends. It returns an error only if the
// file system cannot be watched at all.
func (w *Watcher) Run(ctx context.Context) error {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("file source: %w", err)
	}
	defer fsw.Close()
	for _, t := range w.targets {
		if !t.exists() {
			w.log.Warn("path does not exist yet; watching for it", "path", t.path)
		}
	}
	w.ensureWatches(fsw)
	w.sync()

	d := newDebouncer(w.debounce, maxDelay)
	defer d.stop()
	var tick <-chan time.Time
	if w.resync > 0 {
		t := time.NewTicker(w.resync)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fsw.Events:
			if !ok {
				return nil
			}
			if w.relevant(ev) {
				d.poke()
			}
		case err, ok := <-fsw.Errors:
			if !ok {
				return nil
			}
			// An overflow loses events; reading everything recovers.
			w.log.Warn("file watch error; reading all files again", "error", err)
			d.poke()
		case <-d.C():
			d.fired()
			w.ensureWatches(fsw)
			w.sync()
		case <-tick:
			w.ensureWatches(fsw)
			w.sync()
		}
	}
}

func newTarget(p string) target {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	t := target{path: filepath.Clean(p)}
	if fi, err := statFollow(t.path); err == nil {
		t.isDir = fi.IsDir()
	} else {
		t.isDir = !resource.IsManifestFile(filepath.Base(t.path))
	}
	return t
}

func (t target) exists() bool {
	_, err := statFollow(t.path)
	return err == nil
}

// dirs lists the directories to watch for t: its parent, which sees the
// path itself replaced, created or removed, and, for a directory, itself.
// Watching directories rather than files is what makes an editor's
// write-to-temporary-then-rename visible.
func (t target) dirs() []string {
	if t.isDir {
		return []string{t.path, filepath.Dir(t.path)}
	}
	return []string{filepath.Dir(t.path)}
}

// ensureWatches adds the watches that are missing, for instance on a
// directory that has been created since the last attempt.
func (w *Watcher) ensureWatches(fsw *fsnotify.Watcher) {
	have := map[string]bool{}
	for _, p := range fsw.WatchList() {
		have[p] = true
	}
	for _, t := range w.targets {
		for _, d := range t.dirs() {
			if !have[d] && fsw.Add(d) == nil {
				have[d] = true
			}
		}
	}
}

// relevant reports whether ev may change what the targets hold. Names
// starting with ".." matter too: a Kubernetes ConfigMap volume updates its
// files by swapping a "..data" link, and the files themselves see no event.
func (w *Watcher) relevant(ev fsnotify.Event) bool {
	name := filepath.Clean(ev.Name)
	dir, base := filepath.Dir(name), filepath.Base(name)
	for _, t := range w.targets {
		switch {
		case name == t.path:
			return true
		case t.isDir && dir == t.path:
			return true
		case !t.isDir && dir == filepath.Dir(t.path) && strings.HasPrefix(base, ".."):
			return true
		}
	}
	return false
}
