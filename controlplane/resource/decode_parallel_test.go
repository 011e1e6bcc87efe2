package resource

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// rejectBad fails objects whose name starts with "bad" and defaults a
// label on the others, so that both outcomes of the hook are exercised.
func rejectBad(obj map[string]any) (map[string]any, field.ErrorList) {
	meta, _ := obj["metadata"].(map[string]any)
	if name, _ := meta["name"].(string); strings.HasPrefix(name, "bad") {
		return nil, field.ErrorList{field.Invalid(field.NewPath("metadata", "name"), name, "rejected by test")}
	}
	meta["labels"] = map[string]any{"validated": "yes"}
	return obj, nil
}

type concurrentFunc ValidatorFunc

func (f concurrentFunc) Validate(obj map[string]any) (map[string]any, field.ErrorList) { return f(obj) }
func (concurrentFunc) ConcurrentSafe()                                                 {}

// Decoding documents in parallel gives exactly what decoding them one by
// one gives: objects, skipped kinds, and errors (duplicates included) in
// the same order.
func TestParallelDecodeSameAsSequential(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	inputs := map[string][]byte{}
	files, _ := filepath.Glob("testdata/decode/*.in.yaml")
	conf, _ := filepath.Glob("testdata/conformance/*.yaml")
	for _, f := range append(files, conf...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	var b strings.Builder
	for i := range 40 {
		name := fmt.Sprintf("r%d", i%30) // 10 duplicates
		if i%7 == 0 {
			name = fmt.Sprintf("bad-%d", i)
		}
		fmt.Fprintf(&b, "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: %s}\nspec: {hostnames: [a.example]}\n", name)
		if i%9 == 0 {
			b.WriteString("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\nkind: [oops\n")
		}
	}
	b.WriteString("---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: n1}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: bad-n}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: n1}}\n")
	inputs["generated"] = []byte(b.String())

	for name, data := range inputs {
		seqRes, seqSk, seqErrs := (&Decoder{Validator: ValidatorFunc(rejectBad)}).Decode(data, name)
		parRes, parSk, parErrs := (&Decoder{Validator: concurrentFunc(rejectBad)}).Decode(data, name)
		if got, want := errorStrings(parErrs), errorStrings(seqErrs); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: errors in parallel:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !reflect.DeepEqual(parSk, seqSk) {
			t.Errorf("%s: skipped %v, want %v", name, parSk, seqSk)
		}
		if !reflect.DeepEqual(parRes, seqRes) {
			t.Errorf("%s: objects differ", name)
		}
		if name == "generated" && (len(seqErrs) < 10 || seqRes.Len() == 0) {
			t.Fatalf("generated manifest gave %d errors and %d objects: it does not exercise errors and duplicates", len(seqErrs), seqRes.Len())
		}
	}
}

func errorStrings(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}
