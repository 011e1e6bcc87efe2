package bench

import (
	"sync"
	"sync/atomic"

	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The fan-out's proxies run in the bench's own process, a thousand of them
// on the machine's two cores next to the control plane. Decoding every
// response in full (megabytes of route configurations, thousands of
// clusters, a thousand times over) measured the proxies, not the control
// plane, and starved streams until keepalives cut them. A proxy only needs
// each response's version, nonce and type, and the names a cluster or
// listener response leads it to subscribe to; those names are the same
// for every proxy at one version, so one proxy decodes them and the others
// reuse them.

// namesCache holds the subscription names learnt from each version of a
// cluster or listener response.
type namesCache struct {
	mu    sync.Mutex
	names map[[2]string][]string
	// largest is the largest response received, in bytes.
	largest atomic.Int64
}

func newNamesCache() *namesCache { return &namesCache{names: map[[2]string][]string{}} }

func (c *namesCache) get(typ, version string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.names[[2]string{typ, version}]
	return n, ok
}

func (c *namesCache) known(typ, version string) bool {
	_, ok := c.get(typ, version)
	return ok
}

func (c *namesCache) put(typ, version string, names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names[[2]string{typ, version}] = names
}

// leanCodec is the proto codec, except that a DiscoveryResponse whose
// names are known is decoded only for its version, type and nonce. It
// reads gRPC's received buffers as they are: joining them into one
// contiguous copy cost a megabyte-sized allocation per response and proxy.
type leanCodec struct{ names *namesCache }

func (leanCodec) Name() string { return "proto" }

func (leanCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, err := proto.Marshal(v.(proto.Message))
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (c leanCodec) Unmarshal(data mem.BufferSlice, v any) error {
	resp, ok := v.(*discovery.DiscoveryResponse)
	if !ok {
		return proto.Unmarshal(data.Materialize(), v.(proto.Message))
	}
	for n := int64(data.Len()); ; {
		l := c.names.largest.Load()
		if n <= l || c.names.largest.CompareAndSwap(l, n) {
			break
		}
	}
	version, typ, nonce, ok := scanResponse(data)
	if !ok || needsNames(typ) && !c.names.known(typ, version) {
		return proto.Unmarshal(data.Materialize(), resp)
	}
	resp.Reset()
	resp.VersionInfo, resp.TypeUrl, resp.Nonce = version, typ, nonce
	return nil
}

// scanResponse reads a DiscoveryResponse's version (1), type (4) and
// nonce (5), skipping the rest; ok is false if data is malformed.
func scanResponse(data mem.BufferSlice) (version, typ, nonce string, ok bool) {
	r := &sliceReader{}
	for _, b := range data {
		r.bufs = append(r.bufs, b.ReadOnlyData())
	}
	for !r.done() {
		tag, ok := r.varint()
		if !ok {
			return "", "", "", false
		}
		num, wt := protowire.Number(tag>>3), protowire.Type(tag&7)
		switch wt {
		case protowire.VarintType:
			_, ok = r.varint()
		case protowire.Fixed64Type:
			ok = r.skip(8)
		case protowire.Fixed32Type:
			ok = r.skip(4)
		case protowire.BytesType:
			var n uint64
			if n, ok = r.varint(); !ok {
				break
			}
			if num == 1 || num == 4 || num == 5 {
				var b []byte
				if b, ok = r.take(int(n)); ok {
					switch num {
					case 1:
						version = string(b)
					case 4:
						typ = string(b)
					default:
						nonce = string(b)
					}
				}
			} else {
				ok = r.skip(int(n))
			}
		default:
			ok = false
		}
		if !ok {
			return "", "", "", false
		}
	}
	return version, typ, nonce, true
}

// sliceReader reads across a BufferSlice's buffers without joining them.
type sliceReader struct {
	bufs [][]byte
	i    int
	off  int
}

func (r *sliceReader) done() bool {
	for r.i < len(r.bufs) && r.off == len(r.bufs[r.i]) {
		r.i, r.off = r.i+1, 0
	}
	return r.i == len(r.bufs)
}

func (r *sliceReader) byte() (byte, bool) {
	if r.done() {
		return 0, false
	}
	b := r.bufs[r.i][r.off]
	r.off++
	return b, true
}

func (r *sliceReader) varint() (uint64, bool) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		b, ok := r.byte()
		if !ok {
			return 0, false
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, true
		}
	}
	return 0, false
}

func (r *sliceReader) skip(n int) bool {
	for n > 0 {
		if r.done() {
			return false
		}
		k := min(n, len(r.bufs[r.i])-r.off)
		r.off += k
		n -= k
	}
	return n == 0
}

// take returns the next n bytes (only short fields are taken).
func (r *sliceReader) take(n int) ([]byte, bool) {
	out := make([]byte, 0, n)
	for len(out) < n {
		if r.done() {
			return nil, false
		}
		k := min(n-len(out), len(r.bufs[r.i])-r.off)
		out = append(out, r.bufs[r.i][r.off:r.off+k]...)
		r.off += k
	}
	return out, true
}
