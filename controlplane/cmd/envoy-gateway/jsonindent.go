package main

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// appendIndentedJSON appends v, a value read by encoding/json, as
// json.Indent(json.Marshal(v), prefix, "  ") would, where prefix is depth
// levels of "  " and the first line is not indented: it skips printing
// compact JSON only to read it again to indent it.
func appendIndentedJSON(b []byte, v any, depth int) []byte {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			return append(b, "{}"...)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNewline(b, depth+1)
			b = resource.AppendJSONString(b, k)
			b = append(b, ": "...)
			b = appendIndentedJSON(b, v[k], depth+1)
		}
		return append(appendNewline(b, depth), '}')
	case []any:
		if len(v) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNewline(b, depth+1)
			b = appendIndentedJSON(b, e, depth+1)
		}
		return append(appendNewline(b, depth), ']')
	case string:
		return resource.AppendJSONString(b, v)
	case float64:
		// Whole numbers print as integers; -0 prints as "-0".
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 && (v != 0 || !math.Signbit(v)) {
			return strconv.AppendInt(b, int64(v), 10)
		}
	case bool:
		return strconv.AppendBool(b, v)
	case nil:
		return append(b, "null"...)
	}
	// Rare values (fractions, huge numbers) keep encoding/json's own form.
	js, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, js...)
}

func appendNewline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for range depth {
		b = append(b, "  "...)
	}
	return b
}
