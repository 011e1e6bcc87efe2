package validation_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// The Backend CRD and the Go type agree: an object the CRD accepts decodes
// into resource.Backend with no field left over, and back.
func TestBackendCRDMatchesGoType(t *testing.T) {
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := validation.FromYAML([]byte(`
apiVersion: envoygateway.dev/v1alpha1
kind: Backend
metadata: {name: b, namespace: default}
spec:
  endpoints: [{address: "10.0.0.1:80"}, {address: "[::1]:80"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Create(obj)
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("rejected: %v %v", err, res.Errors)
	}
	var b resource.Backend
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(res.Object, &b, true); err != nil {
		t.Fatalf("stored Backend does not fit resource.Backend: %v", err)
	}
	if b.APIVersion != resource.APIVersion || b.Kind != resource.KindBackend {
		t.Errorf("type meta %s %s, want %s %s", b.APIVersion, b.Kind, resource.APIVersion, resource.KindBackend)
	}
	if len(b.Spec.Endpoints) != 2 || b.Spec.Endpoints[1].Address != "[::1]:80" {
		t.Errorf("endpoints %+v", b.Spec.Endpoints)
	}
	back, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&b)
	if err != nil {
		t.Fatal(err)
	}
	if errs := v.Validate(back); len(errs) > 0 {
		t.Errorf("resource.Backend encodes to an invalid object: %v", errs)
	}
}
