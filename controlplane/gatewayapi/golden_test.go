package gatewayapi

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

var update = flag.Bool("update", false, "rewrite testdata/*.out.yaml from the current translator")

// fixedNow keeps lastTransitionTime stable in golden files.
var fixedNow = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }

func goldenInputs(t testing.TB) []string {
	files, err := filepath.Glob("testdata/*.in.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	return files
}

func loadResources(t testing.TB, path string) *resource.Resources {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, skipped, errs := resource.Decode(data, path)
	if len(errs) > 0 {
		t.Fatalf("decode %s: %v", path, errs)
	}
	if len(skipped) > 0 {
		t.Fatalf("decode %s: unexpected kinds %v", path, skipped)
	}
	return res
}

func render(t testing.TB, r *Result) []byte {
	t.Helper()
	out, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGolden translates each testdata/<case>.in.yaml and compares with
// <case>.out.yaml (IR, then the objects whose status we own). Run with
// -update to rewrite the outputs, then read the diff.
func TestGolden(t *testing.T) {
	for _, in := range goldenInputs(t) {
		name := strings.TrimSuffix(filepath.Base(in), ".in.yaml")
		t.Run(name, func(t *testing.T) {
			res := loadResources(t, in)
			result := Translate(res, Options{Now: fixedNow})
			checkInvariants(t, result)
			got := render(t, result)

			// The same objects in another order must give the same output.
			if again := render(t, Translate(shuffled(res, 1), Options{Now: fixedNow})); !bytes.Equal(got, again) {
				t.Errorf("output depends on input order:\n%s", lineDiff(got, again))
			}

			out := strings.TrimSuffix(in, ".in.yaml") + ".out.yaml"
			if *update {
				if err := os.WriteFile(out, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the translator's output (-want +got):\n%s", out, lineDiff(want, got))
			}
		})
	}
}

func shuffled(res *resource.Resources, seed uint64) *resource.Resources {
	r := rand.New(rand.NewPCG(seed, seed))
	out := *res
	out.GatewayClasses = shuffle(r, res.GatewayClasses)
	out.Gateways = shuffle(r, res.Gateways)
	out.HTTPRoutes = shuffle(r, res.HTTPRoutes)
	out.ReferenceGrants = shuffle(r, res.ReferenceGrants)
	out.Namespaces = shuffle(r, res.Namespaces)
	out.Services = shuffle(r, res.Services)
	out.EndpointSlices = shuffle(r, res.EndpointSlices)
	out.Backends = shuffle(r, res.Backends)
	out.Secrets = shuffle(r, res.Secrets)
	out.TLSRoutes = shuffle(r, res.TLSRoutes)
	out.TCPRoutes = shuffle(r, res.TCPRoutes)
	out.UDPRoutes = shuffle(r, res.UDPRoutes)
	out.GRPCRoutes = shuffle(r, res.GRPCRoutes)
	return &out
}

func shuffle[T any](r *rand.Rand, in []T) []T {
	out := append([]T(nil), in...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// lineDiff is a minimal diff: the differing lines by number.
func lineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 40; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n-%s\n+%s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}
