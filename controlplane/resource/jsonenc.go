package resource

import (
	"encoding/json"
	"slices"
	"strconv"
)

// marshalJSON is json.Marshal for the validator's output, a tree of
// map[string]any, []any, strings, int64s and bools, without the
// reflection that makes json.Marshal a tenth of validating: every valid
// object is encoded once to be decoded into its Go type. Anything else
// (floats, other types, strings to escape) goes through json.Marshal.
func marshalJSON(v any) ([]byte, error) {
	return appendMarshaled(make([]byte, 0, 1024), v)
}

func appendMarshaled(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		var err error
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, k)
			b = append(b, ':')
			if b, err = appendMarshaled(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		var err error
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendMarshaled(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case string:
		return AppendJSONString(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case nil:
		return append(b, "null"...), nil
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, js...), nil
}

// AppendJSONString quotes s as json.Marshal does: plain printable ASCII
// is copied, anything it would escape goes through it.
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			js, _ := json.Marshal(s)
			return append(b, js...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
