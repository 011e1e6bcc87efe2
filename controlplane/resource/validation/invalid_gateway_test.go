package validation

import (
	"fmt"
	"strings"
	"testing"
)

const gatewayHead = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
`

// gateway is a Gateway with the given listeners (YAML list items, indented
// by two spaces) and any extra spec fields.
func gateway(listeners string, extra ...string) string {
	return gatewayHead + "  listeners:\n" + listeners + strings.Join(extra, "")
}

func TestRejectsInvalidGateways(t *testing.T) {
	manyListeners := ""
	for i := range 65 {
		manyListeners += fmt.Sprintf("  - {name: l%d, protocol: HTTP, port: %d}\n", i, 8000+i)
	}
	runInvalid(t, []invalidCase{
		{"duplicate listener name (CEL)", gateway(`
  - {name: http, protocol: HTTP, port: 80}
  - {name: http, protocol: HTTP, port: 8080}
`), rejection{"spec.listeners", "Listener name must be unique within the Gateway"}},
		{"duplicate listener name (list-map key)", gateway(`
  - {name: http, protocol: HTTP, port: 80}
  - {name: http, protocol: HTTP, port: 8080}
`), rejection{"spec.listeners[1]", "Duplicate value"}},
		{"wildcard not leftmost in listener hostname", gateway(`
  - {name: http, protocol: HTTP, port: 80, hostname: "foo.*.example.com"}
`), rejection{"spec.listeners[0].hostname", `should match '^(\*\.)?[a-z0-9]`}},
		{"listener port 0", gateway(`
  - {name: http, protocol: HTTP, port: 0}
`), rejection{"spec.listeners[0].port", "should be greater than or equal to 1"}},
		{"listener port above 65535", gateway(`
  - {name: http, protocol: HTTP, port: 65536}
`), rejection{"spec.listeners[0].port", "should be less than or equal to 65535"}},
		{"tls on an HTTP listener", gateway(`
  - name: http
    protocol: HTTP
    port: 80
    tls: {mode: Terminate, certificateRefs: [{name: cert}]}
`), rejection{"spec.listeners", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"}},
		{"hostname on a TCP listener", gateway(`
  - {name: tcp, protocol: TCP, port: 9000, hostname: example.com}
`), rejection{"spec.listeners", "hostname must not be specified for protocols ['TCP', 'UDP']"}},
		{"TLS listener without tls mode", gateway(`
  - {name: tls, protocol: TLS, port: 443, hostname: example.com}
`), rejection{"spec.listeners", "tls mode must be set for protocol TLS"}},
		{"HTTPS listener in Passthrough mode", gateway(`
  - name: https
    protocol: HTTPS
    port: 443
    tls: {mode: Passthrough}
`), rejection{"spec.listeners", "tls mode must be Terminate for protocol HTTPS"}},
		{"Terminate without certificates", gateway(`
  - name: https
    protocol: HTTPS
    port: 443
    tls: {mode: Terminate}
`), rejection{"spec.listeners[0].tls", "certificateRefs or options must be specified when mode is Terminate"}},
		{"unknown tls mode", gateway(`
  - name: tls
    protocol: TLS
    port: 443
    tls: {mode: Reencrypt}
`), rejection{"spec.listeners[0].tls.mode", `Unsupported value: "Reencrypt": supported values: "Terminate", "Passthrough"`}},
		{"listener name not a DNS label", gateway(`
  - {name: HTTP_1, protocol: HTTP, port: 80}
`), rejection{"spec.listeners[0].name", `should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]`}},
		{"same port, protocol and hostname twice", gateway(`
  - {name: a, protocol: HTTP, port: 80, hostname: example.com}
  - {name: b, protocol: HTTP, port: 80, hostname: example.com}
`), rejection{"spec.listeners", "Combination of port, protocol and hostname must be unique for each listener"}},
		{"more than 64 listeners", gateway(manyListeners), rejection{"spec.listeners", "must have at most 64 items"}},
		{"no gatewayClassName", `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  listeners: [{name: http, protocol: HTTP, port: 80}]
`, rejection{"spec.gatewayClassName", "Required value"}},
		{"hostname address with a wildcard in the middle", gateway(`
  - {name: http, protocol: HTTP, port: 80}
`, `  addresses: [{type: Hostname, value: "a.*.example.com"}]
`), rejection{"spec.addresses[0]", "Hostname value must be empty or contain only valid characters"}},
		{"duplicate IP addresses", gateway(`
  - {name: http, protocol: HTTP, port: 80}
`, `  addresses: [{type: IPAddress, value: 10.0.0.1}, {type: IPAddress, value: 10.0.0.1}]
`), rejection{"spec.addresses", "IPAddress values must be unique"}},
		{"gateway without namespace", `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
`, rejection{"metadata.namespace", "Required value"}},
		{"gateway name not a DNS subdomain", `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: My_Gateway, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
`, rejection{"metadata.name", "a lowercase RFC 1123 subdomain must consist of"}},
	})
}

func TestRejectsInvalidGatewayClasses(t *testing.T) {
	runInvalid(t, []invalidCase{
		{"controllerName without a path", `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: acme}
`, rejection{"spec.controllerName", "should match"}},
		{"namespace on a cluster-scoped kind", `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg, namespace: default}
spec: {controllerName: example.com/controller}
`, rejection{"metadata.namespace", "not allowed on this type"}},
		{"v1beta1 is validated with its own schema", `
apiVersion: gateway.networking.k8s.io/v1beta1
kind: GatewayClass
metadata: {name: eg}
spec: {}
`, rejection{"spec.controllerName", "Required value"}},
	})
}
