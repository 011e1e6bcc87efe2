package conformance_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

// upstreamExtendedHTTPStatusPreludes repeats the status assertions of the
// GATEWAY-HTTP extended-feature tests whose traffic fails on the xDS (the
// others run whole, see traffic_test.go):
//   - HTTPRouteCORS: on the xDS its preflight from a disallowed origin
//     reaches the backend, because the CorsPolicy leaves
//     forward_not_matching_preflights at Envoy's default (true) while the
//     test wants the Gateway to answer it; every other case passes.
//
// The CORS policies are also in the translator's golden case cors.
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
		{test: "HTTPRouteCORS", gateway: sameNS, routes: routes("cors-multiple-origins-methods-headers", "cors-wildcard-methods",
			"cors-wildcard-origin", "cors-wildcard-methods-headers")},
	} {
		t.Run(p.test, func(t *testing.T) {
			record(t, p.test, ranStatus)
			p.run(t, newSuite(t, upstream(t, p.test)))
		})
	}
}
