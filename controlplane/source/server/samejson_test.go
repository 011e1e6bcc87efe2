package server

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// sameJSON must agree with comparing the encodings, which is what it
// replaces.
func TestSameJSONAgreesWithEncoding(t *testing.T) {
	values := []any{
		nil, true, false, "", "a", "1",
		int64(0), int64(1), int64(-1), int64(1 << 60), int64(math.MaxInt64),
		0.0, math.Copysign(0, -1), 1.0, -1.0, 1.5, float64(1 << 60), 1e20, 1e21, 0.1,
		map[string]any{}, map[string]any{"a": int64(1)}, map[string]any{"a": 1.0}, map[string]any{"a": nil},
		map[string]any{"b": int64(1)}, map[string]any{"a": int64(1), "b": "x"},
		[]any{}, []any{int64(1)}, []any{1.0}, []any{int64(1), "x"}, []any{"x", int64(1)},
		[]any{map[string]any{"a": []any{int64(2)}}}, []any{map[string]any{"a": []any{2.0}}},
	}
	for _, a := range values {
		for _, b := range values {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if want := bytes.Equal(ja, jb); sameJSON(a, b) != want {
				t.Errorf("sameJSON(%s, %s) = %v, want %v", ja, jb, !want, want)
			}
		}
	}
}

func TestSameSpecIgnoresMetadataAndStatus(t *testing.T) {
	a := map[string]any{"apiVersion": "v1", "kind": "K", "metadata": map[string]any{"name": "a"}, "spec": map[string]any{"x": int64(1)}, "status": "s"}
	b := map[string]any{"apiVersion": "v2", "kind": "K", "metadata": map[string]any{"name": "b"}, "spec": map[string]any{"x": 1.0}}
	if !sameSpec(a, b) {
		t.Error("objects differing only outside the spec are not the same spec")
	}
	b["data"] = "x"
	if sameSpec(a, b) || sameSpec(b, a) {
		t.Error("an added top-level field is not a spec change")
	}
	delete(b, "data")
	b["spec"] = map[string]any{"x": int64(2)}
	if sameSpec(a, b) {
		t.Error("a changed spec is the same")
	}
}
