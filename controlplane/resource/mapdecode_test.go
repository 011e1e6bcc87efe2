package resource

import (
	"encoding/json"
	"fmt"
	"math"
	randv1 "math/rand"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/randfill"
)

// checkDecodeMap decodes m into a new object of ki both ways: from the
// map, and from its JSON as the decoder did before. When decodeMap takes
// the map, the JSON decode must succeed with no strict error and give the
// same object. It reports whether decodeMap took it and whether the JSON
// decode succeeded.
func checkDecodeMap(t *testing.T, what string, ki *kindInfo, m map[string]any) (took, jsonOK bool) {
	t.Helper()
	js, err := marshalJSON(m)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	want := ki.newObject()
	strictErrs, err := sigsjson.UnmarshalStrict(js, want)
	jsonOK = err == nil && len(strictErrs) == 0
	got := ki.newObject()
	if !decodeMap(m, got) {
		return false, jsonOK
	}
	if !jsonOK {
		t.Fatalf("%s: decodeMap took what the JSON decode rejects (%v %v):\n%s", what, err, strictErrs, js)
	}
	if !reflect.DeepEqual(got, want) {
		gjs, _ := json.Marshal(got)
		wjs, _ := json.Marshal(want)
		t.Fatalf("%s: decodeMap differs from the JSON decode of\n%s\ngot  %s\nwant %s\n%#v\n%#v", what, js, gjs, wjs, got, want)
	}
	return true, true
}

func newFiller(seed uint64) *randfill.Filler {
	return randfill.New().RandSource(randv1.NewSource(int64(seed))).NilChance(0.3).NumElements(0, 3).MaxDepth(12).Funcs(
		func(v *intstr.IntOrString, c randfill.Continue) {
			if c.Bool() {
				*v = intstr.FromInt32(int32(c.Uint64()))
			} else {
				*v = intstr.FromString(c.String(0))
			}
		},
		func(v *metav1.Time, c randfill.Continue) {
			*v = metav1.NewTime(time.Unix(int64(c.Uint64()%4e9), 0))
		},
		func(v *metav1.FieldsV1, c randfill.Continue) {
			v.Raw = []byte(`{"f:metadata":{"f:name":{}}}`)
		},
	)
}

// Random objects of every kind, printed as JSON and read back as the
// Validator's output would be, decode the same from the map as from the
// JSON; and decodeMap takes most of them, or it would be tested little.
func TestDecodeMapEqualsJSONOnRandomObjects(t *testing.T) {
	f := newFiller(31)
	rng := rand.New(rand.NewPCG(34, 35))
	for i := range kinds {
		ki := &kinds[i]
		took, total := 0, 0
		for n := range 200 {
			obj := ki.newObject()
			f.Fill(obj)
			js, err := json.Marshal(obj)
			if err != nil {
				continue
			}
			var m map[string]any
			if err := utiljson.Unmarshal(js, &m); err != nil {
				t.Fatal(err)
			}
			total++
			if ok, _ := checkDecodeMap(t, fmt.Sprintf("%s %d", ki.kind, n), ki, m); ok {
				took++
			}
			for j := range 3 {
				mutateMap(rng, m)
				checkDecodeMap(t, fmt.Sprintf("%s %d, mutation %d", ki.kind, n, j), ki, m)
			}
		}
		t.Logf("%s: decodeMap took %d of %d", ki.kind, took, total)
		if took*2 < total {
			t.Errorf("%s: decodeMap took only %d of %d random objects", ki.kind, took, total)
		}
	}
}

// Every object of the repository's manifests, as the JSON path reads it,
// and mutations of it that break types, add unknown fields, or hold
// values JSON would change (invalid UTF-8, floats, large numbers),
// decode the same both ways, or decodeMap declines.
func TestDecodeMapEqualsJSONOnCorpus(t *testing.T) {
	var objs []map[string]any
	for _, d := range corpus(t) {
		js, err := yamlToJSON(d)
		var m map[string]any
		if err != nil || utiljson.Unmarshal(js, &m) != nil || m == nil {
			continue
		}
		objs = append(objs, m)
	}
	rng := rand.New(rand.NewPCG(32, 33))
	took := 0
	for i, m := range objs {
		kind, _ := m["kind"].(string)
		for k := range kinds {
			ki := &kinds[k]
			if ki.kind != kind && rng.IntN(8) != 0 {
				continue
			}
			if ok, _ := checkDecodeMap(t, fmt.Sprintf("object %d as %s", i, ki.kind), ki, m); ok {
				took++
			}
			for j := range 10 {
				mm := deepCopyJSON(m).(map[string]any)
				mutateMap(rng, mm)
				checkDecodeMap(t, fmt.Sprintf("object %d as %s, mutation %d", i, ki.kind, j), ki, mm)
			}
		}
	}
	if took < 100 {
		t.Fatalf("decodeMap took only %d corpus objects", took)
	}
}

func deepCopyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopyJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopyJSON(e)
		}
		return out
	}
	return v
}

var oddValues = []any{
	nil, "", "x", "\xff", "a\u2028b", "<&>", true, false, int64(0), int64(-1), int64(1) << 40, int64(math.MaxInt64),
	int64(math.MinInt64), 1.5, 80.0, -0.0, []any{}, []any{"a"}, []any{int64(1)}, []any{nil}, map[string]any{},
	map[string]any{"a": "b"}, map[string]any{"\xff": "b"}, map[string]any{"name": "n"}, int(3), float32(2),
	"2024-01-02T03:04:05Z", "80", "1Gi",
}

// mutateMap changes one place of m, picked among all its values and
// objects: a value replaced by an odd value, removed or set to null, or
// an unknown field added to an object.
func mutateMap(rng *rand.Rand, m map[string]any) {
	type place struct {
		obj map[string]any
		arr []any
		key string
		idx int
	}
	var places []place
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			places = append(places, place{obj: v})
			for k, e := range v {
				places = append(places, place{obj: v, key: k})
				walk(e)
			}
		case []any:
			for i, e := range v {
				places = append(places, place{arr: v, idx: i})
				walk(e)
			}
		}
	}
	walk(m)
	p := places[rng.IntN(len(places))]
	odd := deepCopyJSON(oddValues[rng.IntN(len(oddValues))])
	switch {
	case p.arr != nil:
		p.arr[p.idx] = odd
	case p.key == "":
		p.obj["bogus"+fmt.Sprint(rng.IntN(2))] = odd
	case rng.IntN(4) == 0:
		delete(p.obj, p.key)
	default:
		p.obj[p.key] = odd
	}
}

// FuzzDecodeMap: whatever YAML document the fuzzer finds, decoded as the
// Validator would see it, decodes alike both ways into every kind.
func FuzzDecodeMap(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: http\n"))
	f.Add([]byte("kind: HTTPRoute\nmetadata:\n  name: r\n  creationTimestamp: \"2024-01-02T03:04:05Z\"\nspec:\n  rules:\n  - backendRefs:\n    - name: a\n      port: 80\n      weight: 2\n"))
	f.Add([]byte("kind: Secret\ndata:\n  a: aGk=\nstringData:\n  b: c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		js, err := yamlToJSON(data)
		var m map[string]any
		if err != nil || utiljson.Unmarshal(js, &m) != nil || m == nil {
			return
		}
		for i := range kinds {
			checkDecodeMap(t, "fuzz input as "+kinds[i].kind, &kinds[i], m)
		}
	})
}
