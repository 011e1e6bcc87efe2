package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var trickyJSONStrings = []string{"", "a", "x-canary", "<b>&amp;", `"q"`, `back\slash`, "tab\tnew\nline\r", "\b\f\x00\x1f\x7f",
	"ü", "日本", "\u2028\u2029", "\xff\xfe", "/path?x=1", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"}

func randomJSONValue(rng *rand.Rand, depth int) any {
	switch k := rng.IntN(12); {
	case depth < 4 && k < 3:
		m := map[string]any{}
		for range rng.IntN(5) {
			m[trickyJSONStrings[rng.IntN(len(trickyJSONStrings))]+strings.Repeat("k", rng.IntN(3))] = randomJSONValue(rng, depth+1)
		}
		return m
	case depth < 4 && k < 5:
		s := []any{}
		for range rng.IntN(5) {
			s = append(s, randomJSONValue(rng, depth+1))
		}
		return s
	case k < 6:
		return trickyJSONStrings[rng.IntN(len(trickyJSONStrings))]
	case k < 7:
		return rng.IntN(2) == 0
	case k < 8:
		return nil
	case k < 9:
		return float64(rng.Int64N(1<<54) - 1<<53)
	case k < 10:
		return []float64{0, math.Copysign(0, -1), 1 << 53, -(1 << 53), 1e21, 1e-7, 0.5, -2.5, 123456789.25, 1e300}[rng.IntN(10)]
	}
	return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
}

// appendIndentedJSON prints what json.Indent prints of json.Marshal's
// output, for random values with every kind of string and number.
func TestAppendIndentedJSONEqualsIndent(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for range 20000 {
		v := randomJSONValue(rng, 0)
		depth := rng.IntN(5)
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact, strings.Repeat("  ", depth), "  "); err != nil {
			t.Fatal(err)
		}
		if got := appendIndentedJSON(nil, v, depth); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("depth %d, %#v:\ngot:  %s\nwant: %s", depth, v, got, want.Bytes())
		}
	}
}
