package server

import (
	"math"
	"reflect"
	"strconv"
)

// sameJSON reports whether two values of decoded JSON (maps, slices,
// strings, bools, nil, int64 and float64) encode to the same JSON, without
// encoding them: a write compares its spec with the stored one on every
// update. An int64 and a float64 are the same when encoding/json writes
// them alike (1 and 1.0), as the generation must not move for a number
// that only changed form.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return sameNumber(x, y)
		}
		return false
	case float64:
		switch y := b.(type) {
		case float64:
			// Bits, not ==: encoding/json writes 0 and -0 differently.
			return math.Float64bits(x) == math.Float64bits(y)
		case int64:
			return sameNumber(y, x)
		}
		return false
	}
	// Not decoded JSON: be exact.
	return reflect.DeepEqual(a, b)
}

// sameNumber reports whether encoding/json writes i and f alike; only
// integral floats below 1e21 are written without an exponent.
func sameNumber(i int64, f float64) bool {
	if f != math.Trunc(f) || math.Abs(f) >= 1e21 {
		return false
	}
	return strconv.FormatFloat(f, 'f', -1, 64) == strconv.FormatInt(i, 10)
}
