package gatewayapi

import (
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// TestBackendTLSPolicyStatusObjects: the Config Server and the CLI write
// back what StatusObjects lists, so the policies' status must be in it,
// with their kind.
func TestBackendTLSPolicyStatusObjects(t *testing.T) {
	res := loadResources(t, "testdata/backendtlspolicy-ca-hostname-san.in.yaml")
	r := Translate(res, Options{Now: fixedNow})
	if len(r.BackendTLSPolicies) == 0 {
		t.Fatal("no BackendTLSPolicy in the result")
	}
	n := 0
	for _, o := range r.StatusObjects() {
		if o.GetObjectKind().GroupVersionKind().Kind == resource.KindBackendTLSPolicy {
			n++
			if o.GetObjectKind().GroupVersionKind().Group != resource.GroupGatewayAPI {
				t.Errorf("%s: group %q", o.GetName(), o.GetObjectKind().GroupVersionKind().Group)
			}
		}
	}
	if n != len(r.BackendTLSPolicies) {
		t.Errorf("StatusObjects lists %d BackendTLSPolicies, the result has %d", n, len(r.BackendTLSPolicies))
	}
}
