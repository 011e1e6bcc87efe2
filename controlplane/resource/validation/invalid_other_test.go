package validation

import (
	"strings"
	"testing"
)

func backend(endpoints string) string {
	return `
apiVersion: envoygateway.dev/v1alpha1
kind: Backend
metadata: {name: b, namespace: default}
spec:
  endpoints: ` + endpoints + "\n"
}

func TestRejectsInvalidBackends(t *testing.T) {
	runInvalid(t, []invalidCase{
		{"no endpoints", backend(`[]`), rejection{"spec.endpoints", "should have at least 1 items"}},
		{"no spec", `
apiVersion: envoygateway.dev/v1alpha1
kind: Backend
metadata: {name: b, namespace: default}
`, rejection{"spec", "Required value"}},
		{"address without port", backend(`[{address: 10.0.0.1}]`), rejection{"spec.endpoints[0].address", `address must be "host:port", with an IPv6 host in brackets`}},
		{"IPv6 address without brackets", backend(`[{address: "2001:db8::1:8080"}]`), rejection{"spec.endpoints[0].address", `address must be "host:port", with an IPv6 host in brackets`}},
		{"port above 65535", backend(`[{address: "10.0.0.1:65536"}]`), rejection{"spec.endpoints[0].address", "port must be between 1 and 65535"}},
		{"port 0", backend(`[{address: "backend.example.com:0"}]`), rejection{"spec.endpoints[0].address", "port must be between 1 and 65535"}},
		{"hostname with an underscore", backend(`[{address: "my_host:80"}]`), rejection{"spec.endpoints[0].address", "host must be an IPv4 address, an IPv6 address in brackets, or a lowercase DNS name"}},
		{"IPv4 address in brackets", backend(`[{address: "[10.0.0.1]:80"}]`), rejection{"spec.endpoints[0].address", "host must be an IPv4 address, an IPv6 address in brackets"}},
		{"duplicate address", backend(`[{address: "10.0.0.1:80"}, {address: "10.0.0.1:80"}]`), rejection{"spec.endpoints[1]", "Duplicate value"}},
		{"endpoint without address", backend(`[{}]`), rejection{"spec.endpoints[0].address", "Required value"}},
	})
}

func TestRejectsInvalidCoreObjects(t *testing.T) {
	runInvalid(t, []invalidCase{
		{"Service without ports", `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {selector: {app: a}}
`, rejection{"spec.ports", "Required value"}},
		{"Service port 0", `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{port: 0}]}
`, rejection{"spec.ports[0].port", "must be between 1 and 65535, inclusive"}},
		{"Service ports without names", `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{port: 80}, {port: 443}]}
`, rejection{"spec.ports[0].name", "Required value"}},
		{"Service protocol not in the enum", `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{port: 80, protocol: HTTP}]}
`, rejection{"spec.ports[0].protocol", `Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`}},
		{"Service name not a DNS-1035 label", `
apiVersion: v1
kind: Service
metadata: {name: 1svc, namespace: default}
spec: {ports: [{port: 80}]}
`, rejection{"metadata.name", "a DNS-1035 label must consist of lower case alphanumeric characters"}},
		{"Namespace name with a dot", `
apiVersion: v1
kind: Namespace
metadata: {name: a.b}
`, rejection{"metadata.name", `Invalid value: "a.b": must not contain dots`}},
		{"EndpointSlice without addressType", `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, namespace: default}
endpoints: [{addresses: [10.0.0.1]}]
`, rejection{"addressType", "Required value"}},
		{"EndpointSlice IPv4 slice with an IPv6 address", `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, namespace: default}
addressType: IPv4
endpoints: [{addresses: ["2001:db8::1"]}]
`, rejection{"endpoints[0].addresses[0]", "must be an IPv4 address"}},
		{"EndpointSlice endpoint without addresses", `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s, namespace: default}
addressType: IPv4
endpoints: [{}]
`, rejection{"endpoints[0].addresses", "must contain at least 1 address"}},
		{"Secret key with a space", `
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
stringData: {"a b": c}
`, rejection{"data[a b]", "a valid config key must consist of alphanumeric characters"}},
	})
}

func TestRejectsUnknownKinds(t *testing.T) {
	runInvalid(t, []invalidCase{
		{"unknown kind in a known group", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRout
metadata: {name: r, namespace: default}
`, rejection{"kind", `Unsupported value: "HTTPRout"`}},
		{"unknown group", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`, rejection{"apiVersion", `Unsupported value: "example.com/v1"`}},
		{"version not served", `
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t, namespace: default}
`, rejection{"apiVersion", `Unsupported value: "gateway.networking.k8s.io/v1alpha2"`}},
		{"no kind", `
apiVersion: v1
metadata: {name: w}
`, rejection{"kind", "Required value"}},
	})
}

func TestCoreObjectOfTheWrongShape(t *testing.T) {
	res, err := validator(t).Create(mustYAML(t, `
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: default}
stringData: {enabled: y}
`))
	if err == nil {
		t.Fatalf("accepted: %+v", res)
	}
	// YAML 1.1 reads y as true; the error must say where and what.
	if !strings.Contains(err.Error(), "Secret.stringData of type string") {
		t.Errorf("error %q does not name the field", err)
	}
}
