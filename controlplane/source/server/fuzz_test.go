package server

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeBody drives the request-body path: decoding any bytes in any
// declared format never panics, a decoded object encodes to JSON that
// decodes to the same encoding (what is stored is what was meant; 1.0 and 1
// are one JSON number, so types may differ), and the Validator accepts or
// rejects it without panicking. Seeds are in testdata/fuzz/FuzzDecodeBody.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(routeYAML("web", "/")), uint8(FormatYAML))
	f.Add([]byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":1}]}}`), uint8(FormatJSON))
	f.Add([]byte("a: 1\na: 2\n"), uint8(FormatAuto))
	v := testValidator(f)
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		obj, err := DecodeObject(data, Format(format%3))
		if err != nil {
			if obj != nil {
				t.Fatal("an error and an object")
			}
			return
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("decoded object does not encode: %v", err)
		}
		again, err := DecodeObject(b, FormatJSON)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		b2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed the object:\n%s\n%s", b, b2)
		}
		if _, ok := obj["apiVersion"].(string); ok {
			_, _ = v.Create(obj)
		}
	})
}
