package validation

import (
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func nested(t *testing.T, obj map[string]any, path ...string) any {
	t.Helper()
	v, found, err := unstructured.NestedFieldNoCopy(obj, path...)
	if err != nil || !found {
		t.Fatalf("%s: not found (%v) in %v", strings.Join(path, "."), err, obj)
	}
	return v
}

// Defaults come from the CRD: an HTTPRoute rule without matches matches
// every path, a parentRef is a Gateway, a backendRef a Service of weight 1.
func TestDefaultFromCRD(t *testing.T) {
	v := validator(t)
	obj := mustYAML(t, routeHead+`
  rules:
  - backendRefs: [{name: svc, port: 80}]
`)
	if err := v.Default(obj); err != nil {
		t.Fatal(err)
	}
	parent := nested(t, obj, "spec", "parentRefs").([]any)[0]
	wantParent := map[string]any{"name": "gw", "group": "gateway.networking.k8s.io", "kind": "Gateway"}
	if !reflect.DeepEqual(parent, wantParent) {
		t.Errorf("parentRef %v, want %v", parent, wantParent)
	}
	rule := nested(t, obj, "spec", "rules").([]any)[0].(map[string]any)
	wantMatches := []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}}
	if !reflect.DeepEqual(rule["matches"], wantMatches) {
		t.Errorf("matches %v, want %v", rule["matches"], wantMatches)
	}
	ref := rule["backendRefs"].([]any)[0]
	wantRef := map[string]any{"name": "svc", "port": int64(80), "group": "", "kind": "Service", "weight": int64(1)}
	if !reflect.DeepEqual(ref, wantRef) {
		t.Errorf("backendRef %v, want %v", ref, wantRef)
	}
}

// A route with no rules at all gets the CRD's default rule; and Create
// defaults before it validates, as the server does.
func TestCreateDefaultsBeforeValidating(t *testing.T) {
	res, err := validator(t).Create(mustYAML(t, routeHead))
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("%v %v", err, res.Errors)
	}
	rules := nested(t, res.Object, "spec", "rules").([]any)
	if len(rules) != 1 {
		t.Fatalf("rules %v", rules)
	}
	path := nested(t, rules[0].(map[string]any), "matches").([]any)[0].(map[string]any)["path"]
	if !reflect.DeepEqual(path, map[string]any{"type": "PathPrefix", "value": "/"}) {
		t.Errorf("default path %v", path)
	}
}

func TestDefaultCoreKinds(t *testing.T) {
	v := validator(t)
	svc := mustYAML(t, `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{port: 80}]}
`)
	if err := v.Default(svc); err != nil {
		t.Fatal(err)
	}
	port := nested(t, svc, "spec", "ports").([]any)[0].(map[string]any)
	if port["protocol"] != "TCP" || port["targetPort"] != int64(80) {
		t.Errorf("port %v, want protocol TCP and targetPort 80", port)
	}
	if nested(t, svc, "spec", "type") != "ClusterIP" {
		t.Errorf("type %v", nested(t, svc, "spec", "type"))
	}
}

// Input is never changed by Validate or Create.
func TestCreateLeavesInputAlone(t *testing.T) {
	v := validator(t)
	doc := routeHead + `
  rules:
  - backendRefs: [{name: svc, port: 80}]
    extra: dropped
`
	in := mustYAML(t, doc)
	if _, err := v.Create(in); err != nil {
		t.Fatal(err)
	}
	v.Validate(in)
	if !reflect.DeepEqual(in, mustYAML(t, doc)) {
		t.Errorf("input changed to %v", in)
	}
}

// Fields the schema does not declare are dropped and reported, as the
// server's decoder does; in Strict mode they make the Bad Request error
// kube-apiserver answers with.
func TestPruneReportsUnknownFields(t *testing.T) {
	v := validator(t)
	obj := mustYAML(t, routeHead+`
  rules:
  - backendRefs: [{name: svc, port: 80, colour: blue}]
  unexpected: true
`)
	obj["metadata"].(map[string]any)["bogus"] = "x"
	res, err := v.Create(obj)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("%v %v", err, res.Errors)
	}
	got := strings.Join(res.UnknownFields, ",")
	for _, want := range []string{"metadata.bogus", "spec.rules[0].backendRefs[0].colour", "spec.unexpected"} {
		if !strings.Contains(got, want) {
			t.Errorf("unknown fields %q lack %s", got, want)
		}
	}
	if _, ok := res.Object["spec"].(map[string]any)["unexpected"]; ok {
		t.Error("spec.unexpected kept")
	}
	if _, ok := res.Object["metadata"].(map[string]any)["bogus"]; ok {
		t.Error("metadata.bogus kept")
	}
	strict := UnknownFieldsError([]string{"spec.unexpected", "spec.x"})
	if want := `strict decoding error: unknown field "spec.unexpected", unknown field "spec.x"`; strict.Error() != want {
		t.Errorf("strict error %q, want %q", strict, want)
	}
	if UnknownFieldsError(nil) != nil {
		t.Error("no unknown fields still an error")
	}
}

func TestPruneCoreKinds(t *testing.T) {
	obj := mustYAML(t, `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{port: 80, weight: 3}]}
`)
	unknown, err := validator(t).Prune(obj)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(unknown, ",") != "spec.ports[0].weight" {
		t.Errorf("unknown %v", unknown)
	}
	if _, ok := nested(t, obj, "spec", "ports").([]any)[0].(map[string]any)["weight"]; ok {
		t.Error("weight kept")
	}
	if _, ok := nested(t, obj, "metadata").(map[string]any)["creationTimestamp"]; ok {
		t.Error("pruning added metadata.creationTimestamp")
	}
}

func TestMalformedMetadataIsADecodeError(t *testing.T) {
	obj := mustYAML(t, backend(`[{address: "a.b:80"}]`))
	obj["metadata"].(map[string]any)["labels"] = "not-a-map"
	if _, err := validator(t).Create(obj); err == nil {
		t.Error("labels of the wrong type accepted")
	}
}
