package server

import (
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

// vhostEncodings caches virtual hosts' encodings by identity; like the
// encoder's byPtr, it keeps those of the last snapshots.
type vhostEncodings struct {
	byPtr map[*routev3.VirtualHost][]byte
}

// marshalRouteConfig encodes rc as cache.MarshalResource would. seen
// collects the virtual hosts of the snapshot being built.
func (v *vhostEncodings) marshalRouteConfig(rc *routev3.RouteConfiguration, seen map[*routev3.VirtualHost][]byte) ([]byte, error) {
	r := rc.ProtoReflect()
	if len(r.GetUnknown()) > 0 || len(rc.GetVirtualHosts()) < 2 {
		return deterministic.Marshal(rc)
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
		return nil, err
	}
	before, after, ok := splitAt(b, vhostsField.Number())
	if !ok {
		return deterministic.Marshal(rc)
	}
	encs := make([][]byte, len(rc.GetVirtualHosts()))
	size := len(b)
	for i, vh := range rc.GetVirtualHosts() {
		enc, err := v.vhost(vh, seen)
		if err != nil {
			return nil, err
		}
		encs[i] = enc
		size += protowire.SizeTag(vhostsField.Number()) + protowire.SizeBytes(len(enc))
	}
	out := make([]byte, 0, size)
	out = append(out, before...)
	for _, enc := range encs {
		out = protowire.AppendTag(out, vhostsField.Number(), protowire.BytesType)
		out = protowire.AppendBytes(out, enc)
	}
	return append(out, after...), nil
}

func (v *vhostEncodings) vhost(vh *routev3.VirtualHost, seen map[*routev3.VirtualHost][]byte) ([]byte, error) {
	enc, ok := v.byPtr[vh]
	if !ok {
		enc, ok = seen[vh]
	}
	if !ok {
		var err error
		if enc, err = deterministic.Marshal(vh); err != nil {
			return nil, err
		}
	}
	seen[vh] = enc
	return enc, nil
}

// remember keeps seen's encodings, forgetting old ones once they
// outnumber the current ones.
func (v *vhostEncodings) remember(seen map[*routev3.VirtualHost][]byte) {
	if v.byPtr == nil || len(v.byPtr) > 4*len(seen)+1024 {
		v.byPtr = make(map[*routev3.VirtualHost][]byte, len(seen))
	}
	for vh, enc := range seen {
		v.byPtr[vh] = enc
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
