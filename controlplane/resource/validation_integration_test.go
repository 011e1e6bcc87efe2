package resource_test

import (
	"strings"
	"testing"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// TestWithCRDValidator plugs the project's CRD schema and CEL validator into
// the decoder, the way the control plane wires them: schema and CEL errors
// come out located, and the schemas' defaults reach the decoded objects.
func TestWithCRDValidator(t *testing.T) {
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	d := &resource.Decoder{Validator: v.ForDecoder()}

	in := `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: good
spec:
  parentRefs:
  - name: gw
  rules:
  - backendRefs:
    - name: svc
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bad
spec:
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: api
`
	res, _, errs := d.Decode([]byte(in), "routes.yaml")
	if len(errs) == 0 {
		t.Fatal("a PathPrefix without a leading slash was accepted")
	}
	for _, err := range errs {
		if !strings.HasPrefix(err.Error(), "routes.yaml:20: document 1 (HTTPRoute default/bad): spec.rules[0].matches[0].path") {
			t.Errorf("error not located at the path value: %v", err)
		}
	}
	if len(res.HTTPRoutes) != 1 {
		t.Fatalf("got %d routes, want the good one", len(res.HTTPRoutes))
	}
	r := res.HTTPRoutes[0]
	if m := r.Spec.Rules[0].Matches; len(m) != 1 || m[0].Path == nil || *m[0].Path.Type != gwapiv1.PathMatchPathPrefix || *m[0].Path.Value != "/" {
		t.Errorf("the schema's default match did not reach the route: %+v", m)
	}
	if p := r.Spec.ParentRefs[0]; p.Kind == nil || *p.Kind != "Gateway" || p.Group == nil || *p.Group != gwapiv1.GroupName {
		t.Errorf("parentRef defaults missing: %+v", p)
	}
}
