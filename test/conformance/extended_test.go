package conformance_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

// upstreamExtendedHTTPStatusPreludes repeats the status assertions of
// the GATEWAY-HTTP extended-feature tests that used to be refused
// (redirect codes, CORS, mirrors, backendRef filters, retries, h2c and
// WebSocket backends). Their traffic assertions need a data plane.
func upstreamExtendedHTTPStatusPreludes(t *testing.T) {
	sameNS := nn(infra, "same-namespace")
	routes := func(names ...string) []types.NamespacedName {
		var out []types.NamespacedName
		for _, n := range names {
			out = append(out, nn(infra, n))
		}
		return out
	}
	for _, p := range []statusPrelude{
		{test: "HTTPRoute303Redirect", gateway: sameNS, routes: routes("303-redirect")},
		{test: "HTTPRoute307Redirect", gateway: sameNS, routes: routes("307-redirect")},
		{test: "HTTPRoute308Redirect", gateway: sameNS, routes: routes("308-redirect")},
		{test: "HTTPRouteCORS", gateway: sameNS, routes: routes("cors-multiple-origins-methods-headers", "cors-wildcard-methods",
			"cors-wildcard-origin", "cors-wildcard-methods-headers")},
		{test: "HTTPRouteRequestMirror", gateway: sameNS, routes: routes("request-mirror")},
		{test: "HTTPRouteRequestMultipleMirrors", gateway: sameNS, routes: routes("request-multiple-mirrors")},
		{test: "HTTPRouteRequestPercentageMirror", gateway: sameNS, routes: routes("request-percentage-mirror")},
		{test: "HTTPRouteRequestHeaderModifierBackendWeights", gateway: sameNS, routes: routes("request-header-modifier-backend-weights")},
		{test: "HTTPRouteRetry", gateway: sameNS, routes: routes("retries")},
		{test: "HTTPRouteBackendProtocolH2C", gateway: sameNS, routes: routes("backend-protocol-h2c")},
		{test: "HTTPRouteBackendProtocolWebSocket", gateway: sameNS, routes: routes("backend-protocol-ws")},
	} {
		t.Run(p.test, func(t *testing.T) {
			record(t, p.test, ranStatus)
			p.run(t, newSuite(t, upstream(t, p.test)))
		})
	}
}
