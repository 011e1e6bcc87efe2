package server

import (
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
// snapshot key, the encodings of the virtual hosts of the configuration
// last encoded under it: the next version reuses those it shares. Keeping
// exactly the last version's bounds the memory without any sweeping.
type vhostEncodings struct {
	byRC map[string]map[*routev3.VirtualHost][]byte
}

func rcKey(snapshotKey, name string) string { return snapshotKey + "\x00" + name }

// marshalRouteConfig encodes rc as cache.MarshalResource would. pending
// collects, by rcKey, the encodings of the snapshot being built.
func (v *vhostEncodings) marshalRouteConfig(key string, rc *routev3.RouteConfiguration, pending map[string]map[*routev3.VirtualHost][]byte) ([]byte, error) {
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
	k := rcKey(key, rc.GetName())
	prev := v.byRC[k]
	next := make(map[*routev3.VirtualHost][]byte, len(rc.GetVirtualHosts()))
	encs := make([][]byte, len(rc.GetVirtualHosts()))
	size := len(b)
	for i, vh := range rc.GetVirtualHosts() {
		enc, ok := prev[vh]
		if !ok {
			enc, ok = next[vh]
		}
		if !ok {
			if enc, err = deterministic.Marshal(vh); err != nil {
				return nil, err
			}
		}
		next[vh] = enc
		encs[i] = enc
		size += protowire.SizeTag(vhostsField.Number()) + protowire.SizeBytes(len(enc))
	}
	pending[k] = next
	out := make([]byte, 0, size)
	out = append(out, before...)
	for _, enc := range encs {
		out = protowire.AppendTag(out, vhostsField.Number(), protowire.BytesType)
		out = protowire.AppendBytes(out, enc)
	}
	return append(out, after...), nil
}

// remember makes pending's encodings the ones the next versions reuse.
func (v *vhostEncodings) remember(pending map[string]map[*routev3.VirtualHost][]byte) {
	if v.byRC == nil {
		v.byRC = map[string]map[*routev3.VirtualHost][]byte{}
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
