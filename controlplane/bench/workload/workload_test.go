package workload

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

func TestGenerateIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Generate(100, 7).WriteYAML(&a); err != nil {
		t.Fatal(err)
	}
	if err := Generate(100, 7).WriteYAML(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same size and seed gave different manifests")
	}
	var c bytes.Buffer
	if err := Generate(100, 8).WriteYAML(&c); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("another seed gave the same manifest")
	}
}

// The manifest must pass the CRD schemas and CEL rules, decode to the same
// objects, and every route must be accepted with all refs resolved: a
// benchmark of rejected routes would measure the error path.
func TestWorkloadIsValidAndAccepted(t *testing.T) {
	w := Generate(200, 1)
	path := filepath.Join(t.TempDir(), "routes.yaml")
	if err := w.WriteYAMLFile(path); err != nil {
		t.Fatal(err)
	}
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	dec := &resource.Decoder{Validator: v.ForDecoder()}
	res, skipped, errs := dec.LoadFiles(path)
	for _, e := range errs {
		t.Error(e)
	}
	if len(skipped) > 0 {
		t.Errorf("skipped kinds: %v", skipped)
	}
	if got, want := len(res.HTTPRoutes), len(w.Resources.HTTPRoutes); got != want {
		t.Fatalf("decoded %d routes, generated %d", got, want)
	}
	out := gatewayapi.Translate(res, gatewayapi.Options{})
	if len(out.HTTPRoutes) != 200 {
		t.Fatalf("status for %d routes, want 200", len(out.HTTPRoutes))
	}
	for _, r := range out.HTTPRoutes {
		if len(r.Status.Parents) != 1 {
			t.Errorf("route %s/%s: %d parent statuses, want 1", r.Namespace, r.Name, len(r.Status.Parents))
		}
		for _, p := range r.Status.Parents {
			for _, c := range []gwapiv1.RouteConditionType{gwapiv1.RouteConditionAccepted, gwapiv1.RouteConditionResolvedRefs} {
				if cond := findCondition(p.Conditions, string(c)); cond == nil || cond.Status != metav1.ConditionTrue {
					t.Errorf("route %s/%s: %s is %+v", r.Namespace, r.Name, c, cond)
				}
			}
		}
	}
	x := out.IR[Fleet]
	if x == nil || len(x.Listeners) != 1+teamGateways {
		t.Fatalf("fleet IR: %+v", x)
	}
	if _, err := translator.Translate(x); err != nil {
		t.Fatal(err)
	}
}

func TestChangeEditsOneRoute(t *testing.T) {
	w := Generate(100, 1)
	changed := Change(w.Resources, 5)
	before := gatewayapi.Translate(w.Resources, gatewayapi.Options{}).IR[Fleet]
	after := gatewayapi.Translate(changed, gatewayapi.Options{}).IR[Fleet]
	if reflect.DeepEqual(before, after) {
		t.Fatal("the change did not change the IR")
	}
	if !reflect.DeepEqual(before.Clusters, after.Clusters) {
		t.Error("a path change altered the clusters")
	}
	diff := 0
	for i := range changed.HTTPRoutes {
		if !reflect.DeepEqual(changed.HTTPRoutes[i], w.Resources.HTTPRoutes[i]) {
			diff++
		}
	}
	if diff != 1 {
		t.Errorf("%d routes differ after one change, want 1", diff)
	}
	if !reflect.DeepEqual(w.Resources, Generate(100, 1).Resources) {
		t.Error("Change modified its input")
	}
}

func findCondition(cs []metav1.Condition, t string) *metav1.Condition {
	for i := range cs {
		if cs[i].Type == t {
			return &cs[i]
		}
	}
	return nil
}
