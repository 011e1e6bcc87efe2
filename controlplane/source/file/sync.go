package file

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"slices"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// fileState is what the watcher knows of one file.
type fileState struct {
	// content is what was last read, good or not, so that an unchanged file
	// is neither decoded nor reported again.
	content []byte
	// good is the decoded content of the last version without errors, nil
	// if there never was one.
	good *resource.Resources
}

// statFollow is os.Stat: links are followed, so a link to a file is a file.
func statFollow(p string) (fs.FileInfo, error) { return os.Stat(p) }

// sync reads every file, decodes those that changed, and publishes the union
// if what is in force changed (or nothing was published yet).
func (w *Watcher) sync() {
	files := w.list()
	changed := false
	present := map[string]bool{}
	for _, f := range files {
		present[f] = true
		if w.load(f) {
			changed = true
		}
	}
	for f, st := range w.files {
		if !present[f] {
			delete(w.files, f)
			if st.good != nil {
				w.log.Info("file removed; its objects are withdrawn", "file", f)
				changed = true
			}
		}
	}
	if changed || !w.published {
		w.publish(files)
	}
}

// list returns the files of the targets, in the order in which their
// objects take precedence. Missing paths contribute nothing.
func (w *Watcher) list() []string {
	var files []string
	seen := map[string]bool{}
	for _, t := range w.targets {
		var names []string
		if t.isDir {
			var err error
			names, err = resource.ManifestsInDir(t.path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				w.log.Error("cannot list directory", "path", t.path, "error", err)
			}
		} else if fi, err := statFollow(t.path); err == nil && !fi.IsDir() {
			names = []string{t.path}
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				files = append(files, n)
			}
		}
	}
	return files
}

// load reads file f and reports whether what is in force for it changed.
func (w *Watcher) load(f string) bool {
	st := w.files[f]
	if st == nil {
		st = &fileState{}
		w.files[f] = st
	}
	data, err := os.ReadFile(f)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// Removed between listing and reading; the next sync sees it gone.
			return false
		}
		w.log.Error("cannot read file; keeping its last good content", "file", f, "error", err)
		return false
	}
	if st.content != nil && bytes.Equal(st.content, data) {
		return false
	}
	st.content = data
	res, skipped, errs := w.dec.Decode(data, f)
	w.warnSkipped(f, skipped)
	if len(errs) > 0 {
		w.reportInvalid(f, st.good != nil, errs)
		return false
	}
	st.good = res
	return true
}

func (w *Watcher) reportInvalid(f string, kept bool, errs []error) {
	msg := "invalid manifest; the file is ignored until it is fixed"
	if kept {
		msg = "invalid manifest; keeping the file's last good content"
	}
	for _, err := range errs {
		attrs := []any{"file", f, "error", err.Error()}
		var e *resource.Error
		if errors.As(err, &e) {
			attrs = append(attrs, "line", e.Line, "document", e.Document, "field", e.Field)
		}
		w.log.Error(msg, attrs...)
	}
}

// warnSkipped warns once per kind over the watcher's life: a directory that
// mixes workloads with routes would otherwise repeat it on every change.
func (w *Watcher) warnSkipped(f string, skipped resource.Skipped) {
	kinds := make([]string, 0, len(skipped))
	for k := range skipped {
		if !w.warned[k] {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		w.warned[k] = true
		w.log.Warn("skipping objects of a kind this control plane does not handle", "kind", k, "file", f)
	}
}

// publish stores the union of the files' good contents.
func (w *Watcher) publish(files []string) {
	parts := make([]resource.Part, 0, len(files))
	for _, f := range files {
		if st := w.files[f]; st != nil && st.good != nil {
			parts = append(parts, resource.Part{Source: f, Resources: st.good})
		}
	}
	res, dups := resource.Union(parts...)
	w.reportDuplicates(dups)
	w.setGenerations(res)
	w.out.Store(w.key, res)
	w.published = true
	w.readyOnce.Do(func() { close(w.ready) })
	w.log.Info("published", "files", len(parts), "objects", res.Len())
}

// reportDuplicates logs a duplicate definition when it appears, not again on
// every later change while it lasts.
func (w *Watcher) reportDuplicates(dups []error) {
	now := map[string]bool{}
	for _, d := range dups {
		msg := d.Error()
		now[msg] = true
		if !w.reported[msg] {
			w.log.Warn("duplicate object", "error", msg)
		}
	}
	w.reported = now
}
