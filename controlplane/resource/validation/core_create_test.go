package validation

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// coreBases are valid objects of every core kind, with most of the fields
// the types declare set, so that random changes reach them: timestamps
// (one with fractional seconds, which the typed object keeps and its
// re-encoding drops), managed fields (raw JSON kept as bytes), owner
// references, base64 data, IntOrString ports, pointers.
const coreBases = `
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: team-a
  labels: {app: api, tier: web}
  annotations: {note: "x <&> y"}
  creationTimestamp: "2026-01-02T03:04:05.123456Z"
  generation: 3
  finalizers: [example.com/keep]
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, uid: "1234", controller: true}]
  managedFields: [{manager: kubectl, operation: Apply, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {"f:spec": {"f:ports": {}, "f:selector": {}, "f:type": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}, time: "2026-01-02T03:04:05Z"}]
spec:
  type: ClusterIP
  selector: {app: api}
  sessionAffinity: None
  clusterIP: 10.0.0.1
  ipFamilies: [IPv4]
  ports:
  - {name: http, port: 80, targetPort: 8080, protocol: TCP, appProtocol: http}
  - {name: grpc, port: 9090, targetPort: grpc}
---
apiVersion: v1
kind: Service
metadata: {name: be-2, namespace: ns-2}
spec:
  ports: [{name: http, port: 80, targetPort: 0}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: api-1
  namespace: team-a
  labels: {kubernetes.io/service-name: api}
addressType: IPv4
endpoints:
- addresses: [10.1.0.6, 10.1.0.7]
  conditions: {ready: true, serving: true, terminating: false}
  nodeName: node-1
  zone: z1
  hostname: pod-a
  targetRef: {kind: Pod, name: pod-a, namespace: team-a}
  hints: {forZones: [{name: z1}]}
- addresses: [10.1.0.8]
ports:
- {name: http, port: 8080, protocol: TCP, appProtocol: http}
- {name: grpc, port: 9090}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, namespace: default}
addressType: FQDN
endpoints: [{addresses: [db.example.com]}]
ports: [{name: "", port: 5432}]
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: team-a}
type: Opaque
immutable: false
data: {password: aHVudGVyMg==, empty: ""}
stringData: {user: admin}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: team-a, unknownMeta: x}
data: {gone: null}
binaryData: {not: declared}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: team-a}
data: {a.conf: "x=1", b: ""}
binaryData: {blob: AAEC}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: a}}
spec: {finalizers: [kubernetes]}
status: {phase: Active}
`

// oddValues are values of types and ranges that the typed decode treats
// specially: integral and fractional floats, ints out of int32's range,
// negative numbers, strings that parse as times, base64 or neither, and
// strings that are not UTF-8.
var oddValues = []func() any{
	func() any { return 80.0 },
	func() any { return 2.5 },
	func() any { return int64(1) << 32 },
	func() any { return int64(1)<<32 + 80 },
	func() any { return int64(-1) },
	func() any { return "2026-01-02T03:04:05.999Z" },
	func() any { return "not a time" },
	func() any { return "AAEC" },
	func() any { return "\xff\xfe" },
	func() any { return map[string]any{"f:x": map[string]any{}} },
	func() any { return []any{map[string]any{"name": "p", "port": int64(1)}} },
	func() any { return []any{nil} },
	func() any { return map[string]any{"Name": "x"} },
}

// mutateOdd sets one random place of obj to an odd value, or adds a key
// with one.
func mutateOdd(rng *rand.Rand, obj map[string]any) {
	var parent any = obj
	for depth := 0; ; depth++ {
		switch p := parent.(type) {
		case map[string]any:
			keys := slices.Sorted(maps.Keys(p))
			if depth == 0 && rng.IntN(8) > 0 {
				// A broken type meta says little.
				keys = slices.DeleteFunc(keys, func(k string) bool { return k == "apiVersion" || k == "kind" })
			}
			if len(keys) == 0 || rng.IntN(8) == 0 {
				p[[]string{"extra", "Name", "port", "data"}[rng.IntN(4)]] = oddValues[rng.IntN(len(oddValues))]()
				return
			}
			k := keys[rng.IntN(len(keys))]
			if isContainer(p[k]) && rng.IntN(4) > 0 {
				parent = p[k]
				continue
			}
			p[k] = oddValues[rng.IntN(len(oddValues))]()
			return
		case []any:
			if len(p) == 0 {
				return
			}
			i := rng.IntN(len(p))
			if isContainer(p[i]) && rng.IntN(4) > 0 {
				parent = p[i]
				continue
			}
			p[i] = oddValues[rng.IntN(len(oddValues))]()
			return
		default:
			return
		}
	}
}

// createBySteps is the create path one step at a time, each step decoding
// the object afresh, as Create ran it for every kind before core kinds had
// their own.
func createBySteps(v *Validator, obj map[string]any) (Result, error) {
	return createByStepsCopying(v, obj, true)
}

// createByStepsCopying is createBySteps, on obj itself if not copyObj.
func createByStepsCopying(v *Validator, obj map[string]any, copyObj bool) (Result, error) {
	k, ferr := v.lookup(obj)
	if ferr != nil {
		return Result{Errors: field.ErrorList{ferr}}, nil
	}
	if copyObj {
		obj = runtime.DeepCopyJSON(obj)
	}
	unknown, err := decode(k, obj)
	if err != nil {
		return Result{}, err
	}
	k.prepareForCreate(obj)
	return result(obj, unknown, k.validate(obj)), nil
}

// updateBySteps is createBySteps for Update.
func updateBySteps(v *Validator, newObj, oldObj map[string]any) (Result, error) {
	k, ferr := v.lookup(newObj)
	if ferr != nil {
		return Result{Errors: field.ErrorList{ferr}}, nil
	}
	out := runtime.DeepCopyJSON(newObj)
	unknown, err := decode(k, out)
	if err != nil {
		return Result{}, err
	}
	k.prepareForUpdate(out, oldObj)
	return result(out, unknown, k.validateUpdate(out, oldObj)), nil
}

// coreCase is a randomly broken object and the valid one it was made from.
type coreCase struct{ obj, base map[string]any }

// randomCoreObjects breaks copies of coreBases at random (seeded).
func randomCoreObjects(t *testing.T, n int) []coreCase {
	var bases []map[string]any
	for _, doc := range strings.Split(coreBases, "\n---\n") {
		bases = append(bases, mustYAML(t, doc))
	}
	out := make([]coreCase, 0, n+len(bases))
	for _, b := range bases {
		out = append(out, coreCase{runtime.DeepCopyJSON(b), b})
	}
	for i := range n {
		rng := rand.New(rand.NewPCG(5, uint64(i)))
		base := bases[rng.IntN(len(bases))]
		obj := runtime.DeepCopyJSON(base)
		for range 1 + rng.IntN(3) {
			if rng.IntN(2) == 0 {
				mutate(rng, obj)
			} else {
				mutateOdd(rng, obj)
			}
		}
		out = append(out, coreCase{obj, base})
	}
	return out
}

// converterOnly is a Validator whose core kinds decode and encode with
// the reflection converter only, never through JSON.
func converterOnly(t testing.TB) *Validator {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range v.kinds {
		if c, ok := k.(interface{ disableJSON() }); ok {
			c.disableJSON()
		}
	}
	return v
}

func (k *coreKind[T, PT]) disableJSON() { k.jsonDecode = false }

// Create's path for core kinds (decode once, through JSON where it can,
// default, store, validate the typed object) gives the results of the
// steps, each decoding the object again with the converter, on randomly
// broken objects of every core kind.
func TestCoreCreateEqualsSteps(t *testing.T) {
	v, slow := validator(t), converterOnly(t)
	var accepted, rejected, failed, unknown, viaJSON, updAccepted, updRejected int
	for i, c := range randomCoreObjects(t, 3000) {
		obj := c.obj
		want, wantErr := createBySteps(slow, obj)
		if k, ok := v.kinds[(&unstructured.Unstructured{Object: obj}).GroupVersionKind()]; ok {
			if _, ok := k.(interface{ disableJSON() }); ok && jsonDecodes(k, obj) {
				viaJSON++
			}
		}
		orig := runtime.DeepCopyJSON(obj)
		got, gotErr := v.Create(obj)
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !sameResult(want, got) {
			t.Errorf("case %d %v: one decode %v %v, steps %v %v\nobject %v", i, obj["kind"], got, gotErr, want, wantErr, obj)
		}
		if !reflect.DeepEqual(orig, obj) {
			t.Errorf("case %d: Create changed its input", i)
		}
		inPlace, ipErr := v.CreateInPlace(runtime.DeepCopyJSON(obj))
		if fmt.Sprint(wantErr) != fmt.Sprint(ipErr) || !sameResult(want, inPlace) {
			t.Errorf("case %d %v: in place %v %v, steps %v %v", i, obj["kind"], inPlace, ipErr, want, wantErr)
		}
		// Update, of the object made from, as stored.
		stored, err := createBySteps(slow, c.base)
		if err != nil || stored.Object == nil {
			t.Fatalf("base %v rejected: %v %v", c.base, err, stored.Errors)
		}
		upd := runtime.DeepCopyJSON(obj)
		setResourceVersion(upd)
		setResourceVersion(stored.Object)
		wantUpd, wantUpdErr := updateBySteps(slow, upd, stored.Object)
		gotUpd, gotUpdErr := v.Update(upd, stored.Object)
		if fmt.Sprint(wantUpdErr) != fmt.Sprint(gotUpdErr) || !sameResult(wantUpd, gotUpd) {
			t.Errorf("case %d %v update: %v %v, converter only %v %v", i, obj["kind"], gotUpd, gotUpdErr, wantUpd, wantUpdErr)
		}
		if wantUpdErr == nil && len(wantUpd.Errors) == 0 {
			updAccepted++
		} else if wantUpdErr == nil {
			updRejected++
		}
		switch {
		case wantErr != nil:
			failed++
		case len(want.Errors) > 0:
			rejected++
		default:
			accepted++
		}
		if len(want.UnknownFields) > 0 {
			unknown++
		}
	}
	// The comparison means little unless every outcome is common.
	t.Logf("accepted %d, rejected %d, decode errors %d, with unknown fields %d, decoded through JSON %d; updates accepted %d, rejected %d",
		accepted, rejected, failed, unknown, viaJSON, updAccepted, updRejected)
	for name, n := range map[string]int{"accepted": accepted, "rejected": rejected, "decode errors": failed, "unknown fields": unknown,
		"decoded through JSON": viaJSON, "updates accepted": updAccepted, "updates rejected": updRejected} {
		if n < 100 {
			t.Errorf("only %d cases %s; the mutations need retuning", n, name)
		}
	}
}

// jsonDecodes reports whether k decodes obj through JSON.
func jsonDecodes(k kindValidator, obj map[string]any) bool {
	type decoder interface {
		jsonDecodes(map[string]any) bool
	}
	return k.(decoder).jsonDecodes(obj)
}

func (k *coreKind[T, PT]) jsonDecodes(obj map[string]any) bool {
	if !k.jsonDecode {
		return false
	}
	_, ok := decodeJSON[T](runtime.DeepCopyJSON(obj))
	return ok
}

// Every core kind decodes through JSON when it can: none has a field that
// rules it out.
func TestCoreKindsUseJSON(t *testing.T) {
	v := validator(t)
	n := 0
	for gvk, k := range v.kinds {
		if f, ok := k.(interface{ usesJSON() bool }); ok {
			n++
			if !f.usesJSON() {
				t.Errorf("%s does not decode through JSON", gvk.Kind)
			}
		}
	}
	if n != 5 {
		t.Errorf("%d core kinds, want 5", n)
	}
}

func (k *coreKind[T, PT]) usesJSON() bool { return k.jsonDecode }

// AppendPlainJSON writes what json.Marshal does, which the converter hands to
// custom unmarshalers (managedFields' fieldsV1 keeps it as bytes).
func TestAppendJSONIsMarshal(t *testing.T) {
	var objs []map[string]any
	for _, c := range randomCoreObjects(t, 1000) {
		objs = append(objs, c.obj)
	}
	for _, c := range brokenObjects(t) {
		objs = append(objs, c.obj)
	}
	objs = append(objs, map[string]any{"s": "<&>\u2028\u2029\"\\\t\x01é", "k\u2028": []any{int64(-5), true, false, nil, map[string]any{}, []any{}}})
	written := 0
	for i, obj := range objs {
		got, ok := resource.AppendPlainJSON(nil, obj)
		want, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			written++
			if string(got) != string(want) {
				t.Errorf("case %d: AppendPlainJSON\n%s\njson.Marshal\n%s", i, got, want)
			}
		}
	}
	if written < len(objs)/2 {
		t.Errorf("AppendPlainJSON wrote only %d of %d objects", written, len(objs))
	}
}

type (
	jsonPlain struct {
		A string            `json:"a"`
		B *int32            `json:"b,omitempty"`
		C []map[string]bool `json:"c"`
		D metav1.Time       `json:"d"`
		E *metav1.FieldsV1  `json:"e"`
		JSONInline
	}
	JSONInline    struct{ F intstr.IntOrString }
	jsonInterface struct{ A any }
	jsonQuoted    struct {
		A int `json:"a,string"`
	}
	jsonHidden    struct{ a int }
	jsonEmbedPtr  struct{ *JSONInline }
	jsonTextField struct{ A netip.Addr }
	jsonOwnField  struct{ A metav1.Duration }
)

// jsonTypeOK turns down every kind of field the converter and JSON decode
// apart.
func TestJSONTypeOK(t *testing.T) {
	for typ, want := range map[reflect.Type]bool{
		reflect.TypeFor[jsonPlain]():              true,
		reflect.TypeFor[jsonInterface]():          false,
		reflect.TypeFor[jsonQuoted]():             false,
		reflect.TypeFor[jsonHidden]():             false,
		reflect.TypeFor[jsonEmbedPtr]():           false,
		reflect.TypeFor[jsonTextField]():          false,
		reflect.TypeFor[jsonOwnField]():           false,
		reflect.TypeFor[[]jsonQuoted]():           false,
		reflect.TypeFor[map[string]*jsonHidden](): false,
	} {
		if got := jsonTypeOK(typ, map[reflect.Type]bool{}); got != want {
			t.Errorf("%v: %v, want %v", typ, got, want)
		}
	}
}
