package main

import (
	"encoding/base64"
	"errors"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// protoJSONWriter prints a message as
//
//	appendIndentedJSON(readJSON(protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)))
//
// does, straight from the message: printing protojson's text only to read
// it back and print it again, keys sorted, was most of the output's CPU
// and a hundred MiB of garbage for 10,000 routes.
//
// What it does not know how to print exactly as that path does (an error
// protojson would return, extensions, messages that are not proto3, whose
// required fields protojson checks) makes it return errNotCovered, and the
// caller prints the whole resource the old way, errors included. A few
// rare well-known types (Timestamp, FieldMask) print through protojson in
// place, which gives the same bytes.
//
// A writer is for one goroutine: it caches per message type.
type protoJSONWriter struct {
	types map[protoreflect.MessageDescriptor]*jsonMsgInfo
	// fields is a stack of the populated fields of the messages being
	// printed, shared by nested messages to allocate once.
	fields []jsonField
	keys   []jsonMapEntry
	num    []byte
	// in and covered are the state of collect, which m.Range calls: a
	// method value made once, as a closure would be made per message.
	in      *jsonMsgInfo
	covered bool
	collect func(protoreflect.FieldDescriptor, protoreflect.Value) bool

	// Output is cut into blocks at list elements, so that no large
	// buffer is grown and copied: sealed holds the full blocks, in order.
	blocks *blockPool
	cutAt  int
	sealed [][]byte
	// scratch holds the JSON tree reads.
	scratch []byte
}

var errNotCovered = errors.New("not covered by the direct JSON writer")

type jsonMsgKind uint8

const (
	kindPlain jsonMsgKind = iota
	kindNotCovered
	kindViaProtoJSON // printed by protojson in place
	kindAny
	kindDuration
	kindWrapper
	kindStruct
	kindListValue
	kindValue
)

type jsonMsgInfo struct {
	md   protoreflect.MessageDescriptor
	kind jsonMsgKind
	// rank and key are indexed by field index: the place of the field's
	// name in sorted order, and the name quoted and followed by ": ".
	rank []int
	key  [][]byte
	// sub is the info of each message field's type (a map's values),
	// filled as met: looking it up by descriptor costs more.
	sub []*jsonMsgInfo
}

type jsonField struct {
	fd   protoreflect.FieldDescriptor
	v    protoreflect.Value
	rank int
}

type jsonMapEntry struct {
	key string
	v   protoreflect.Value
}

// newProtoJSONWriter makes a writer that cuts its output into blocks of
// about cutAt bytes taken from blocks, or never cuts it if blocks is nil.
func newProtoJSONWriter(blocks *blockPool, cutAt int) *protoJSONWriter {
	w := &protoJSONWriter{types: map[protoreflect.MessageDescriptor]*jsonMsgInfo{}, blocks: blocks, cutAt: cutAt}
	w.collect = w.collectField
	return w
}

func (w *protoJSONWriter) collectField(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
	if fd.IsExtension() {
		w.covered = false
		return false
	}
	w.fields = append(w.fields, jsonField{fd, v, w.in.rank[fd.Index()]})
	return true
}

// cut seals b when it is full and goes on in a new block.
func (w *protoJSONWriter) cut(b []byte) []byte {
	if w.blocks == nil || len(b) < w.cutAt {
		return b
	}
	w.sealed = append(w.sealed, b)
	return w.blocks.get()
}

// jsonMark is a place in the output, to go back to.
type jsonMark struct{ sealed, n int }

func (w *protoJSONWriter) mark(b []byte) jsonMark { return jsonMark{len(w.sealed), len(b)} }

// rollback drops what was written after mk, given the block b that was
// current at mk, and returns the block to go on with.
func (w *protoJSONWriter) rollback(b []byte, mk jsonMark) []byte {
	if len(w.sealed) > mk.sealed {
		b = w.sealed[mk.sealed]
		for _, s := range w.sealed[mk.sealed+1:] {
			w.blocks.put(s)
		}
		w.sealed = w.sealed[:mk.sealed]
	}
	return b[:mk.n]
}

// appendMessage appends m printed at depth, without the first line's
// indentation.
func (w *protoJSONWriter) appendMessage(b []byte, m proto.Message, depth int) ([]byte, error) {
	return w.message(b, m.ProtoReflect(), nil, depth, "")
}

// tree is what readJSON reads from protojson's text of m: the direct
// writer's text read back is the same value (numbers are printed so that
// they read back as protojson's do).
func (w *protoJSONWriter) tree(m proto.Message) (any, error) {
	blocks := w.blocks
	w.blocks = nil // one piece of text, never cut
	defer func() { w.blocks = blocks }()
	b, err := w.message(w.scratch[:0], m.ProtoReflect(), nil, 0, "")
	if err != nil {
		return nil, err
	}
	w.scratch = b
	return readJSON(b)
}

// fieldInfo is the info of fd's message type, or nil.
func (w *protoJSONWriter) fieldInfo(in *jsonMsgInfo, fd protoreflect.FieldDescriptor) *jsonMsgInfo {
	if s := in.sub[fd.Index()]; s != nil {
		return s
	}
	md := fd.Message()
	if fd.IsMap() {
		md = fd.MapValue().Message()
	}
	if md == nil {
		return nil
	}
	s := w.info(md)
	in.sub[fd.Index()] = s
	return s
}

func (w *protoJSONWriter) info(md protoreflect.MessageDescriptor) *jsonMsgInfo {
	if in, ok := w.types[md]; ok {
		return in
	}
	in := newJSONMsgInfo(md)
	w.types[md] = in
	return in
}

func newJSONMsgInfo(md protoreflect.MessageDescriptor) *jsonMsgInfo {
	in := &jsonMsgInfo{md: md, kind: wellKnownKind(md)}
	if in.kind != kindPlain {
		return in
	}
	if md.ParentFile() == nil || md.ParentFile().Syntax() != protoreflect.Proto3 {
		in.kind = kindNotCovered
		return in
	}
	fds := md.Fields()
	names := make([]string, fds.Len())
	in.key = make([][]byte, fds.Len())
	for i := range fds.Len() {
		names[i] = fds.Get(i).TextName()
		in.key[i] = append(resource.AppendJSONString(nil, names[i]), ": "...)
	}
	in.sub = make([]*jsonMsgInfo, fds.Len())
	in.rank = make([]int, fds.Len())
	for i := range names {
		for j := range names {
			if names[j] < names[i] {
				in.rank[i]++
			}
		}
	}
	return in
}

// wellKnownKind mirrors protojson's wellKnownTypeMarshaler.
func wellKnownKind(md protoreflect.MessageDescriptor) jsonMsgKind {
	if md.FullName().Parent() != "google.protobuf" {
		return kindPlain
	}
	switch md.Name() {
	case "Any":
		return kindAny
	case "Duration":
		return kindDuration
	case "BoolValue", "Int32Value", "Int64Value", "UInt32Value", "UInt64Value",
		"FloatValue", "DoubleValue", "StringValue", "BytesValue":
		return kindWrapper
	case "Struct":
		return kindStruct
	case "ListValue":
		return kindListValue
	case "Value":
		return kindValue
	case "Timestamp", "FieldMask":
		return kindViaProtoJSON
	}
	return kindPlain
}

// message prints m, whose info is in if known; a non-empty typeURL is
// printed first as "@type", as protojson prints an Any holding m.
func (w *protoJSONWriter) message(b []byte, m protoreflect.Message, in *jsonMsgInfo, depth int, typeURL string) ([]byte, error) {
	if md := m.Descriptor(); in == nil || in.md != md {
		in = w.info(md)
	}
	switch in.kind {
	case kindPlain:
	case kindNotCovered:
		return nil, errNotCovered
	case kindViaProtoJSON:
		return viaProtoJSON(b, m, depth)
	case kindAny:
		return w.anyMessage(b, m, depth)
	case kindDuration:
		return appendDuration(b, m)
	case kindWrapper:
		fd := m.Descriptor().Fields().ByNumber(1)
		return w.singular(b, m.Get(fd), fd, nil, depth)
	case kindStruct:
		fd := m.Descriptor().Fields().ByNumber(1)
		return w.mapValue(b, m.Get(fd).Map(), fd, nil, depth)
	case kindListValue:
		fd := m.Descriptor().Fields().ByNumber(1)
		return w.list(b, m.Get(fd).List(), fd, nil, depth)
	case kindValue:
		return w.knownValue(b, m, depth)
	}
	start := len(w.fields)
	w.in, w.covered = in, true
	m.Range(w.collect)
	fs := w.fields[start:]
	defer func() { w.fields = w.fields[:start] }()
	if !w.covered {
		return nil, errNotCovered
	}
	sortJSONFields(fs)
	if len(fs) == 0 && typeURL == "" {
		return append(b, "{}"...), nil
	}
	b = append(b, '{')
	var err error
	if typeURL != "" {
		// "@" sorts before every field name (letters and "_").
		if b, err = appendTypeURL(b, typeURL, depth); err != nil {
			return nil, err
		}
		if len(fs) > 0 {
			b = append(b, ',')
		}
	}
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNewline(b, depth+1)
		b = append(b, in.key[f.fd.Index()]...)
		var sub *jsonMsgInfo
		if k := f.fd.Kind(); k == protoreflect.MessageKind || k == protoreflect.GroupKind {
			sub = w.fieldInfo(in, f.fd)
		}
		if b, err = w.value(b, f.v, f.fd, sub, depth+1); err != nil {
			return nil, err
		}
	}
	return append(appendNewline(b, depth), '}'), nil
}

// sortJSONFields sorts by rank; messages have few populated fields.
func sortJSONFields(fs []jsonField) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].rank < fs[j-1].rank; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// value prints a field's value; sub is the info of its messages if known.
func (w *protoJSONWriter) value(b []byte, v protoreflect.Value, fd protoreflect.FieldDescriptor, sub *jsonMsgInfo, depth int) ([]byte, error) {
	switch {
	case fd.IsList():
		return w.list(b, v.List(), fd, sub, depth)
	case fd.IsMap():
		return w.mapValue(b, v.Map(), fd, sub, depth)
	}
	return w.singular(b, v, fd, sub, depth)
}

func (w *protoJSONWriter) list(b []byte, l protoreflect.List, fd protoreflect.FieldDescriptor, sub *jsonMsgInfo, depth int) ([]byte, error) {
	if l.Len() == 0 {
		return append(b, "[]"...), nil
	}
	b = append(b, '[')
	var err error
	for i := range l.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNewline(b, depth+1)
		if b, err = w.singular(b, l.Get(i), fd, sub, depth+1); err != nil {
			return nil, err
		}
		b = w.cut(b)
	}
	return append(appendNewline(b, depth), ']'), nil
}

// mapValue prints a map field as an object, keys as protojson names them
// (MapKey.String) in sorted order.
func (w *protoJSONWriter) mapValue(b []byte, mp protoreflect.Map, fd protoreflect.FieldDescriptor, sub *jsonMsgInfo, depth int) ([]byte, error) {
	if mp.Len() == 0 {
		return append(b, "{}"...), nil
	}
	start := len(w.keys)
	defer func() { w.keys = w.keys[:start] }()
	valid := true
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		s := k.String()
		if !utf8.ValidString(s) {
			valid = false
			return false
		}
		w.keys = append(w.keys, jsonMapEntry{s, v})
		return true
	})
	if !valid {
		return nil, errNotCovered
	}
	es := w.keys[start:]
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].key < es[j-1].key; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	vfd := fd.MapValue()
	b = append(b, '{')
	var err error
	for i, e := range es {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNewline(b, depth+1)
		b = resource.AppendJSONString(b, e.key)
		b = append(b, ": "...)
		if b, err = w.singular(b, e.v, vfd, sub, depth+1); err != nil {
			return nil, err
		}
		b = w.cut(b)
	}
	return append(appendNewline(b, depth), '}'), nil
}

func (w *protoJSONWriter) singular(b []byte, v protoreflect.Value, fd protoreflect.FieldDescriptor, sub *jsonMsgInfo, depth int) ([]byte, error) {
	if !v.IsValid() {
		return append(b, "null"...), nil
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool()), nil
	case protoreflect.StringKind:
		return appendProtoString(b, v.String())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return append(strconv.AppendInt(append(b, '"'), v.Int(), 10), '"'), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return append(strconv.AppendUint(append(b, '"'), v.Uint(), 10), '"'), nil
	case protoreflect.FloatKind:
		return w.float(b, v.Float(), 32), nil
	case protoreflect.DoubleKind:
		return w.float(b, v.Float(), 64), nil
	case protoreflect.BytesKind:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"'), nil
	case protoreflect.EnumKind:
		if fd.Enum().FullName() == "google.protobuf.NullValue" {
			return append(b, "null"...), nil
		}
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return resource.AppendJSONString(b, string(ev.Name())), nil
		}
		return strconv.AppendInt(b, int64(v.Enum()), 10), nil
	case protoreflect.MessageKind:
		return w.message(b, v.Message(), sub, depth, "")
	}
	// Groups (proto2 only) and anything new.
	return nil, errNotCovered
}

// float prints f as protojson's text of it read back into a float64 and
// printed by appendIndentedJSON: NaN and infinities are strings.
func (w *protoJSONWriter) float(b []byte, f float64, bitSize int) []byte {
	w.num = appendProtoJSONFloat(w.num[:0], f, bitSize)
	if w.num[0] == '"' {
		return append(b, w.num...)
	}
	g, err := strconv.ParseFloat(string(w.num), 64)
	if err != nil { // cannot happen: the text is strconv's own
		return append(b, w.num...)
	}
	return appendIndentedJSON(b, g, 0)
}

// appendProtoString quotes s as AppendJSONString does, in one pass over
// plain strings; protojson refuses invalid UTF-8.
func appendProtoString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if !jsonPlainByte[s[i]] {
			if !utf8.ValidString(s) {
				return nil, errNotCovered
			}
			return resource.AppendJSONString(b, s), nil
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// jsonPlainByte: the bytes AppendJSONString copies as they are.
var jsonPlainByte = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
