package file

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// waitTimeout only stops a hung test; nothing here asserts how fast a change
// arrives.
const waitTimeout = 20 * time.Second

// logBuffer collects slog records as JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the logged records whose message contains msg.
func (b *logBuffer) records(msg string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(b.buf.String(), "\n") {
		var r map[string]any
		if json.Unmarshal([]byte(line), &r) == nil && strings.Contains(r["msg"].(string), msg) {
			out = append(out, r)
		}
	}
	return out
}

// harness runs a Watcher for one test.
type harness struct {
	t    *testing.T
	dir  string
	out  *message.Map[string, *resource.Resources]
	logs *logBuffer
	sub  <-chan message.MapUpdate[string, *resource.Resources]
	last *resource.Resources
}

func start(t *testing.T, dir string, paths []string, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, dir: dir, out: message.NewMap[string, *resource.Resources]("resources"), logs: &logBuffer{}}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := New(paths, "file", h.out, log, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitTimeout):
			t.Error("Run did not return after cancel")
		}
	})
	select {
	case <-w.Ready():
	case err := <-done:
		t.Fatalf("Run returned before ready: %v", err)
	case <-time.After(waitTimeout):
		t.Fatal("not ready")
	}
	h.sub = h.out.Subscribe(ctx)
	h.last = h.out.Load()["file"]
	return h
}

// waitFor waits for a published state for which ok holds.
func (h *harness) waitFor(what string, ok func(keys []string) bool) {
	h.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		if h.last != nil && ok(keys(h.last)) {
			return
		}
		select {
		case u := <-h.sub:
			h.last = u.State["file"]
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; last state %q", what, keys(h.last))
		}
	}
}

// waitLog waits until n records contain msg, and returns them: a write to one
// file can be published before the watcher has read an earlier write to
// another.
func (h *harness) waitLog(msg string, n int) []map[string]any {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		recs := h.logs.records(msg)
		if len(recs) >= n || time.Now().After(deadline) {
			return recs
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) waitKeys(want ...string) {
	h.t.Helper()
	h.waitFor(strings.Join(want, ", "), func(got []string) bool { return slices.Equal(got, want) })
}

func keys(r *resource.Resources) []string {
	var out []string
	if r != nil {
		r.Walk(func(k resource.Key, _ resource.Object) bool {
			out = append(out, k.String())
			return true
		})
	}
	return out
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// atomicWrite writes as editors and config tools do: a temporary file in the
// same directory, renamed over the target.
func atomicWrite(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	write(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func ns(names ...string) string {
	var docs []string
	for _, n := range names {
		docs = append(docs, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "+n+"\n")
	}
	return strings.Join(docs, "---\n")
}

func TestInitialLoadAndEdits(t *testing.T) {
	dir := t.TempDir()
	single := filepath.Join(t.TempDir(), "single.yaml")
	write(t, filepath.Join(dir, "a.yaml"), ns("a1", "a2"))
	write(t, filepath.Join(dir, "b.json"), `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}`)
	write(t, filepath.Join(dir, "notes.txt"), ns("ignored"))
	write(t, single, ns("s"))

	h := start(t, dir, []string{dir, single})
	if got := keys(h.last); !slices.Equal(got, []string{"Namespace a1", "Namespace a2", "Namespace b", "Namespace s"}) {
		t.Fatalf("initial state %q", got)
	}

	write(t, filepath.Join(dir, "a.yaml"), ns("a1", "a3"))
	h.waitKeys("Namespace a1", "Namespace a3", "Namespace b", "Namespace s")

	write(t, single, ns("s2"))
	h.waitKeys("Namespace a1", "Namespace a3", "Namespace b", "Namespace s2")

	write(t, filepath.Join(dir, "c.yml"), ns("c"))
	h.waitKeys("Namespace a1", "Namespace a3", "Namespace b", "Namespace c", "Namespace s2")

	if err := os.Remove(filepath.Join(dir, "b.json")); err != nil {
		t.Fatal(err)
	}
	h.waitKeys("Namespace a1", "Namespace a3", "Namespace c", "Namespace s2")

	if err := os.Remove(single); err != nil {
		t.Fatal(err)
	}
	h.waitKeys("Namespace a1", "Namespace a3", "Namespace c")

	// The single file comes back: its parent directory is still watched.
	write(t, single, ns("s3"))
	h.waitKeys("Namespace a1", "Namespace a3", "Namespace c", "Namespace s3")
}

func TestBrokenFileKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	write(t, a, ns("a"))
	write(t, b, ns("b"))
	h := start(t, dir, []string{dir})
	h.waitKeys("Namespace a", "Namespace b")

	// A syntax error: a is kept as it was, b still updates.
	write(t, a, ns("a-new")+"---\nfoo: [\n")
	write(t, b, ns("b2"))
	h.waitKeys("Namespace a", "Namespace b2")
	recs := h.waitLog("keeping the file's last good content", 1)
	if len(recs) != 1 || recs[0]["file"] != a || recs[0]["document"] != float64(1) ||
		!strings.Contains(recs[0]["error"].(string), "invalid YAML") {
		t.Fatalf("broken file not reported as expected: %v", recs)
	}

	// An invalid object is the same: the whole file keeps its last good content.
	write(t, a, ns("a-new")+"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  typo: 1\n")
	write(t, b, ns("b3"))
	h.waitKeys("Namespace a", "Namespace b3")
	recs = h.waitLog("keeping the file's last good content", 2)
	if len(recs) != 2 || recs[1]["field"] != "metadata.typo" || recs[1]["document"] != float64(1) || recs[1]["line"] != float64(10) {
		t.Fatalf("invalid object not reported as expected: %v", recs)
	}

	// Fixed: the new content takes over.
	write(t, a, ns("a-fixed"))
	h.waitKeys("Namespace a-fixed", "Namespace b3")

	// A new file that is broken from the start contributes nothing.
	write(t, filepath.Join(dir, "c.yaml"), "foo: [\n")
	write(t, b, ns("b4"))
	h.waitKeys("Namespace a-fixed", "Namespace b4")
	if recs := h.waitLog("the file is ignored until it is fixed", 1); len(recs) != 1 {
		t.Fatalf("new broken file: %v", recs)
	}
}

func TestAtomicRenameOver(t *testing.T) {
	dir := t.TempDir()
	inDir := filepath.Join(dir, "routes.yaml")
	single := filepath.Join(t.TempDir(), "one.yaml")
	write(t, inDir, ns("a"))
	write(t, single, ns("s"))
	h := start(t, dir, []string{dir, single})
	h.waitKeys("Namespace a", "Namespace s")

	atomicWrite(t, inDir, ns("a2"))
	h.waitKeys("Namespace a2", "Namespace s")
	atomicWrite(t, single, ns("s2"))
	h.waitKeys("Namespace a2", "Namespace s2")
	atomicWrite(t, inDir, ns("a3"))
	atomicWrite(t, single, ns("s3"))
	h.waitKeys("Namespace a3", "Namespace s3")
}

// TestConfigMapVolume updates files the way the kubelet updates a ConfigMap
// volume: the files are links through "..data", which is swapped at once.
func TestConfigMapVolume(t *testing.T) {
	dir := t.TempDir()
	mkdirWith := func(name, content string) {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, name, "routes.yaml"), content)
	}
	mkdirWith("..v1", ns("v1"))
	if err := os.Symlink("..v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/routes.yaml", filepath.Join(dir, "routes.yaml")); err != nil {
		t.Fatal(err)
	}
	h := start(t, dir, []string{dir})
	h.waitKeys("Namespace v1")

	mkdirWith("..v2", ns("v2"))
	if err := os.Symlink("..v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	h.waitKeys("Namespace v2")
}

func TestSkippedKindWarnedOnce(t *testing.T) {
	dir := t.TempDir()
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	write(t, filepath.Join(dir, "a.yaml"), deploy+"---\n"+deploy+"---\n"+ns("a"))
	write(t, filepath.Join(dir, "b.yaml"), deploy+"---\napiVersion: v1\nkind: Pod\n")
	h := start(t, dir, []string{dir})
	h.waitKeys("Namespace a")

	write(t, filepath.Join(dir, "a.yaml"), deploy+"---\n"+ns("a2"))
	h.waitKeys("Namespace a2")
	write(t, filepath.Join(dir, "c.yaml"), deploy+"---\n"+ns("c"))
	h.waitKeys("Namespace a2", "Namespace c")

	recs := h.logs.records("skipping objects of a kind")
	var kinds []string
	for _, r := range recs {
		kinds = append(kinds, r["kind"].(string))
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"apps/v1 Deployment", "v1 Pod"}) {
		t.Errorf("warnings for %q, want one per kind", kinds)
	}
}

func TestDuplicateAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), ns("shared", "a"))
	write(t, filepath.Join(dir, "b.yaml"), ns("shared", "b"))
	h := start(t, dir, []string{dir})
	h.waitKeys("Namespace a", "Namespace b", "Namespace shared")

	write(t, filepath.Join(dir, "b.yaml"), ns("shared", "b2"))
	h.waitKeys("Namespace a", "Namespace b2", "Namespace shared")
	recs := h.logs.records("duplicate object")
	want := filepath.Join(dir, "b.yaml") + ": Namespace shared is already defined in " + filepath.Join(dir, "a.yaml") + "; this definition is ignored"
	if len(recs) != 1 || recs[0]["error"] != want {
		t.Errorf("duplicate reports %v, want one: %s", recs, want)
	}
}

func TestMissingPathAppears(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "conf.d")
	h := start(t, parent, []string{dir})
	if got := keys(h.last); len(got) != 0 {
		t.Fatalf("initial state %q", got)
	}
	if len(h.logs.records("does not exist yet")) != 1 {
		t.Error("missing path not reported")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The file may land before or after the watcher adds its watch on the
	// new directory; it must be seen either way.
	write(t, filepath.Join(dir, "a.yaml"), ns("a"))
	h.waitKeys("Namespace a")
	write(t, filepath.Join(dir, "a.yaml"), ns("a2"))
	h.waitKeys("Namespace a2")
}

func TestWithValidator(t *testing.T) {
	dir := t.TempDir()
	rejectX := resource.ValidatorFunc(func(obj map[string]any) (map[string]any, field.ErrorList) {
		if obj["metadata"].(map[string]any)["name"] == "x" {
			return nil, field.ErrorList{field.Forbidden(field.NewPath("metadata", "name"), "x is reserved")}
		}
		return nil, nil
	})
	write(t, filepath.Join(dir, "a.yaml"), ns("a"))
	h := start(t, dir, []string{dir}, WithValidator(rejectX))
	h.waitKeys("Namespace a")

	write(t, filepath.Join(dir, "a.yaml"), ns("a2", "x"))
	write(t, filepath.Join(dir, "b.yaml"), ns("b"))
	h.waitKeys("Namespace a", "Namespace b")
	recs := h.waitLog("keeping the file's last good content", 1)
	if len(recs) != 1 || recs[0]["field"] != "metadata.name" || !strings.Contains(recs[0]["error"].(string), "x is reserved") {
		t.Errorf("validator rejection not reported: %v", recs)
	}
}

// Generations move as on an API server: 1 at first, +1 when anything
// outside metadata and status changes, unchanged for a label edit.
func TestGenerationFollowsSpecChanges(t *testing.T) {
	dir := t.TempDir()
	gw := func(port, label string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  labels: {team: " + label + "}\nspec:\n  gatewayClassName: eg\n  listeners:\n  - {name: http, protocol: HTTP, port: " + port + "}\n"
	}
	write(t, filepath.Join(dir, "gw.yaml"), gw("80", "a"))
	write(t, filepath.Join(dir, "ns.yaml"), ns("a"))
	h := start(t, dir, []string{dir})
	generationOf := func(r *resource.Resources) int64 {
		if len(r.Gateways) != 1 {
			return -1
		}
		return r.Gateways[0].Generation
	}
	wantGen := func(port string, want int64) {
		t.Helper()
		h.waitFor("gateway on port "+port, func([]string) bool {
			g := h.last.Gateways
			return len(g) == 1 && fmt.Sprint(g[0].Spec.Listeners[0].Port) == port && g[0].Labels["team"] != ""
		})
		if got := generationOf(h.last); got != want {
			t.Fatalf("port %s: generation %d, want %d", port, got, want)
		}
	}
	wantGen("80", 1)
	write(t, filepath.Join(dir, "gw.yaml"), gw("8080", "a"))
	wantGen("8080", 2)
	// A label is metadata: no new generation.
	write(t, filepath.Join(dir, "gw.yaml"), gw("8080", "b"))
	h.waitFor("label b", func([]string) bool { g := h.last.Gateways; return len(g) == 1 && g[0].Labels["team"] == "b" })
	if got := generationOf(h.last); got != 2 {
		t.Fatalf("after a label edit: generation %d, want 2", got)
	}
	// Another file's edit leaves it alone.
	write(t, filepath.Join(dir, "ns.yaml"), ns("a", "b"))
	h.waitKeys("Gateway default/gw", "Namespace a", "Namespace b")
	if got := generationOf(h.last); got != 2 {
		t.Fatalf("after another file changed: generation %d, want 2", got)
	}
}
