package resource

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"
)

// marshalJSON is json.Marshal for the validator's output, a tree of
// map[string]any, []any, strings, int64s and bools, without the
// reflection that makes json.Marshal a tenth of validating: every valid
// object is encoded once to be decoded into its Go type. Anything else
// (floats, other types, strings to escape) goes through json.Marshal.
func marshalJSON(v any) ([]byte, error) {
	return appendMarshaled(make([]byte, 0, 1024), v)
}

func appendMarshaled(b []byte, v any) ([]byte, error) { return appendTree(b, v, false) }

// AppendPlainJSON appends v as json.Marshal would when v is a tree of what
// decoding JSON into a map gives, floats aside: map[string]any, []any,
// UTF-8 strings, int64s, bools and nils. ok is false for anything else, and
// for a string or key that is not UTF-8 (json.Marshal would change it).
func AppendPlainJSON(b []byte, v any) (_ []byte, ok bool) {
	b, err := appendTree(b, v, true)
	return b, err == nil
}

// errNotPlain is appendTree's answer, when strict, to a value it does not
// write itself.
var errNotPlain = errors.New("not a plain JSON value")

// appendTree writes the plain values itself; the rest go to json.Marshal,
// or, when strict, fail with errNotPlain.
func appendTree(b []byte, v any, strict bool) ([]byte, error) {
	switch v := v.(type) {
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			if strict && !utf8.ValidString(k) {
				return nil, errNotPlain
			}
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
			if b, err = appendTree(b, v[k], strict); err != nil {
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
			if b, err = appendTree(b, e, strict); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case string:
		if strict && !utf8.ValidString(v) {
			return nil, errNotPlain
		}
		return AppendJSONString(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case nil:
		return append(b, "null"...), nil
	}
	if strict {
		return nil, errNotPlain
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
