package resource

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// FuzzDecode feeds arbitrary input to Decode. No input may panic; every
// error must be a located *Error; and every object that decodes must survive
// a JSON round trip through Decode unchanged (after the first trip, which
// may normalise values such as timestamps).
func FuzzDecode(f *testing.F) {
	for _, p := range []string{"testdata/decode/mixed.in.yaml", "testdata/conformance/httproute-matching.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(route + "spec:\n  rules:\n  - backendRefs:\n    - {name: a, port: \"80\"}\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n"))
	f.Add([]byte(`[{"apiVersion": "envoygateway.dev/v1alpha1", "kind": "Backend", "metadata": {"name": "b"}, "spec": {"endpoints": [{"address": "[::1]:80"}]}}]`))
	f.Add([]byte("--- &a\nkind: *a\n---\n- *a\n"))
	f.Add([]byte("\xef\xbb\xbf---\r\nfoo: [\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, _, errs := Decode(data, "fuzz")
		for _, err := range errs {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz" || e.Document < 0 || e.Line < 0 {
				t.Fatalf("unlocated error %#v", err)
			}
			_ = err.Error()
		}
		res.Walk(func(k Key, o Object) bool {
			once := roundTrip(t, k, o)
			if twice := roundTrip(t, k, once); !reflect.DeepEqual(once, twice) {
				t.Fatalf("%s changes on a second round trip:\n%#v\n%#v", k, once, twice)
			}
			return true
		})
	})
}

func roundTrip(t *testing.T, k Key, o Object) Object {
	t.Helper()
	js, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("%s: marshal: %v", k, err)
	}
	res, _, errs := Decode(js, "again")
	if len(errs) > 0 || res.Len() != 1 {
		t.Fatalf("%s does not decode again from %s: %v", k, js, errs)
	}
	var out Object
	res.Walk(func(_ Key, o Object) bool { out = o; return false })
	return out
}
