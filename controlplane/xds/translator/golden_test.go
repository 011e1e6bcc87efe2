package translator

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

var update = flag.Bool("update", false, "rewrite testdata/*.out.yaml from the translator's output")

// TestGolden translates testdata/<case>.in.yaml (an ir.Xds) and compares
// with <case>.out.yaml. A case whose input is invalid has the error message
// as its output, so the message is reviewed like any other output.
func TestGolden(t *testing.T) {
	ins, err := filepath.Glob("testdata/*.in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.yaml")
		t.Run(name, func(t *testing.T) {
			got := translateFile(t, in)
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
				t.Errorf("output differs from %s (run with -update and review the diff):\n%s", out, got)
			}
		})
	}
}

func translateFile(t *testing.T, path string) []byte {
	t.Helper()
	x := readIR(t, path)
	rs, err := Translate(x)
	if err != nil {
		b, merr := yaml.Marshal(map[string]string{"error": err.Error()})
		if merr != nil {
			t.Fatal(merr)
		}
		return b
	}
	// Translating again must give the same bytes: snapshot versions are
	// content hashes, so any nondeterminism would re-send everything.
	again, err := Translate(readIR(t, path))
	if err != nil {
		t.Fatal(err)
	}
	b1, err := rs.YAML()
	if err != nil {
		t.Fatal(err)
	}
	b2, err := again.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatal("two translations of the same IR differ")
	}
	return b1
}

func readIR(t *testing.T, path string) *ir.Xds {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := &ir.Xds{}
	// Strict: a misspelt field in a test input would otherwise test nothing.
	if err := yaml.UnmarshalStrict(data, x); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}
