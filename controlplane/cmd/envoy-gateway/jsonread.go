package main

import (
	"encoding/json"
	"errors"
	"strconv"
)

// readJSON reads b, one JSON value, into what json.Unmarshal into an any
// gives (map[string]any, []any, string, float64, bool, nil), for the
// protojson text of every resource of the xDS output, which encoding/json
// reads through reflection at a third of the output's time. Anything
// unusual (escapes, non-ASCII, bad syntax, numbers out of range) is left
// to json.Unmarshal: the token itself, or on an error the whole of b.
func readJSON(b []byte) (any, error) {
	r := jsonReader{b: b}
	v, err := r.value()
	if err == nil {
		r.space()
		if r.i != len(b) {
			err = errSyntax
		}
	}
	if err != nil {
		var v any
		err := json.Unmarshal(b, &v)
		return v, err
	}
	return v, nil
}

var errSyntax = errors.New("unexpected JSON")

type jsonReader struct {
	b []byte
	i int
}

func (r *jsonReader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jsonReader) value() (any, error) {
	r.space()
	if r.i >= len(r.b) {
		return nil, errSyntax
	}
	switch c := r.b[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		return r.str()
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	}
	return nil, errSyntax
}

func (r *jsonReader) literal(s string) error {
	if len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return errSyntax
	}
	r.i += len(s)
	return nil
}

func (r *jsonReader) object() (any, error) {
	r.i++ // {
	m := map[string]any{}
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		return m, nil
	}
	for {
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return nil, errSyntax
		}
		k, err := r.str()
		if err != nil {
			return nil, err
		}
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return nil, errSyntax
		}
		r.i++
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		if done, err := r.next('}'); done || err != nil {
			return m, err
		}
	}
}

func (r *jsonReader) array() (any, error) {
	r.i++ // [
	a := []any{}
	r.space()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		return a, nil
	}
	for {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		if done, err := r.next(']'); done || err != nil {
			return a, err
		}
	}
}

// next reads what follows an element of an object or array: a comma, or
// closing, which ends it (done).
func (r *jsonReader) next(closing byte) (done bool, err error) {
	r.space()
	if r.i >= len(r.b) {
		return false, errSyntax
	}
	switch r.b[r.i] {
	case ',':
		r.i++
		return false, nil
	case closing:
		r.i++
		return true, nil
	}
	return false, errSyntax
}

// str reads a string token; one with an escape or a byte outside
// printable ASCII goes through encoding/json.
func (r *jsonReader) str() (string, error) {
	start := r.i
	r.i++ // "
	plain := true
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if plain {
				return string(r.b[start+1 : r.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(r.b[start:r.i], &s); err != nil {
				return "", err
			}
			return s, nil
		case c == '\\':
			plain = false
			r.i += 2
			continue
		case c < 0x20 || c > 0x7e:
			plain = false
		}
		r.i++
	}
	return "", errSyntax
}

// number reads a number token as json.Unmarshal does into an any:
// strconv.ParseFloat of the token; a malformed token or one out of range
// is an error, which sends the whole input to json.Unmarshal.
func (r *jsonReader) number() (any, error) {
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= '0' && c <= '9' {
			r.i++
			continue
		}
		break
	}
	tok := r.b[start:r.i]
	if !json.Valid(tok) {
		return nil, errSyntax
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return nil, err
	}
	return f, nil
}
