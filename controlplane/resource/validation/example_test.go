package validation_test

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource/validation"
)

// A Config Server handler: decode, run the create path, answer 422 with the
// API server's Status, or store the pruned and defaulted object.
func ExampleValidator_Create() {
	v, err := validation.New() // once per process
	if err != nil {
		panic(err)
	}
	obj, err := validation.FromJSON([]byte(`{
		"apiVersion": "gateway.networking.k8s.io/v1",
		"kind": "HTTPRoute",
		"metadata": {"name": "shop", "namespace": "default"},
		"spec": {"rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "cart"}}]}]}
	}`))
	if err != nil {
		panic(err)
	}
	res, err := v.Create(obj)
	if err != nil {
		panic(err) // 400 Bad Request in a server
	}
	if len(res.Errors) > 0 {
		u := unstructured.Unstructured{Object: obj}
		st := validation.StatusFor(u.GroupVersionKind().GroupKind(), u.GetName(), res.Errors)
		fmt.Println(st.Code, st.Reason)
		fmt.Println(st.Details.Causes[0].Field)
		fmt.Println(st.Message)
	}
	// Output:
	// 422 Invalid
	// spec.rules[0].matches[0].path
	// HTTPRoute.gateway.networking.k8s.io "shop" is invalid: spec.rules[0].matches[0].path: Invalid value: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']
}
