package conformance_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
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

// Each of these upstream tests checks its status in several steps; every
// step is repeated in order.
func upstreamStatusPreludesMultiStep(t *testing.T) {
	// With the xDS RoundTripper this test fails: every listener's
	// HttpConnectionManager sets strip_any_host_port, which Envoy applies
	// to the Host it sends upstream, and the test expects the backend to
	// see "foo.com:8080". ignore_port_in_host_matching on the
	// RouteConfiguration would match alike and keep the port.
	t.Run("HTTPRouteListenerPortMatching", func(t *testing.T) {
		record(t, "HTTPRouteListenerPortMatching", ranStatus)
		s := newSuite(t, upstream(t, "HTTPRouteListenerPortMatching"))
		gw := nn(infra, "httproute-listener-port-matching")
		statusPrelude{gateway: gw, listeners: []string{"listener-1"}, routes: []types.NamespacedName{nn(infra, "backend-v1")}}.run(t, s)
		statusPrelude{gateway: gw, listeners: []string{"listener-2"}, routes: []types.NamespacedName{nn(infra, "backend-v2")}}.run(t, s)
		statusPrelude{gateway: gw, listeners: []string{"listener-4"}, routes: []types.NamespacedName{nn(infra, "backend-v3")}}.run(t, s)
	})
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

// HTTPRouteHostnameIntersection: the status steps of its four subtests.
// Its traffic fails on the xDS for the reason HTTPRouteListenerPortMatching
// does: a request to "very.specific.com:1234" reaches the backend as
// "very.specific.com".
func httpRouteHostnameIntersection(t *testing.T) {
	record(t, "HTTPRouteHostnameIntersection", ranStatus)
	s := newSuite(t, upstream(t, "HTTPRouteHostnameIntersection"))
	gwNN := nn(infra, "httproute-hostname-intersection")
	t.Run("HTTPRoutes that do intersect with listener hostnames", func(t *testing.T) {
		statusPrelude{gateway: gwNN, routes: []types.NamespacedName{
			nn(infra, "specific-host-matches-listener-specific-host"),
			nn(infra, "specific-host-matches-listener-wildcard-host"),
			nn(infra, "wildcard-host-matches-listener-specific-host"),
			nn(infra, "wildcard-host-matches-listener-wildcard-host"),
		}}.run(t, s)
	})
	t.Run("HTTPRoutes that do not intersect with listener hostnames", func(t *testing.T) {
		kubernetes.GatewayAndHTTPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN))
		ns := v1.Namespace(gwNN.Namespace)
		kind := v1.Kind("Gateway")
		kubernetes.HTTPRouteMustHaveParents(t, s.Client, s.TimeoutConfig, nn(infra, "no-intersecting-hosts"), []v1.RouteParentStatus{{
			ParentRef:      v1.ParentReference{Group: (*v1.Group)(&v1.GroupVersion.Group), Kind: &kind, Name: v1.ObjectName(gwNN.Name), Namespace: &ns},
			ControllerName: v1.GatewayController(s.ControllerName),
			Conditions: []metav1.Condition{{
				Type: string(v1.RouteConditionAccepted), Status: metav1.ConditionFalse, Reason: string(v1.RouteReasonNoMatchingListenerHostname),
			}},
		}}, true)
	})
	t.Run("HTTPRoutes have to be counted in AttachedRoutes only if they are Accepted", func(t *testing.T) {
		listener := func(name string, attached int32) v1.ListenerStatus {
			return v1.ListenerStatus{
				Name:           v1.SectionName(name),
				SupportedKinds: []v1.RouteGroupKind{{Group: (*v1.Group)(&v1.GroupVersion.Group), Kind: v1.Kind("HTTPRoute")}},
				Conditions: []metav1.Condition{
					{Type: string(v1.ListenerConditionAccepted), Status: metav1.ConditionTrue},
					{Type: string(v1.ListenerConditionResolvedRefs), Status: metav1.ConditionTrue},
				},
				AttachedRoutes: attached,
			}
		}
		kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, gwNN, []v1.ListenerStatus{
			listener("listener-1", 2), listener("listener-2", 1), listener("listener-3", 1),
		})
	})
	t.Run("HTTPRoutes intersects with an unspecified hostname listener", func(t *testing.T) {
		statusPrelude{gateway: nn(infra, "httproute-hostname-intersection-all"),
			routes: []types.NamespacedName{nn(infra, "httproute-hostname-intersection-all")}}.run(t, s)
	})
}
