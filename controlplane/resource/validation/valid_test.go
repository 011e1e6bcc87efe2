package validation

import (
	"testing"
)

func TestAcceptsValidObjects(t *testing.T) {
	v := validator(t)
	docs := map[string]string{
		"Backend with IPv4, IPv6 and DNS endpoints": backend(`[{address: "10.0.0.1:8080"}, {address: "[2001:db8::1]:443"}, {address: "api.example.com:80"}, {address: "localhost:65535"}]`),
		"Service": `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: http}, {name: grpc, port: 9000, protocol: TCP}]
`,
		"headless Service without ports": `
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {clusterIP: None}
`,
		"ExternalName Service": `
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: api.example.com}
`,
		"Namespace": `
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
`,
		"EndpointSlice": `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: svc-abc, namespace: default, labels: {kubernetes.io/service-name: svc}}
addressType: IPv6
endpoints: [{addresses: ["2001:db8::1"], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
`,
		"Secret": `
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: default}
type: kubernetes.io/tls
stringData: {tls.crt: cert, tls.key: key}
`,
		"HTTPRoute using every common filter": `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}, {name: gw, sectionName: https}]
  hostnames: ["*.example.com", example.org]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-env, value: prod}], method: GET}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-a, value: b}], remove: [x-c]}
    backendRefs:
    - {name: api, port: 8080, weight: 90}
    - {group: envoygateway.dev, kind: Backend, name: ext, weight: 10}
    timeouts: {request: 10s, backendRequest: 2s}
  - matches: [{path: {type: Exact, value: /old}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, hostname: example.org, statusCode: 301, path: {type: ReplaceFullPath, replaceFullPath: /new}}
`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			res, err := v.Create(mustYAML(t, doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) > 0 {
				t.Fatalf("rejected:\n%s", formatErrs(res.Errors))
			}
			if len(res.UnknownFields) > 0 {
				t.Errorf("unknown fields %v", res.UnknownFields)
			}
			// The stored form is itself valid, as it is when read back.
			if errs := v.Validate(res.Object); len(errs) > 0 {
				t.Errorf("stored object invalid:\n%s", formatErrs(errs))
			}
		})
	}
}

func TestFromJSONKeepsIntegers(t *testing.T) {
	obj, err := FromJSON([]byte(`{"apiVersion":"envoygateway.dev/v1alpha1","kind":"Backend","metadata":{"name":"b","namespace":"n"},"spec":{"endpoints":[{"address":"a.b:1"}]},"n":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := obj["n"].(int64); !ok {
		t.Errorf("3 decoded as %T, want int64", obj["n"])
	}
	if _, err := FromJSON([]byte(`null`)); err == nil {
		t.Error("null accepted as an object")
	}
	if _, err := FromYAML([]byte("- a\n- b\n")); err == nil {
		t.Error("a YAML list accepted as an object")
	}
}
