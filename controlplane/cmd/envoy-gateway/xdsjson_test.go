package main

import (
	"bytes"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwconformance "sigs.k8s.io/gateway-api/conformance"
	"sigs.k8s.io/yaml"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/bench/workload"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

// viaProtoJSONRender is the old rendering of one resource at depth:
// protojson's text read back and printed indented with sorted keys.
func viaProtoJSONRender(m proto.Message, depth int) ([]byte, error) {
	r := &xdsRenderer{multi: depth == 4}
	return r.render(m, "", "")
}

// xdsTranslatorResourceSets translates the xDS translator's golden IR
// inputs.
func xdsTranslatorResourceSets(t *testing.T) []*translator.ResourceSet {
	t.Helper()
	files, err := filepath.Glob("../../xds/translator/testdata/*.in.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	var sets []*translator.ResourceSet
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		x := &ir.Xds{}
		if err := yaml.UnmarshalStrict(data, x); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rs, err := translator.Translate(x)
		if err != nil {
			continue // an error case: nothing to print
		}
		sets = append(sets, rs)
	}
	return sets
}

// conformanceResourceSets translates each upstream conformance test's
// manifests with the base manifests, as the conformance suite loads them
// (placeholders substituted, one GatewayClass). Files that do not decode
// alone or redefine base objects are left out; most do.
func conformanceResourceSets(t *testing.T) []*translator.ResourceSet {
	t.Helper()
	files, err := fs.Glob(gwconformance.Manifests, "tests/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance manifests: %v", err)
	}
	subst := strings.NewReplacer("{GATEWAY_CLASS_NAME}", "conformance", "{GATEWAY_CONTROLLER_NAME}", string(resource.DefaultControllerName))
	decode := func(f string) (*resource.Resources, bool) {
		data, err := fs.ReadFile(gwconformance.Manifests, f)
		if err != nil {
			t.Fatal(err)
		}
		res, _, errs := resource.Decode([]byte(subst.Replace(string(data))), f)
		return res, len(errs) == 0
	}
	var sets []*translator.ResourceSet
	used := 0
	for _, f := range files {
		all, ok := decode("base/manifests.yaml")
		if !ok {
			t.Fatal("base manifests do not decode")
		}
		res, ok := decode(f)
		if !ok || len(all.Merge(res)) > 0 {
			continue
		}
		all.GatewayClasses = append(all.GatewayClasses, &gwapiv1.GatewayClass{
			ObjectMeta: metav1.ObjectMeta{Name: "conformance", Generation: 1},
			Spec:       gwapiv1.GatewayClassSpec{ControllerName: resource.DefaultControllerName},
		})
		used++
		sets = append(sets, translateAll(t, all)...)
	}
	if used < len(files)/2 {
		t.Fatalf("only %d of %d conformance manifests load", used, len(files))
	}
	return sets
}

func realResourceSets(t *testing.T) []*translator.ResourceSet {
	t.Helper()
	sets := goldenResourceSets(t)
	sets = append(sets, xdsTranslatorResourceSets(t)...)
	sets = append(sets, conformanceResourceSets(t)...)
	for seed := range uint64(3) {
		sets = append(sets, translateAll(t, workload.Generate(50+int(seed)*100, seed+7).Resources)...)
	}
	return sets
}

// Every resource of every translated configuration in the repository is
// printed by the direct writer itself (no fallback) and gives protojson's
// bytes, at both depths a resource is printed at.
func TestProtoJSONWriterEqualsProtoJSONOnRealResources(t *testing.T) {
	sets := realResourceSets(t)
	pw := newProtoJSONWriter(nil, 0)
	n := 0
	for _, rs := range sets {
		f := newXDSFleet(rs)
		for _, g := range append(f.envoy, f.grpc...) {
			for _, m := range g.msgs {
				for _, depth := range []int{3, 4} {
					want, err := viaProtoJSONRender(m, depth)
					if err != nil {
						t.Fatalf("%s %s: %v", rs.Fleet, g.key, err)
					}
					got, err := pw.appendMessage(nil, m, depth)
					if err != nil {
						t.Fatalf("%s %s: direct writer: %v", rs.Fleet, g.key, err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("%s %s %T:\ngot:  %s\nwant: %s", rs.Fleet, g.key, m, got, want)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d resource renderings compared over %d fleets", n, len(sets))
}

// Whole outputs, JSON and YAML, one fleet and several, and with blocks
// cut after every few bytes, equal the protojson path's.
func TestWriteXDSDirectEqualsProtoJSONPath(t *testing.T) {
	sets := realResourceSets(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 60 {
		group := []*translator.ResourceSet{sets[rng.IntN(len(sets))]}
		for range rng.IntN(3) * (i % 2) {
			group = append(group, sets[rng.IntN(len(sets))])
		}
		fleets := make([]xdsFleet, len(group))
		for j, rs := range group {
			fleets[j] = newXDSFleet(rs)
		}
		blockSize := []int{0, 1, 7, 300}[rng.IntN(4)]
		assertSameOutput(t, fleets, blockSize)
	}
}

// sameError: both nil, or both errors with the same text.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

// assertSameOutput compares the direct and the protojson paths in JSON
// and YAML.
func assertSameOutput(t *testing.T, fleets []xdsFleet, blockSize int) {
	t.Helper()
	multi := len(fleets) > 1
	for _, yaml := range []bool{false, true} {
		var want, got bytes.Buffer
		errWant := (&xdsRenderer{yaml: yaml, multi: multi}).printFleets(&want, fleets)
		errGot := (&xdsRenderer{yaml: yaml, multi: multi, direct: true, blockSize: blockSize}).printFleets(&got, fleets)
		if !sameError(errGot, errWant) {
			t.Fatalf("yaml %v: errors differ: direct %v, protojson %v", yaml, errGot, errWant)
		}
		if errWant == nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("yaml %v, block size %d: %s", yaml, blockSize, firstDifference(got.Bytes(), want.Bytes()))
		}
	}
}

// Random resources of every type translate prints, with Any-packed typed
// configs and well-known types, print as the protojson path prints them,
// errors included; most are printed by the direct writer itself, the
// rest go through the fallback, and both kinds occur.
func TestProtoJSONWriterEqualsProtoJSONOnRandomMessages(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	pw := newProtoJSONWriter(nil, 0)
	var direct, fellBack, failed int
	for i := range 3000 {
		f := &protoFiller{rng: rng, budget: 20 + rng.IntN(150), rare: 40 + rng.IntN(400)}
		m := randomResourceTypes[i%len(randomResourceTypes)].ProtoReflect().New()
		f.fill(m, 0)
		depth := 3 + rng.IntN(2)
		want, errWant := viaProtoJSONRender(m.Interface(), depth)
		r := &xdsRenderer{multi: depth == 4, direct: true}
		got, errGot := r.appendPiece(nil, pw, xdsPiece{msg: m.Interface()})
		if !sameError(errGot, errWant) {
			t.Fatalf("%T: errors differ: direct %v, protojson %v", m.Interface(), errGot, errWant)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%T:\ngot:  %s\nwant: %s", m.Interface(), got, want)
		}
		switch only, err := pw.appendMessage(nil, m.Interface(), depth); {
		case err == nil:
			direct++
			if !bytes.Equal(only, want) {
				t.Fatalf("%T: direct writer:\ngot:  %s\nwant: %s", m.Interface(), only, want)
			}
		case errWant != nil:
			failed++
		default:
			fellBack++
		}
	}
	t.Logf("direct %d, fell back %d, protojson errors %d", direct, fellBack, failed)
	if direct < 2000 || fellBack == 0 || failed == 0 {
		t.Errorf("want most printed directly and some of each other kind: direct %d, fell back %d, errors %d", direct, fellBack, failed)
	}
}

// Outputs of random resources, JSON and YAML, with blocks cut after every
// few bytes so that fallbacks roll back over cut blocks, equal the
// protojson path's.
func TestWriteXDSDirectEqualsProtoJSONPathOnRandomMessages(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	keys := []string{"clusters", "endpoints", "listeners", "routes", "secrets"}
	for range 200 {
		fleets := make([]xdsFleet, 1+rng.IntN(2))
		for i := range fleets {
			fleets[i].name = randomStrings[rng.IntN(len(randomStrings))]
			for side := range 2 {
				var groups []xdsGroup
				for k, key := range keys {
					if rng.IntN(3) == 0 {
						continue
					}
					g := xdsGroup{key: key}
					for range 1 + rng.IntN(4) {
						f := &protoFiller{rng: rng, budget: 10 + rng.IntN(60), rare: 100 + rng.IntN(2000)}
						m := randomResourceTypes[k].ProtoReflect().New()
						f.fill(m, 0)
						g.msgs = append(g.msgs, m.Interface())
					}
					groups = append(groups, g)
				}
				if side == 0 {
					fleets[i].envoy = groups
				} else {
					fleets[i].grpc = groups
				}
			}
		}
		assertSameOutput(t, fleets, []int{0, 1, 5, 64, 1000}[rng.IntN(5)])
	}
}

// Each kind of message the direct writer leaves to protojson: it says so
// (or prints through protojson in place), and the printed resource or
// error is the protojson path's.
func TestProtoJSONWriterFallbacks(t *testing.T) {
	pack := func(m proto.Message) *anypb.Any {
		a, err := anypb.New(m)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	withTypedConfig := func(a *anypb.Any) proto.Message {
		return &listenerv3.Listener{Name: "l", ListenerFilters: []*listenerv3.ListenerFilter{{
			Name: "f", ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: a}}}}
	}
	for _, c := range []struct {
		name    string
		msg     proto.Message
		covered bool // printed by the direct writer itself
		fails   bool // protojson fails
	}{
		{"proto2 message in an Any", withTypedConfig(pack(&descriptorpb.FieldOptions{Deprecated: proto.Bool(true)})), false, false},
		{"Timestamp in an Any", withTypedConfig(pack(timestamppb.New(time.Unix(1700000000, 5e8)))), true, false},
		{"FieldMask in an Any", withTypedConfig(pack(&fieldmaskpb.FieldMask{Paths: []string{"a.b_c", "d"}})), true, false},
		{"Duration in an Any", withTypedConfig(pack(durationpb.New(-1500 * time.Millisecond))), true, false},
		{"Empty in an Any", withTypedConfig(pack(&emptypb.Empty{})), true, false},
		{"unknown type in an Any", withTypedConfig(&anypb.Any{TypeUrl: "type.googleapis.com/no.such.Type"}), false, true},
		{"Any without type", withTypedConfig(&anypb.Any{Value: []byte{1}}), false, true},
		{"undecodable Any", withTypedConfig(&anypb.Any{TypeUrl: "type.googleapis.com/google.protobuf.Duration", Value: []byte{0xff}}), false, true},
		{"invalid UTF-8", &clusterv3.Cluster{Name: "a\xffb"}, false, true},
		{"Duration out of range", &clusterv3.Cluster{Name: "c", ConnectTimeout: &durationpb.Duration{Seconds: 315576000001}}, false, true},
		{"Duration signs differ", &clusterv3.Cluster{Name: "c", ConnectTimeout: &durationpb.Duration{Seconds: 1, Nanos: -1}}, false, true},
		{"NaN in a Value", withTypedConfig(pack(structpb.NewNumberValue(math.NaN()))), false, true},
		{"Value of no kind", withTypedConfig(pack(&structpb.Value{})), false, true},
	} {
		_, err := newProtoJSONWriter(nil, 0).appendMessage(nil, c.msg, 3)
		if covered := err == nil; covered != c.covered {
			t.Errorf("%s: direct writer error %v, want covered %v", c.name, err, c.covered)
		}
		want, errWant := viaProtoJSONRender(c.msg, 3)
		if (errWant != nil) != c.fails {
			t.Errorf("%s: protojson error %v, want failure %v", c.name, errWant, c.fails)
		}
		got, errGot := (&xdsRenderer{direct: true}).appendPiece(nil, newProtoJSONWriter(nil, 0), xdsPiece{msg: c.msg})
		if !sameError(errGot, errWant) {
			t.Errorf("%s: errors differ: direct %v, protojson %v", c.name, errGot, errWant)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s:\ngot:  %s\nwant: %s", c.name, got, want)
		}
	}
}
