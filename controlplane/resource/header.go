package resource

import (
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// objectMap decodes raw as the Validator will see it, when there is one:
// the header is then read from the same map instead of decoding raw once
// more for it. nil when there is no Validator or raw does not decode.
func (st *decodeState) objectMap(raw []byte) map[string]any {
	if st.dec.Validator == nil {
		return nil
	}
	var m map[string]any
	if utiljson.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// headerFrom reads the header from m, the decoded raw(), as readHeader
// reads it from raw(); it asks readHeader when m is nil or apiVersion or
// kind is not a string, so that messages quote raw as written.
func headerFrom(m map[string]any, raw func() []byte) (header, field.ErrorList) {
	if m == nil {
		return readHeader(raw())
	}
	apiVersion, ok1 := stringOrNull(m["apiVersion"])
	kind, ok2 := stringOrNull(m["kind"])
	if !ok1 || !ok2 {
		return readHeader(raw())
	}
	h := header{apiVersion: apiVersion, kind: kind}
	if meta, ok := m["metadata"].(map[string]any); ok {
		h.name, _ = meta["name"].(string)
		h.namespace, _ = meta["namespace"].(string)
	}
	return h, nil
}

func stringOrNull(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	}
	return "", false
}
