package main

import (
	"math"
	"math/rand/v2"
	"strings"

	xdsmatcherv3 "github.com/cncf/xds/go/xds/type/matcher/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	tlsinspectorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	udpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/udp/udp_proxy/v3"
	consistenthashingv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/matching/input_matchers/consistent_hashing/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// randomResourceTypes are the resource types translate prints.
var randomResourceTypes = []proto.Message{
	&clusterv3.Cluster{}, &endpointv3.ClusterLoadAssignment{}, &listenerv3.Listener{},
	&routev3.RouteConfiguration{}, &tlsv3.Secret{},
}

// randomAnyTypes are what random Any fields hold: the typed configs the
// translator packs, well-known types (Timestamp and FieldMask print
// through protojson), and a proto2 message the direct writer leaves to
// protojson.
var randomAnyTypes = []proto.Message{
	&hcmv3.HttpConnectionManager{}, &routerv3.Router{}, &corsv3.Cors{}, &corsv3.CorsPolicy{},
	&tlsinspectorv3.TlsInspector{}, &tcpv3.TcpProxy{}, &udpv3.UdpProxyConfig{},
	&tlsv3.UpstreamTlsContext{}, &tlsv3.DownstreamTlsContext{}, &httpv3.HttpProtocolOptions{},
	&consistenthashingv3.ConsistentHashing{}, &xdsmatcherv3.Matcher{}, &routev3.Route{},
	&durationpb.Duration{}, &structpb.Struct{}, &structpb.Value{}, &structpb.ListValue{},
	&wrapperspb.UInt32Value{}, &wrapperspb.StringValue{}, &wrapperspb.BoolValue{}, &wrapperspb.Int64Value{},
	&wrapperspb.UInt64Value{}, &wrapperspb.DoubleValue{}, &wrapperspb.FloatValue{}, &wrapperspb.BytesValue{},
	&wrapperspb.Int32Value{}, &emptypb.Empty{}, &timestamppb.Timestamp{}, &fieldmaskpb.FieldMask{},
	&anypb.Any{}, &descriptorpb.FieldOptions{},
}

var randomStrings = []string{"", "a", "x-canary", "<b>&amp;", `"q"`, `back\slash`, "tab\tnew\nline", "\x00\x1f\x7f",
	"ü", "日本", "\u2028\u2029", "/path?x=1", "route_config", "ZZ", "_u", "@type"}

var randomFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.1, 1e-7, 1e-6, 1e21, 1e20, 1 << 53, 1<<53 + 2,
	123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, math.MaxFloat32, math.SmallestNonzeroFloat32,
	math.NaN(), math.Inf(1), math.Inf(-1), 3.4e38, 1.5e-45}

// protoFiller sets random fields of messages, with a budget of fields so
// that deep Envoy messages stay small; rare is the chance (1 in rare) of
// values protojson refuses (invalid UTF-8, bad durations, NaN in Value).
type protoFiller struct {
	rng    *rand.Rand
	budget int
	rare   int
}

func (f *protoFiller) chance(n int) bool { return f.rng.IntN(n) == 0 }

func (f *protoFiller) fill(m protoreflect.Message, depth int) {
	switch m.Descriptor().FullName() {
	case "google.protobuf.Any":
		f.fillAny(m, depth)
		return
	case "google.protobuf.Duration":
		f.fillDuration(m)
		return
	case "google.protobuf.Timestamp":
		m.Set(m.Descriptor().Fields().ByName("seconds"), protoreflect.ValueOfInt64(f.rng.Int64N(4e9)))
		m.Set(m.Descriptor().Fields().ByName("nanos"), protoreflect.ValueOfInt32(f.rng.Int32N(1e9)))
		return
	case "google.protobuf.Value":
		f.fillValue(m, depth)
		return
	case "google.protobuf.FieldMask":
		m.Mutable(m.Descriptor().Fields().ByName("paths")).List().Append(protoreflect.ValueOfString("a.b_c"))
		return
	}
	fds := m.Descriptor().Fields()
	for _, i := range f.rng.Perm(fds.Len()) {
		if f.budget <= 0 {
			return
		}
		fd := fds.Get(i)
		if !f.chance(2 + depth) {
			continue
		}
		f.budget--
		f.setField(m, fd, depth)
	}
}

func (f *protoFiller) setField(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	switch {
	case fd.IsList():
		l := m.Mutable(fd).List()
		for range 1 + f.rng.IntN(3) {
			if fd.Message() != nil {
				f.fill(l.AppendMutable().Message(), depth+1)
			} else {
				l.Append(f.scalar(fd))
			}
		}
	case fd.IsMap():
		mp := m.Mutable(fd).Map()
		for range 1 + f.rng.IntN(3) {
			k := f.scalar(fd.MapKey()).MapKey()
			if fd.MapValue().Message() != nil {
				f.fill(mp.Mutable(k).Message(), depth+1)
			} else {
				mp.Set(k, f.scalar(fd.MapValue()))
			}
		}
	case fd.Message() != nil:
		f.fill(m.Mutable(fd).Message(), depth+1)
	default:
		m.Set(fd, f.scalar(fd))
	}
}

func (f *protoFiller) fillAny(m protoreflect.Message, depth int) {
	if f.chance(20) {
		return // empty Any
	}
	inner := randomAnyTypes[f.rng.IntN(len(randomAnyTypes))].ProtoReflect().New()
	if inner.Descriptor().FullName() != "google.protobuf.Any" || depth < 6 {
		f.fill(inner, depth+1)
	}
	b, err := proto.MarshalOptions{AllowPartial: true, Deterministic: true}.Marshal(inner.Interface())
	if err != nil {
		return // invalid UTF-8 inside: proto refuses to pack it
	}
	url := "type.googleapis.com/" + string(inner.Descriptor().FullName())
	if f.chance(f.rare) {
		url = "type.googleapis.com/no.such.Type"
	}
	fds := m.Descriptor().Fields()
	m.Set(fds.ByName("type_url"), protoreflect.ValueOfString(url))
	m.Set(fds.ByName("value"), protoreflect.ValueOfBytes(b))
}

// fillValue sets one kind of a Value, as protojson refuses a Value with
// none (rarely left so) or with a NaN or infinite number.
func (f *protoFiller) fillValue(m protoreflect.Message, depth int) {
	if f.chance(f.rare) {
		return
	}
	fds := m.Descriptor().Oneofs().ByName("kind").Fields()
	fd := fds.Get(f.rng.IntN(fds.Len()))
	if fd.Message() != nil && depth > 6 {
		fd = m.Descriptor().Fields().ByName("string_value")
	}
	if fd.Name() == "number_value" {
		v := f.float()
		for (math.IsNaN(v) || math.IsInf(v, 0)) && !f.chance(f.rare) {
			v = f.float()
		}
		m.Set(fd, protoreflect.ValueOfFloat64(v))
		return
	}
	f.setField(m, fd, depth)
}

func (f *protoFiller) fillDuration(m protoreflect.Message) {
	secs, nanos := f.rng.Int64N(1e6), f.rng.Int32N(1e9)
	switch f.rng.IntN(4) {
	case 0:
		nanos = nanos / 1e6 * 1e6
	case 1:
		nanos = nanos / 1e3 * 1e3
	case 2:
		secs, nanos = -secs, -nanos
	}
	if f.chance(f.rare) {
		secs = 315576000001
	}
	fds := m.Descriptor().Fields()
	m.Set(fds.ByName("seconds"), protoreflect.ValueOfInt64(secs))
	m.Set(fds.ByName("nanos"), protoreflect.ValueOfInt32(nanos))
}

func (f *protoFiller) scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	r := f.rng
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 0)
	case protoreflect.StringKind:
		s := randomStrings[r.IntN(len(randomStrings))] + strings.Repeat("s", r.IntN(3))
		if f.chance(f.rare) {
			s += "\xff"
		}
		return protoreflect.ValueOfString(s)
	case protoreflect.BytesKind:
		b := make([]byte, r.IntN(7))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return protoreflect.ValueOfBytes(b)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32([]int32{0, 1, -1, math.MaxInt32, math.MinInt32, r.Int32()}[r.IntN(6)])
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32([]uint32{0, 1, math.MaxUint32, r.Uint32()}[r.IntN(4)])
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64([]int64{0, 1, -1, math.MaxInt64, math.MinInt64, r.Int64()}[r.IntN(6)])
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64([]uint64{0, 1, math.MaxUint64, r.Uint64()}[r.IntN(4)])
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(f.float()))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(f.float())
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		if f.chance(8) {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(1000 + r.IntN(5)))
		}
		return protoreflect.ValueOfEnum(vals.Get(r.IntN(vals.Len())).Number())
	}
	panic("no random value for " + fd.Kind().String())
}

func (f *protoFiller) float() float64 {
	if f.chance(2) {
		return f.rng.NormFloat64() * math.Pow(10, float64(f.rng.IntN(50)-25))
	}
	return randomFloats[f.rng.IntN(len(randomFloats))]
}
