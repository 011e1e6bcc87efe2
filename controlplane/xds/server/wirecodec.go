package server

import (
	"sync"
	"unsafe"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// Sharing the resources' encodings (shared.go) still left gRPC to copy
// them into one new buffer per stream: a thousand proxies of a 10k-route
// fleet meant gigabytes of identical buffers, held until each slow stream
// drained its own. wireCodec sends a response whose resources are a whole
// shared type encoding as three buffers: the response's own fields before
// and after the resources, encoded per stream (version, type, nonce), and
// the resources' encoding, built once per type version and referenced by
// every stream. The bytes on the wire are proto.Marshal's.

var responseResources = (&discovery.DiscoveryResponse{}).ProtoReflect().Descriptor().Fields().ByName("resources")

type wireCodec struct {
	enc  *encoder
	base encoding.CodecV2
}

func newWireCodec(enc *encoder) *wireCodec {
	return &wireCodec{enc: enc, base: encoding.GetCodecV2("proto")}
}

func (c *wireCodec) Name() string { return "proto" }

func (c *wireCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.base.Unmarshal(data, v) }

func (c *wireCodec) Marshal(v any) (mem.BufferSlice, error) {
	if a, ok := v.(*adsResponse); ok {
		return a.marshal(c)
	}
	r, ok := v.(*discovery.DiscoveryResponse)
	if !ok || len(r.GetResources()) == 0 {
		return c.base.Marshal(v)
	}
	pieces, err := c.enc.wirePieces(r.GetResources())
	if err != nil || pieces == nil || len(r.ProtoReflect().GetUnknown()) > 0 {
		return c.base.Marshal(v)
	}
	rest := &discovery.DiscoveryResponse{}
	rr := rest.ProtoReflect()
	r.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		if fd != responseResources {
			rr.Set(fd, val)
		}
		return true
	})
	b, err := deterministic.Marshal(rest)
	if err != nil {
		return nil, err
	}
	before, after, ok := splitAt(b, responseResources.Number())
	if !ok {
		return c.base.Marshal(v)
	}
	out := make(mem.BufferSlice, 0, len(pieces)+2)
	out = append(out, mem.SliceBuffer(before))
	for _, p := range pieces {
		out = append(out, mem.SliceBuffer(p))
	}
	return append(out, mem.SliceBuffer(after)), nil
}

// wirePieces returns the encoded resources field of a response holding
// anys: one piece when anys is a whole published type encoding, else one
// per resource; nil when some resource is not published.
func (e *encoder) wirePieces(anys []*anypb.Any) ([][]byte, error) {
	if te := e.byResources(anys); te != nil {
		w, err := te.wire()
		if err != nil {
			return nil, err
		}
		return w.whole, nil
	}
	refs := make([]anyRef, len(anys))
	e.mu.RLock()
	for i, a := range anys {
		ref, ok := e.anyOwner[a]
		if !ok {
			e.mu.RUnlock()
			return nil, nil
		}
		refs[i] = ref
	}
	e.mu.RUnlock()
	out := make([][]byte, 0, len(anys))
	for _, ref := range refs {
		w, err := ref.te.wire()
		if err != nil {
			return nil, err
		}
		out = append(out, w.parts[ref.i]...)
	}
	return out, nil
}

// anyRef locates a published resource in its type encoding.
type anyRef struct {
	te *typeEncoding
	i  int
}

// wireEncoding is the resources field of a response holding all of a
// type encoding's resources, built on first use. A large resource's value
// (a route configuration of a 10k-route port is megabytes) is not copied:
// its piece is the Any's own bytes, which nobody writes.
type wireEncoding struct {
	once sync.Once
	// whole is the field for every resource, in order; parts[i] is
	// resource i's share of it.
	whole [][]byte
	parts [][][]byte
	err   error
}

// bigValue is the size from which a resource's value is referenced, not
// copied.
const bigValue = 64 << 10

func (te *typeEncoding) wire() (*wireEncoding, error) {
	te.w.once.Do(func() { te.w.err = te.w.build(te.all) })
	return &te.w, te.w.err
}

// build writes every resource's field into one buffer, sized first, except
// the values of big resources, which stay where they are.
func (w *wireEncoding) build(all []*anypb.Any) error {
	num := responseResources.Number()
	sizes := make([]int, len(all))
	total := 0
	for i, a := range all {
		sizes[i] = deterministic.Size(a)
		total += protowire.SizeTag(num) + protowire.SizeBytes(sizes[i])
		if referenced(a) {
			total -= len(a.GetValue())
		}
	}
	blob := make([]byte, 0, total)
	ends := make([]int, len(all))
	for i, a := range all {
		blob = protowire.AppendTag(blob, num, protowire.BytesType)
		blob = protowire.AppendVarint(blob, uint64(sizes[i]))
		var err error
		if referenced(a) {
			// What Marshal writes before the value: type_url (1), then
			// the value's tag (2) and length.
			blob = protowire.AppendTag(blob, 1, protowire.BytesType)
			blob = protowire.AppendString(blob, a.GetTypeUrl())
			blob = protowire.AppendTag(blob, 2, protowire.BytesType)
			blob = protowire.AppendVarint(blob, uint64(len(a.GetValue())))
		} else if blob, err = deterministic.MarshalAppend(blob, a); err != nil {
			return err
		}
		ends[i] = len(blob)
	}
	w.parts = make([][][]byte, len(all))
	start, run := 0, 0
	for i, a := range all {
		w.parts[i] = [][]byte{blob[start:ends[i]:ends[i]]}
		if referenced(a) {
			w.parts[i] = append(w.parts[i], a.GetValue())
			w.whole = append(w.whole, blob[run:ends[i]:ends[i]], a.GetValue())
			run = ends[i]
		}
		start = ends[i]
	}
	if run < len(blob) || len(w.whole) == 0 {
		w.whole = append(w.whole, blob[run:])
	}
	return nil
}

// referenced says whether a's value is left in place: a big one, whose
// encoding Marshal would end with the value (no unknown fields after it,
// a type URL before it).
func referenced(a *anypb.Any) bool {
	return len(a.GetValue()) >= bigValue && a.GetTypeUrl() != "" && len(a.ProtoReflect().GetUnknown()) == 0
}

// allKey identifies a type encoding's all slice, which sharedResponse puts
// as is into every response of that version.
type allKey struct {
	data unsafe.Pointer
	n    int
}

func keyOfAll(anys []*anypb.Any) allKey {
	return allKey{unsafe.Pointer(unsafe.SliceData(anys)), len(anys)}
}

// byResources returns the published type encoding whose all slice is
// anys, or nil.
func (e *encoder) byResources(anys []*anypb.Any) *typeEncoding {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.byAll[keyOfAll(anys)]
}

// adsResponse is a DiscoveryResponse as sotw.go sends it: its resources'
// encoding already cut from their type's shared one.
type adsResponse struct {
	version, typeURL, nonce string
	anys                    []*anypb.Any
	// pieces are the encoded resources field of anys; nil: encode anys.
	pieces [][]byte
}

// message is the response as a DiscoveryResponse (for tests and the
// fallback encoding).
func (a *adsResponse) message() *discovery.DiscoveryResponse {
	return &discovery.DiscoveryResponse{VersionInfo: a.version, Resources: a.anys, TypeUrl: a.typeURL, Nonce: a.nonce}
}

// marshal writes proto.Marshal's bytes: fields in number order (version
// 1, resources 2, type 4, nonce 5), empty strings left out.
func (a *adsResponse) marshal(c *wireCodec) (mem.BufferSlice, error) {
	if a.pieces == nil && len(a.anys) > 0 {
		return c.base.Marshal(a.message())
	}
	var head, tail []byte
	if a.version != "" {
		head = protowire.AppendTag(head, 1, protowire.BytesType)
		head = protowire.AppendString(head, a.version)
	}
	if a.typeURL != "" {
		tail = protowire.AppendTag(tail, 4, protowire.BytesType)
		tail = protowire.AppendString(tail, a.typeURL)
	}
	if a.nonce != "" {
		tail = protowire.AppendTag(tail, 5, protowire.BytesType)
		tail = protowire.AppendString(tail, a.nonce)
	}
	out := make(mem.BufferSlice, 0, len(a.pieces)+2)
	out = append(out, mem.SliceBuffer(head))
	for _, p := range a.pieces {
		out = append(out, mem.SliceBuffer(p))
	}
	return append(out, mem.SliceBuffer(tail)), nil
}
