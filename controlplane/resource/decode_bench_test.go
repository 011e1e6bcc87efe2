package resource_test

import (
	"bytes"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// passValidator keeps every object as written: the decoder's own cost
// with the validator hook in use, without the CRD validator's.
type passValidator struct{}

func (passValidator) Validate(obj map[string]any) (map[string]any, field.ErrorList) { return obj, nil }
func (passValidator) ConcurrentSafe()                                               {}

// passShortcut is passValidator telling the decoder that it drops no
// unknown field, as the CRD validator does on a valid object: the
// decoder's shortcut, which translate -f takes for every object.
type passShortcut struct{ passValidator }

func (passShortcut) ValidateUnknown(obj map[string]any) (map[string]any, []string, field.ErrorList) {
	return obj, nil, nil
}

func workloadYAML(b *testing.B, routes int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := workload.Generate(routes, 1).WriteYAML(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecodeWorkload decodes the benchmark's 1,000-route manifest
// with no validator, with a hook that changes nothing, and with the CRD
// validator (what translate -f and the file source do). Run with -cpu=1
// to read CPU per manifest.
func BenchmarkDecodeWorkload(b *testing.B) {
	data := workloadYAML(b, 1000)
	crd, err := validation.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		v    resource.Validator
	}{{"none", nil}, {"hook", passValidator{}}, {"shortcut", passShortcut{}}, {"crd", crd.ForDecoder()}} {
		b.Run(c.name, func(b *testing.B) {
			dec := &resource.Decoder{Validator: c.v}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, errs := dec.Decode(data, "routes.yaml"); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		})
	}
}

// The benchmark workload is written in the plain style the fast YAML
// reader is for: it must take every document, or the benchmark measures
// go-yaml again.
func TestFastYAMLTakesWorkload(t *testing.T) {
	for seed := range uint64(3) {
		var buf bytes.Buffer
		if err := workload.Generate(300, seed+1).WriteYAML(&buf); err != nil {
			t.Fatal(err)
		}
		for i, doc := range resource.SplitDocuments(buf.Bytes()) {
			if _, ok := resource.SimpleYAMLToJSON(doc); !ok {
				t.Fatalf("seed %d document %d not taken by the fast reader:\n%s", seed+1, i, doc)
			}
		}
	}
}
