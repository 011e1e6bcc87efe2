package resource

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// headerFrom, given raw decoded, reads what readHeader reads from raw:
// on every JSON object of the repository's YAML, on mutations of them,
// and on headers of every JSON type.
func TestHeaderFromEqualsReadHeader(t *testing.T) {
	var raws [][]byte
	for _, d := range corpus(t) {
		if js, err := yamlToJSON(d); err == nil && len(js) > 0 && js[0] == '{' {
			raws = append(raws, js)
		}
	}
	values := []string{`null`, `"v1"`, `""`, `1`, `1.5`, `true`, `[]`, `["v1"]`, `{}`, `{"name":"a"}`, `"\u00fc\ud800"`}
	for _, a := range values {
		for _, k := range values {
			for _, md := range values {
				raws = append(raws, fmt.Appendf(nil, `{"apiVersion":%s,"kind":%s,"metadata":%s}`, a, k, md))
				raws = append(raws, fmt.Appendf(nil, `{"apiVersion":"x","apiVersion":%s,"Kind":%s,"metadata":{"name":%s,"namespace":%s,"Name":"b"}}`, a, k, md, a))
			}
		}
	}
	rng := rand.New(rand.NewPCG(10, 11))
	for range 5000 {
		if d := mutateYAML(rng, raws[rng.IntN(len(raws))]); len(d) > 0 {
			raws = append(raws, d)
		}
	}
	checked := 0
	for _, raw := range raws {
		var m map[string]any
		if utiljson.Unmarshal(raw, &m) != nil || m == nil {
			continue
		}
		checked++
		wantH, wantErrs := readHeader(raw)
		gotH, gotErrs := headerFrom(m, func() []byte { return raw })
		if gotH != wantH || !reflect.DeepEqual(gotErrs, wantErrs) {
			t.Fatalf("%s:\ngot  %+v %v\nwant %+v %v", raw, gotH, gotErrs, wantH, wantErrs)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d objects checked", checked)
	}
}
