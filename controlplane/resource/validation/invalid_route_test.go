package validation

import (
	"strings"
	"testing"
)

const routeHead = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
`

// httpRoute is an HTTPRoute with the given rules (YAML list items indented
// by two spaces).
func httpRoute(rules string) string {
	return routeHead + "  rules:\n" + rules
}

func TestRejectsInvalidHTTPRoutes(t *testing.T) {
	var seventeen strings.Builder
	for range 17 {
		seventeen.WriteString("  - backendRefs: [{name: svc, port: 80}]\n")
	}
	runInvalid(t, []invalidCase{
		{"PathPrefix without leading slash", httpRoute(`
  - matches: [{path: {type: PathPrefix, value: foo}}]
`), rejection{"spec.rules[0].matches[0].path", "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"}},
		{"Exact path with a double slash", httpRoute(`
  - matches: [{path: {type: Exact, value: "/a//b"}}]
`), rejection{"spec.rules[0].matches[0].path", "must not contain '//' when type one of ['Exact', 'PathPrefix']"}},
		{"unknown path match type", httpRoute(`
  - matches: [{path: {type: Prefix, value: /}}]
`), rejection{"spec.rules[0].matches[0].path.type", `Unsupported value: "Prefix"`}},
		{"unknown method", httpRoute(`
  - matches: [{method: FETCH}]
`), rejection{"spec.rules[0].matches[0].method", `Unsupported value: "FETCH"`}},
		{"more than 16 rules", httpRoute(seventeen.String()), rejection{"spec.rules", "must have at most 16 items"}},
		{"URLRewrite ReplacePrefixMatch with an Exact match", httpRoute(`
  - matches: [{path: {type: Exact, value: /foo}}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /bar}}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0]", "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified"}},
		{"RequestRedirect ReplacePrefixMatch with two matches", httpRoute(`
  - matches: [{path: {type: PathPrefix, value: /a}}, {path: {type: PathPrefix, value: /b}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /c}}
`), rejection{"spec.rules[0]", "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified"}},
		{"replacePrefixMatch set with type ReplaceFullPath", httpRoute(`
  - filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplaceFullPath, replacePrefixMatch: /bar}}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].filters[0].urlRewrite.path", "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set"}},
		{"RequestRedirect together with backendRefs", httpRoute(`
  - filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0]", "RequestRedirect filter must not be used together with backendRefs"}},
		{"RequestRedirect and URLRewrite in one rule", httpRoute(`
  - filters:
    - type: RequestRedirect
      requestRedirect: {hostname: example.com}
    - type: URLRewrite
      urlRewrite: {hostname: example.org}
`), rejection{"spec.rules[0].filters", "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both"}},
		{"redirect hostname with a wildcard", httpRoute(`
  - filters:
    - type: RequestRedirect
      requestRedirect: {hostname: "*.example.com"}
`), rejection{"spec.rules[0].filters[0].requestRedirect.hostname", "should match"}},
		{"redirect status code not in the enum", httpRoute(`
  - filters:
    - type: RequestRedirect
      requestRedirect: {statusCode: 304}
`), rejection{"spec.rules[0].filters[0].requestRedirect.statusCode", "Unsupported value: 304: supported values: \"301\", \"302\", \"303\", \"307\", \"308\""}},
		{"filter type without its config", httpRoute(`
  - filters: [{type: RequestHeaderModifier}]
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].filters[0]", "filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type"}},
		{"filter config not matching its type", httpRoute(`
  - filters:
    - type: ResponseHeaderModifier
      requestHeaderModifier: {set: [{name: x, value: v}]}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].filters[0]", "filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier"}},
		{"repeated RequestHeaderModifier", httpRoute(`
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {add: [{name: a, value: "1"}]}
    - type: RequestHeaderModifier
      requestHeaderModifier: {add: [{name: b, value: "2"}]}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].filters", "RequestHeaderModifier filter cannot be repeated"}},
		{"Service backendRef without port", httpRoute(`
  - backendRefs: [{name: svc}]
`), rejection{"spec.rules[0].backendRefs[0]", "Must have port for Service reference"}},
		{"backendRef port 0", httpRoute(`
  - backendRefs: [{name: svc, port: 0}]
`), rejection{"spec.rules[0].backendRefs[0].port", "should be greater than or equal to 1"}},
		{"negative weight", httpRoute(`
  - backendRefs: [{name: svc, port: 80, weight: -1}]
`), rejection{"spec.rules[0].backendRefs[0].weight", "should be greater than or equal to 0"}},
		{"backendRequest timeout longer than request timeout", httpRoute(`
  - timeouts: {request: 1s, backendRequest: 2s}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].timeouts", "backendRequest timeout cannot be longer than request timeout"}},
		{"timeout not a Gateway API duration", httpRoute(`
  - timeouts: {request: 1.5s}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].timeouts.request", "should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'"}},
		{"duplicate header match name", httpRoute(`
  - matches:
    - headers: [{name: x-a, value: "1"}, {name: x-a, value: "2"}]
`), rejection{"spec.rules[0].matches[0].headers[1]", "Duplicate value"}},
		{"header name with a space", httpRoute(`
  - matches:
    - headers: [{name: "x a", value: "1"}]
`), rejection{"spec.rules[0].matches[0].headers[0].name", "should match"}},
		{"mirror percent above 100", httpRoute(`
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: m, port: 80}, percent: 101}
    backendRefs: [{name: svc, port: 80}]
`), rejection{"spec.rules[0].filters[0].requestMirror.percent", "should be less than or equal to 100"}},
		{"wildcard not leftmost in route hostname", routeHead + `
  hostnames: ["foo.*.example.com"]
`, rejection{"spec.hostnames[0]", "should match"}},
		{"same parent twice without sectionName", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}, {name: gw, sectionName: http}]
`, rejection{"spec.parentRefs", "sectionName must be specified when parentRefs includes 2 or more references to the same parent"}},
		{"field of the wrong type", httpRoute(`
  - backendRefs: [{name: svc, port: "eighty"}]
`), rejection{"spec.rules[0].backendRefs[0].port", `Invalid value: "string": spec.rules[0].backendRefs[0].port in body must be of type integer`}},
		{"route without name", `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {namespace: default}
spec: {}
`, rejection{"metadata.name", "Required value: name or generateName is required"}},
	})
}

func TestRejectsInvalidOtherRoutes(t *testing.T) {
	runInvalid(t, []invalidCase{
		{"GRPCRoute method match with neither service nor method", `
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: default}
spec:
  rules: [{matches: [{method: {type: Exact}}]}]
`, rejection{"spec.rules[0].matches[0].method", "One or both of 'service' or 'method' must be specified"}},
		{"TLSRoute without hostnames", `
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: t, namespace: default}
spec:
  rules: [{backendRefs: [{name: svc, port: 443}]}]
`, rejection{"spec.hostnames", "Required value"}},
		{"TCPRoute without rules", `
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: t, namespace: default}
spec:
  parentRefs: [{name: gw}]
`, rejection{"spec.rules", "Required value"}},
		{"UDPRoute backendRef port above 65535", `
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: {name: u, namespace: default}
spec:
  rules: [{backendRefs: [{name: dns, port: 70000}]}]
`, rejection{"spec.rules[0].backendRefs[0].port", "should be less than or equal to 65535"}},
		{"ReferenceGrant without from", `
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: rg, namespace: default}
spec:
  to: [{group: "", kind: Service}]
`, rejection{"spec.from", "Required value"}},
		{"ReferenceGrant from without namespace", `
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: rg, namespace: default}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute}]
  to: [{group: "", kind: Service}]
`, rejection{"spec.from[0].namespace", "Required value"}},
		{"BackendTLSPolicy without CA certificates", `
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: p, namespace: default}
spec:
  targetRefs: [{group: "", kind: Service, name: svc}]
  validation: {hostname: example.com}
`, rejection{"spec.validation", "must specify either CACertificateRefs or WellKnownCACertificates"}},
	})
}
