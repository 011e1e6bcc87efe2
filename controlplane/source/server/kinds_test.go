package server

import "testing"

// Resource names must be the CRDs' spec.names.plural, which is what
// clients put in URLs.
func TestResourceNames(t *testing.T) {
	a := NewAPI(nil, testValidator(t), APIOptions{})
	want := map[string]string{
		"Gateway": "gateways", "GatewayClass": "gatewayclasses", "HTTPRoute": "httproutes",
		"GRPCRoute": "grpcroutes", "ReferenceGrant": "referencegrants", "BackendTLSPolicy": "backendtlspolicies",
		"ListenerSet": "listenersets", "Backend": "backends", "Service": "services", "Namespace": "namespaces",
		"EndpointSlice": "endpointslices", "Secret": "secrets", "ConfigMap": "configmaps",
		"TCPRoute": "tcproutes", "TLSRoute": "tlsroutes", "UDPRoute": "udproutes",
	}
	seen := map[string]bool{}
	for _, k := range a.Kinds() {
		w, ok := want[k.Kind]
		if !ok {
			t.Errorf("kind %s has no expected resource name in this test", k.Kind)
			continue
		}
		if k.Resource != w {
			t.Errorf("%s: resource %q, want %q", k.GroupVersionKind, k.Resource, w)
		}
		seen[k.Kind] = true
	}
	for kind := range want {
		if !seen[kind] {
			t.Errorf("kind %s is not served", kind)
		}
	}
}
