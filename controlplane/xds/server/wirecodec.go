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
	r, ok := v.(*discovery.DiscoveryResponse)
	if !ok || len(r.GetResources()) == 0 {
		return c.base.Marshal(v)
	}
	te := c.enc.byResources(r.GetResources())
	if te == nil || len(r.ProtoReflect().GetUnknown()) > 0 {
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
	blob, err := te.wire()
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(before), mem.SliceBuffer(blob), mem.SliceBuffer(after)}, nil
}

// wireEncoding is the resources field of a response holding all of a
// type encoding's resources, built on first use.
type wireEncoding struct {
	once sync.Once
	b    []byte
	err  error
}

func (te *typeEncoding) wire() ([]byte, error) {
	te.w.once.Do(func() {
		var out []byte
		for _, a := range te.all {
			enc, err := deterministic.Marshal(a)
			if err != nil {
				te.w.err = err
				return
			}
			out = protowire.AppendTag(out, responseResources.Number(), protowire.BytesType)
			out = protowire.AppendBytes(out, enc)
		}
		te.w.b = out
	})
	return te.w.b, te.w.err
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
