package resource

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func nsDoc(name string) string {
	return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
}

func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.yaml": "", "a.yml": "", "c.json": "", "d.YAML": "",
		"notes.txt": "", ".#a.yaml": "", ".hidden.yaml": "", "sub/x.yaml": "",
	})
	other := filepath.Join(t.TempDir(), "extra.conf")
	writeFiles(t, filepath.Dir(other), map[string]string{"extra.conf": ""})

	got, err := ExpandPaths(other, dir, filepath.Join(dir, "b.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{other}
	for _, n := range []string{"a.yml", "b.yaml", "c.json", "d.YAML"} {
		want = append(want, filepath.Join(dir, n))
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if _, err := ExpandPaths(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: err = %v", err)
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"10-ns.yaml":  nsDoc("a") + "---\n" + nsDoc("b"),
		"20-dup.yaml": nsDoc("b") + "---\napiVersion: apps/v1\nkind: Deployment\n",
		"30-bad.json": `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c", "bogus": 1}}`,
		"40-ok.yaml":  nsDoc("d"),
	})
	res, sk, errs := LoadFiles(dir)
	if got := keysOf(res); !slices.Equal(got, []string{"Namespace a", "Namespace b", "Namespace d"}) {
		t.Errorf("objects %q", got)
	}
	if sk["apps/v1 Deployment"] != 1 {
		t.Errorf("skipped %v", sk)
	}
	want := []string{
		filepath.Join(dir, "30-bad.json") + ":1: document 0 (Namespace c): metadata.bogus: unknown field",
		filepath.Join(dir, "20-dup.yaml") + ": Namespace b is already defined in " + filepath.Join(dir, "10-ns.yaml") + "; this definition is ignored",
	}
	if len(errs) != len(want) {
		t.Fatalf("errs = %v", errs)
	}
	for i := range want {
		if errs[i].Error() != want[i] {
			t.Errorf("error %d:\n got  %s\n want %s", i, errs[i], want[i])
		}
	}
}

func TestLoadFilesMissing(t *testing.T) {
	_, _, errs := LoadFiles(filepath.Join(t.TempDir(), "nope.yaml"))
	if len(errs) != 1 || !errors.Is(errs[0], fs.ErrNotExist) {
		t.Errorf("errs = %v", errs)
	}
}
