package resource

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// recordingValidator keeps a copy of every object it is shown, then
// defaults a label or rejects it as rejectBad does.
type recordingValidator struct {
	mu   sync.Mutex
	seen []string
}

func (v *recordingValidator) Validate(obj map[string]any) (map[string]any, field.ErrorList) {
	js, err := marshalJSON(obj)
	if err != nil {
		panic(err)
	}
	v.mu.Lock()
	v.seen = append(v.seen, string(js))
	v.mu.Unlock()
	return rejectBad(obj)
}

// unknownRecorder is a recordingValidator that is an
// UnknownFieldsValidator reporting nothing as unknown, so that the
// decoder's shortcut is taken; an object whose output does not decode is
// left to the straightforward path.
type unknownRecorder struct{ *recordingValidator }

func (v unknownRecorder) ValidateUnknown(obj map[string]any) (map[string]any, []string, field.ErrorList) {
	out, errs := v.Validate(obj)
	return out, nil, errs
}

// decodeWithMaps decodes data with a recording validator, the fast
// reader's maps on or off, and returns everything that can be seen.
func decodeWithMaps(data []byte, maps, unknown bool) (*Resources, Skipped, []string, []string) {
	defer func(old bool) { fastMaps = old }(fastMaps)
	fastMaps = maps
	rv := &recordingValidator{}
	var v Validator = rv
	if unknown {
		v = unknownRecorder{rv}
	}
	res, sk, errs := (&Decoder{Validator: v}).Decode(data, "in.yaml")
	return res, sk, errorStrings(errs), rv.seen
}

// The fast reader's maps change nothing the decoder returns or shows its
// Validator, on the shortcut and the straightforward path: every YAML
// file of the repository, the plain manifests, and mutations of them.
func TestFastMapsDecodeAlike(t *testing.T) {
	inputs := repoYAMLFiles(t)
	var gen strings.Builder
	for i := range 30 {
		name := fmt.Sprintf("r%d", i%20)
		if i%7 == 0 {
			name = fmt.Sprintf("bad-%d", i)
		}
		fmt.Fprintf(&gen, "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: %s\nspec:\n  hostnames:\n  - a.example\n", name)
		if i%5 == 0 {
			gen.WriteString("  bogus: 1\nstatus:\n  parents: []\n")
		}
	}
	inputs = append(inputs, []byte(gen.String()))
	rng := rand.New(rand.NewPCG(21, 22))
	for range 300 {
		inputs = append(inputs, mutateYAML(rng, inputs[rng.IntN(len(inputs))]))
	}
	fast := 0
	for i, data := range inputs {
		for _, unknown := range []bool{false, true} {
			wantRes, wantSk, wantErrs, wantSeen := decodeWithMaps(data, false, unknown)
			gotRes, gotSk, gotErrs, gotSeen := decodeWithMaps(data, true, unknown)
			what := fmt.Sprintf("input %d (unknown %v)", i, unknown)
			if !reflect.DeepEqual(gotErrs, wantErrs) {
				t.Fatalf("%s: errors\n%s\nwant\n%s\ninput:\n%s", what, strings.Join(gotErrs, "\n"), strings.Join(wantErrs, "\n"), data)
			}
			if !reflect.DeepEqual(gotSk, wantSk) || !reflect.DeepEqual(gotRes, wantRes) {
				t.Fatalf("%s: objects or skipped kinds differ\ninput:\n%s", what, data)
			}
			if !reflect.DeepEqual(gotSeen, wantSeen) {
				t.Fatalf("%s: the validator was shown\n%s\nwant\n%s", what, strings.Join(gotSeen, "\n"), strings.Join(wantSeen, "\n"))
			}
		}
		for _, d := range splitDocuments(data) {
			if _, ok := simpleYAMLValue(d.data); ok && bytes.Contains(d.data, []byte("kind:")) {
				fast++
			}
		}
	}
	if fast < 100 {
		t.Fatalf("only %d documents with a kind were read by the fast reader", fast)
	}
}
