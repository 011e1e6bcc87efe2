package resource

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// IsManifestFile reports whether a directory entry named name is read as a
// manifest: *.yaml, *.yml or *.json, and not a dot-file (editors keep swap
// and lock files such as ".#routes.yaml" next to the real ones).
func IsManifestFile(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// ExpandPaths turns paths into the list of files to read: a file is taken
// whatever its name; a directory contributes its manifest files (not
// recursively), sorted by name. Paths keep the order given, and a file named
// twice is read once, at its first place. That order is the order in which
// the first of two definitions of an object wins.
func ExpandPaths(paths ...string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			add(filepath.Clean(p))
			continue
		}
		names, err := ManifestsInDir(p)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			add(n)
		}
	}
	return files, nil
}

// ManifestsInDir lists the manifest files of dir, sorted. Symbolic links are
// followed, so a Kubernetes ConfigMap volume (files linked through "..data")
// reads as plain files.
func ManifestsInDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !IsManifestFile(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			continue
		}
		files = append(files, path)
	}
	slices.Sort(files)
	return files, nil
}

// LoadFiles reads and decodes paths with a zero Decoder.
func LoadFiles(paths ...string) (*Resources, Skipped, []error) {
	return (&Decoder{}).LoadFiles(paths...)
}

// LoadFiles reads the files ExpandPaths names and decodes them. An object
// defined in several files is taken from the first, and the others are
// reported (*DuplicateError). The result is sorted. It returns every object
// that decoded cleanly even when there are errors; a caller that wants all
// or nothing checks the errors.
func (d *Decoder) LoadFiles(paths ...string) (*Resources, Skipped, []error) {
	skipped := Skipped{}
	files, err := ExpandPaths(paths...)
	if err != nil {
		return &Resources{}, skipped, []error{err}
	}
	var errs []error
	parts := make([]Part, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		res, sk, derrs := d.Decode(data, f)
		skipped.Merge(sk)
		errs = append(errs, derrs...)
		parts = append(parts, Part{Source: f, Resources: res})
	}
	res, dups := Union(parts...)
	return res, skipped, append(errs, dups...)
}
