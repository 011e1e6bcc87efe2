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
		blob, _, err := te.wire()
		if err != nil {
			return nil, err
		}
		return [][]byte{blob}, nil
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
	out := make([][]byte, len(anys))
	for i, ref := range refs {
		blob, offs, err := ref.te.wire()
		if err != nil {
			return nil, err
		}
		out[i] = blob[offs[ref.i]:offs[ref.i+1]]
	}
	return out, nil
}

// anyRef locates a published resource in its type encoding.
type anyRef struct {
	te *typeEncoding
	i  int
}

// wireEncoding is the resources field of a response holding all of a
// type encoding's resources, built on first use.
type wireEncoding struct {
	once sync.Once
	b    []byte
	// offs[i] is where resource i starts in b; offs[len] is len(b).
	offs []int
	err  error
}

func (te *typeEncoding) wire() ([]byte, []int, error) {
	te.w.once.Do(func() {
		// Sized first and written in place: growing a megabytes-long
		// slice by appending was most of the cost, on the path of every
		// change (the first stream to send waits for it, the others for
		// that one).
		num := responseResources.Number()
		sizes := make([]int, len(te.all))
		total := 0
		for i, a := range te.all {
			sizes[i] = deterministic.Size(a)
			total += protowire.SizeTag(num) + protowire.SizeBytes(sizes[i])
		}
		out := make([]byte, 0, total)
		offs := make([]int, 0, len(te.all)+1)
		for i, a := range te.all {
			offs = append(offs, len(out))
			out = protowire.AppendTag(out, num, protowire.BytesType)
			out = protowire.AppendVarint(out, uint64(sizes[i]))
			var err error
			if out, err = deterministic.MarshalAppend(out, a); err != nil {
				te.w.err = err
				return
			}
		}
		te.w.b, te.w.offs = out, append(offs, len(out))
	})
	return te.w.b, te.w.offs, te.w.err
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
