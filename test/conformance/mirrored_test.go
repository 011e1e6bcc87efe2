package conformance_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"
)

// statusPrelude is the status part every upstream data-plane test starts
// with, for the tests whose traffic the harness cannot answer or answers
// with a failure (see traffic_test.go for those that run whole): GatewayAndHTTPRoutesMustBeAccepted on a Gateway (optionally some of
// its listeners) and routes, then one ResolvedRefs condition per route.
type statusPrelude struct {
	test      string // upstream ShortName
	gateway   types.NamespacedName
	listeners []string
	routes    []types.NamespacedName
}

func (p statusPrelude) run(t *testing.T, s *suite.ConformanceTestSuite) {
	kubernetes.GatewayAndHTTPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
		kubernetes.NewGatewayRef(p.gateway, p.listeners...), p.routes...)
	for _, r := range p.routes {
		kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, r, p.gateway)
	}
}

// GatewayWithAttachedRoutes and HTTPRouteDisallowedKind assert status
// only, and with HTTPS and TLS listeners translated they run unchanged.
func gatewayWithAttachedRoutes(t *testing.T) { runUnchanged(t, "GatewayWithAttachedRoutes") }

func httpRouteDisallowedKind(t *testing.T) { runUnchanged(t, "HTTPRouteDisallowedKind") }

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"UpstreamGatewayTLSStatusOnly", upstreamGatewayTLSStatusOnly})
}

// upstreamGatewayTLSStatusOnly runs the core Gateway tests about HTTPS
// listeners and their certificates; they assert status only.
func upstreamGatewayTLSStatusOnly(t *testing.T) {
	for _, name := range []string{
		"GatewayInvalidTLSConfiguration",
		"GatewayModifyListeners",
		"GatewaySecretInvalidReferenceGrant",
		"GatewaySecretMissingReferenceGrant",
		"GatewaySecretReferenceGrantAllInNamespace",
		"GatewaySecretReferenceGrantSpecific",
	} {
		t.Run(name, func(t *testing.T) { runUnchanged(t, name) })
	}
}

func runUnchanged(t *testing.T, name string) {
	record(t, name, ranWhole)
	ct := upstream(t, name)
	ct.Test(t, newSuite(t, ct))
}
