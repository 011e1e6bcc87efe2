package main

import (
	"math"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// The well-known types protojson prints in their own forms.

// knownValue prints a google.protobuf.Value as protojson does; the kinds
// protojson refuses (none set, NaN or infinite numbers) are its errors.
func (w *protoJSONWriter) knownValue(b []byte, m protoreflect.Message, depth int) ([]byte, error) {
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("kind"))
	if fd == nil {
		return nil, errNotCovered
	}
	v := m.Get(fd)
	if fd.Kind() == protoreflect.DoubleKind {
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errNotCovered
		}
	}
	return w.singular(b, v, fd, nil, depth)
}

// anyMessage prints an Any as its message's fields after "@type", or for
// a well-known type with its own JSON form, as {"@type", "value"}.
func (w *protoJSONWriter) anyMessage(b []byte, m protoreflect.Message, depth int) ([]byte, error) {
	fds := m.Descriptor().Fields()
	fdType, fdValue := fds.ByNumber(1), fds.ByNumber(2)
	if !m.Has(fdType) {
		if m.Has(fdValue) {
			return nil, errNotCovered
		}
		return append(b, "{}"...), nil
	}
	typeURL := m.Get(fdType).String()
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(typeURL)
	if err != nil {
		return nil, errNotCovered
	}
	em := mt.New()
	err = proto.UnmarshalOptions{AllowPartial: true, Resolver: protoregistry.GlobalTypes}.Unmarshal(m.Get(fdValue).Bytes(), em.Interface())
	if err != nil {
		return nil, errNotCovered
	}
	if wellKnownKind(em.Descriptor()) == kindPlain {
		return w.message(b, em, nil, depth, typeURL)
	}
	if b, err = appendTypeURL(append(b, '{'), typeURL, depth); err != nil {
		return nil, err
	}
	b = append(b, ',')
	b = appendNewline(b, depth+1)
	b = append(b, `"value": `...)
	if b, err = w.message(b, em, nil, depth+1, ""); err != nil {
		return nil, err
	}
	return append(appendNewline(b, depth), '}'), nil
}

// appendTypeURL prints the "@type" line of an Any printed at depth;
// protojson refuses a type URL that is not UTF-8.
func appendTypeURL(b []byte, typeURL string, depth int) ([]byte, error) {
	if !utf8.ValidString(typeURL) {
		return nil, errNotCovered
	}
	b = appendNewline(b, depth+1)
	b = append(b, `"@type": `...)
	return resource.AppendJSONString(b, typeURL), nil
}

// appendDuration prints a Duration as protojson does: seconds with 0, 3,
// 6 or 9 fractional digits; out of range is protojson's error.
func appendDuration(b []byte, m protoreflect.Message) ([]byte, error) {
	fds := m.Descriptor().Fields()
	secs, nanos := m.Get(fds.ByNumber(1)).Int(), m.Get(fds.ByNumber(2)).Int()
	if secs < -315576000000 || secs > 315576000000 || nanos < -999999999 || nanos > 999999999 ||
		secs > 0 && nanos < 0 || secs < 0 && nanos > 0 {
		return nil, errNotCovered
	}
	b = append(b, '"')
	if secs < 0 || nanos < 0 {
		b = append(b, '-')
		secs, nanos = -secs, -nanos
	}
	b = strconv.AppendInt(b, secs, 10)
	if nanos != 0 {
		var frac [10]byte
		f := strconv.AppendInt(frac[:0], 1e9+nanos, 10)[1:] // nine digits
		n := 9
		for n > 0 && f[n-1] == '0' && f[n-3] == '0' && f[n-2] == '0' {
			n -= 3
		}
		b = append(b, '.')
		b = append(b, f[:n]...)
	}
	return append(b, `s"`...), nil
}

// viaProtoJSON prints m through protojson, for the rare well-known types
// not printed directly: the same bytes as the old path, slower.
func viaProtoJSON(b []byte, m protoreflect.Message, depth int) ([]byte, error) {
	js, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m.Interface())
	if err != nil {
		return nil, errNotCovered
	}
	v, err := readJSON(js)
	if err != nil {
		return nil, errNotCovered
	}
	return appendIndentedJSON(b, v, depth), nil
}

// appendProtoJSONFloat is protojson's text of a float or double (its
// internal/encoding/json appendFloat): encoding/json's form at bitSize,
// with NaN and the infinities as strings.
func appendProtoJSONFloat(out []byte, n float64, bitSize int) []byte {
	switch {
	case math.IsNaN(n):
		return append(out, `"NaN"`...)
	case math.IsInf(n, +1):
		return append(out, `"Infinity"`...)
	case math.IsInf(n, -1):
		return append(out, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(n); abs != 0 {
		if bitSize == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bitSize == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	out = strconv.AppendFloat(out, n, format, -1, bitSize)
	if format == 'e' {
		n := len(out)
		if n >= 4 && out[n-4] == 'e' && out[n-3] == '-' && out[n-2] == '0' {
			out[n-2] = out[n-1]
			out = out[:n-1]
		}
	}
	return out
}
