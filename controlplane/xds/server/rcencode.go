package server

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A fleet's HTTP port is one RouteConfiguration with thousands of
// virtual hosts, and a one-route change replaces it. Encoding it whole
// again costs milliseconds per change; but a repeated message field is
// encoded as the concatenation of its elements, each tagged and
// length-prefixed, and the translator's Cache hands over the same
// VirtualHost pointer for every virtual host that did not change. So the
// configuration is encoded from the cached encodings of its virtual hosts
// plus its other fields, which gives the very bytes proto.Marshal would
// (deterministic Go encoding writes known fields in field-number order).

var vhostsField = (&routev3.RouteConfiguration{}).ProtoReflect().Descriptor().Fields().ByName("virtual_hosts")

var deterministic = proto.MarshalOptions{Deterministic: true}

// vhostEncodings keeps, for each route configuration name of each
// snapshot key, the encoding of the configuration last encoded under it,
// with where each virtual host's field lies in it: the next version copies
// the runs of virtual hosts it shares, in order, as whole ranges (one
// change leaves two runs of a ten-thousand-host configuration), and
// encodes only the others. Keeping exactly the last version's bounds the
// memory without any sweeping.
type vhostEncodings struct {
	byRC map[string]*rcEncoding
}

// rcEncoding is one route configuration's encoding, split by virtual host.
type rcEncoding struct {
	buf    []byte
	vhosts []*routev3.VirtualHost
	// offs[i] is where virtual host i's field (tag, length, message)
	// starts in buf; offs[len(vhosts)] is where the last one ends.
	offs []int
	// sums are sha256 of each virtual host's message.
	sums [][sha256.Size]byte
	// index is the first position of each virtual host, made when a
	// lookup by position misses.
	index map[*routev3.VirtualHost]int
}

func rcKey(snapshotKey, name string) string { return snapshotKey + "\x00" + name }

// marshalRouteConfig encodes rc as cache.MarshalResource would, and
// returns a digest of it. pending collects, by rcKey, the encodings of the
// snapshot being built.
//
// The digest of a configuration encoded from its virtual hosts is sha256
// over its other fields' bytes and its virtual hosts' digests, rather than
// over its megabytes: equal bytes give an equal digest (the bytes
// determine the parts) and, short of a sha256 collision, different bytes
// a different one, which is all a version needs to be (go-control-plane
// only compares versions with versions it sent).
func (v *vhostEncodings) marshalRouteConfig(key string, rc *routev3.RouteConfiguration, pending map[string]*rcEncoding) ([]byte, [sha256.Size]byte, error) {
	r := rc.ProtoReflect()
	if len(r.GetUnknown()) > 0 || len(rc.GetVirtualHosts()) < 2 {
		return marshalSummed(rc)
	}
	// Every field but the virtual hosts, split around where they go.
	rest := &routev3.RouteConfiguration{}
	rr := rest.ProtoReflect()
	r.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		if fd != vhostsField {
			rr.Set(fd, val)
		}
		return true
	})
	b, err := deterministic.Marshal(rest)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	before, after, ok := splitAt(b, vhostsField.Number())
	if !ok {
		return marshalSummed(rc)
	}
	k := rcKey(key, rc.GetName())
	next, err := v.byRC[k].next(rc.GetVirtualHosts(), before, after)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	pending[k] = next
	return next.buf, next.digest(before, after), nil
}

// marshalSummed encodes m as cache.MarshalResource does (deterministic)
// and digests the bytes.
func marshalSummed(m proto.Message) ([]byte, [sha256.Size]byte, error) {
	b, err := deterministic.Marshal(m)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	return b, sha256.Sum256(b), nil
}

// vhostEncoded is a virtual host encoded now, with its digest.
type vhostEncoded struct {
	enc []byte
	sum [sha256.Size]byte
}

// next encodes a configuration with virtual hosts vhs and the other fields
// before and after them, reusing what last (nil: nothing) holds.
func (last *rcEncoding) next(vhs []*routev3.VirtualHost, before, after []byte) (*rcEncoding, error) {
	// at[i] is where virtual host i is in last, or -1 when it is encoded
	// now (fresh, by position): a few of ten thousand.
	at := make([]int32, len(vhs))
	var fresh map[int]vhostEncoded
	size, shift := len(before)+len(after), 0
	for i, vh := range vhs {
		if j := last.find(vh, i+shift); j >= 0 {
			shift = j - i
			at[i] = int32(j)
			size += last.offs[j+1] - last.offs[j]
			continue
		}
		enc, err := deterministic.Marshal(vh)
		if err != nil {
			return nil, err
		}
		if fresh == nil {
			fresh = map[int]vhostEncoded{}
		}
		at[i], fresh[i] = -1, vhostEncoded{enc: enc, sum: sha256.Sum256(enc)}
		size += protowire.SizeTag(vhostsField.Number()) + protowire.SizeBytes(len(enc))
	}
	out := &rcEncoding{buf: make([]byte, 0, size), vhosts: vhs, offs: make([]int, len(vhs)+1), sums: make([][sha256.Size]byte, len(vhs))}
	out.buf = append(out.buf, before...)
	for i := 0; i < len(vhs); {
		if at[i] < 0 {
			f := fresh[i]
			out.offs[i], out.sums[i] = len(out.buf), f.sum
			out.buf = protowire.AppendTag(out.buf, vhostsField.Number(), protowire.BytesType)
			out.buf = protowire.AppendBytes(out.buf, f.enc)
			i++
			continue
		}
		// A run of virtual hosts that follow each other in last too is
		// one range of its bytes.
		n := 1
		for i+n < len(vhs) && at[i+n] == at[i]+int32(n) {
			n++
		}
		from := int(at[i])
		delta := len(out.buf) - last.offs[from]
		for m := range n {
			out.offs[i+m] = last.offs[from+m] + delta
		}
		copy(out.sums[i:i+n], last.sums[from:from+n])
		out.buf = append(out.buf, last.buf[last.offs[from]:last.offs[from+n]]...)
		i += n
	}
	out.offs[len(vhs)] = len(out.buf)
	out.buf = append(out.buf, after...)
	return out, nil
}

// find returns the position of vh in last, trying at first: virtual hosts
// keep their order, so a one-route change finds them all where the
// previous ones were, shifted by the hosts added or dropped before.
func (last *rcEncoding) find(vh *routev3.VirtualHost, at int) int {
	if last == nil {
		return -1
	}
	if at >= 0 && at < len(last.vhosts) && last.vhosts[at] == vh {
		return at
	}
	if last.index == nil {
		last.index = make(map[*routev3.VirtualHost]int, len(last.vhosts))
		for i := len(last.vhosts) - 1; i >= 0; i-- {
			last.index[last.vhosts[i]] = i
		}
	}
	if j, ok := last.index[vh]; ok {
		return j
	}
	return -1
}

// digest hashes the other fields and the virtual hosts' digests, each
// part length-prefixed so that boundaries count.
func (e *rcEncoding) digest(before, after []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, part := range [][]byte{before, after} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	binary.BigEndian.PutUint64(n[:], uint64(len(e.sums)))
	h.Write(n[:])
	for i := range e.sums {
		h.Write(e.sums[i][:])
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// remember makes pending's encodings the ones the next versions reuse.
func (v *vhostEncodings) remember(pending map[string]*rcEncoding) {
	if v.byRC == nil {
		v.byRC = map[string]*rcEncoding{}
	}
	for k, m := range pending {
		v.byRC[k] = m
	}
}

// forget drops the encodings kept for snapshot key.
func (v *vhostEncodings) forget(key string) {
	for k := range v.byRC {
		if strings.HasPrefix(k, key+"\x00") {
			delete(v.byRC, k)
		}
	}
}

// splitAt splits an encoded message into its fields numbered below n and
// the rest; ok is false if they are not in that order.
func splitAt(b []byte, n protowire.Number) (before, after []byte, ok bool) {
	i := 0
	for i < len(b) {
		num, typ, tl := protowire.ConsumeTag(b[i:])
		if tl < 0 {
			return nil, nil, false
		}
		vl := protowire.ConsumeFieldValue(num, typ, b[i+tl:])
		if vl < 0 {
			return nil, nil, false
		}
		if num >= n {
			break
		}
		i += tl + vl
	}
	for j := i; j < len(b); {
		num, typ, tl := protowire.ConsumeTag(b[j:])
		if tl < 0 || num < n {
			return nil, nil, false
		}
		vl := protowire.ConsumeFieldValue(num, typ, b[j+tl:])
		if vl < 0 {
			return nil, nil, false
		}
		j += tl + vl
	}
	return b[:i], b[i:], true
}
