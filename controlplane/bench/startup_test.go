package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
)

// Both start-up measurements run the real server binary and return only
// once a proxy has ACKed every type; these checks are about that working,
// not about the time.
func TestStartupMeasurementsSyncAProxy(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "envoy-gateway")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/envoy-gateway").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "routes.yaml")
	if err := workload.Generate(30, 1).WriteYAMLFile(file); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		source  string
		measure func(binary, dir, file string, routes int) (*StartupResult, error)
	}{{"files", MeasureStartupFromFiles}, {"store", MeasureStartupFromStore}} {
		sub := filepath.Join(dir, m.source)
		if err := os.MkdirAll(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		r, err := m.measure(bin, sub, file, 30)
		if err != nil {
			t.Fatalf("%s: %v", m.source, err)
		}
		if r.Source != m.source || r.Routes != 30 || r.Ms <= 0 {
			t.Errorf("%s: result %+v", m.source, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "store", "data", "store.db")); err != nil {
		t.Errorf("the store measurement left no store: %v", err)
	}
}

func TestFillStoreRefusesInvalidManifests(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	bad := "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\nspec:\n  rules:\n  - matches:\n    - path: {type: PathPrefix, value: no-slash}\n"
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fillStore(filepath.Join(dir, "store.db"), file); err == nil {
		t.Fatal("an invalid manifest filled the store")
	}
}
