package resource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	sigsjson "sigs.k8s.io/json"
)

// strictError converts an unknown- or duplicate-field error of
// sigs.k8s.io/json, which already carries the full path with indices.
func strictError(loc *location, err error) *Error {
	var fe sigsjson.FieldError
	if !errors.As(err, &fe) {
		return loc.errorf("%v", err)
	}
	kind, _, _ := strings.Cut(err.Error(), " \"")
	return loc.fieldError(fe.FieldPath(), kind)
}

// typeError converts a decoding error such as "json: cannot unmarshal string
// into Go struct field HTTPRoute.spec.rules.backendRefs.port of type int32".
// Its field path has no indices (and has Go names of embedded structs), so
// the path is recovered from the byte offset instead, and the message is
// said in JSON terms.
func typeError(loc *location, raw []byte, err error) *Error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Type == nil {
		return loc.errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	path := pathAtOffset(raw, te.Offset)
	if !samePath(path, te.Field) {
		// A custom UnmarshalJSON reports offsets into its own part of the
		// input; the decoder's own path is then the better guess.
		path = te.Field
	}
	return loc.fieldError(path, fmt.Sprintf("Invalid type: expected %s, got %s", jsonTypeName(te.Type), te.Value))
}

// samePath reports whether path (JSON names, with indices) can be the field
// that goPath (dotted, no indices, with Go names of embedded structs) names:
// its names must appear in goPath in order, and both must end alike.
func samePath(path, goPath string) bool {
	var names []string
	for _, s := range parseFieldPath(path) {
		if _, err := strconv.Atoi(s); err != nil {
			names = append(names, s)
		}
	}
	gos := strings.Split(goPath, ".")
	if len(names) == 0 || names[len(names)-1] != gos[len(gos)-1] {
		return false
	}
	i := 0
	for _, g := range gos {
		if i < len(names) && g == names[i] {
			i++
		}
	}
	return i == len(names)
}

// jsonTypeName says what JSON a Go type takes.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer (" + t.Kind().String() + ")"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string (base64)"
		}
		return "array"
	case reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}

// frame is one open object or array while walking JSON tokens.
type frame struct {
	array     bool
	index     int
	key       string
	expectKey bool
}

// pathAtOffset returns the field path of the value that ends at (or, for an
// object or array, opens at) byte offset of raw. Decoders report type errors
// at those offsets, so this names the exact field, with indices.
func pathAtOffset(raw []byte, offset int64) string {
	if offset < 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
			if key, ok := tok.(string); ok {
				stack[n-1].key, stack[n-1].expectKey = key, false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			valueDone(stack)
			continue
		}
		if dec.InputOffset() >= offset {
			return renderPath(stack)
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{array: d == '[', expectKey: d == '{'})
			continue
		}
		valueDone(stack)
	}
}

// valueDone moves the innermost open container past one value.
func valueDone(stack []frame) {
	if n := len(stack); n > 0 {
		if stack[n-1].array {
			stack[n-1].index++
		} else {
			stack[n-1].expectKey = true
		}
	}
}

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

func renderPath(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.array:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case plainKey.MatchString(f.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		default:
			b.WriteString("[" + f.key + "]")
		}
	}
	return b.String()
}
