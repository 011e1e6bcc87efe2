package resource

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

func checkMarshalJSON(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := marshalJSON(v)
	if (err != nil) != (wantErr != nil) {
		t.Errorf("marshalJSON(%#v): error %v, json.Marshal %v", v, err, wantErr)
		return
	}
	if string(got) != string(want) {
		t.Errorf("marshalJSON(%#v) = %s, json.Marshal %s", v, got, want)
	}
}

func TestMarshalJSONAsEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, map[string]any(nil), []any(nil), map[string]any{}, []any{}, "", "plain", `quo"te`, `back\slash`, "<a&b>",
		"tab\tnew\nline\x01", "é", "\xff\xfe", "\u2028", int64(-5), int64(math.MaxInt64), 1.5, 1e21, -0.0, 3.0, true, false,
		math.NaN(), map[string]int{"b": 1, "a": 2}, []string{"x"}, 7, uint8(3),
		map[string]any{"b": []any{int64(1), "x", nil, map[string]any{"z": true, "<": 1.25}}, "a": map[string]any{}, "B": "upper", "é": 1},
		map[string]any{"bad": math.Inf(1)}, []any{func() {}},
	} {
		checkMarshalJSON(t, v)
	}
}

func TestMarshalJSONRandomTrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	strs := []string{"", "a", "B", "<", "&x", "é", "\n", `"`, "\xff", "spec", "z9"}
	var tree func(depth int) any
	tree = func(depth int) any {
		switch n := rng.IntN(9); {
		case n == 0 && depth < 4:
			m := map[string]any{}
			for range rng.IntN(5) {
				m[strs[rng.IntN(len(strs))]] = tree(depth + 1)
			}
			return m
		case n == 1 && depth < 4:
			a := []any{}
			for range rng.IntN(4) {
				a = append(a, tree(depth+1))
			}
			return a
		case n == 2:
			return strs[rng.IntN(len(strs))]
		case n == 3:
			return rng.Int64() - rng.Int64()
		case n == 4:
			return rng.NormFloat64() * 1e6
		case n == 5:
			return rng.IntN(2) == 0
		case n == 6:
			return nil
		}
		return int64(rng.IntN(100))
	}
	for range 5000 {
		checkMarshalJSON(t, tree(0))
	}
}
