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
// with: GatewayAndHTTPRoutesMustBeAccepted on a Gateway (optionally some of
// its listeners) and routes, then one ResolvedRefs condition per route.
type statusPrelude struct {
	test      string // upstream ShortName
	gateway   types.NamespacedName
	listeners []string
	routes    []types.NamespacedName
	// resolved is the route condition the test expects; zero means
	// HTTPRouteMustHaveResolvedRefsConditionsTrue.
	resolved metav1.Condition
}

func (p statusPrelude) run(t *testing.T, s *suite.ConformanceTestSuite) {
	kubernetes.GatewayAndHTTPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
		kubernetes.NewGatewayRef(p.gateway, p.listeners...), p.routes...)
	for _, r := range p.routes {
		if p.resolved.Type == "" {
			kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, r, p.gateway)
		} else {
			kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, r, p.gateway, p.resolved)
		}
	}
}

func resolvedFalse(reason v1.RouteConditionReason) metav1.Condition {
	return metav1.Condition{Type: string(v1.RouteConditionResolvedRefs), Status: metav1.ConditionFalse, Reason: string(reason)}
}

// upstreamStatusPreludes repeats the status assertions of upstream tests
// that go on to send traffic; the traffic part belongs to the end-to-end
// tests of the data plane.
func upstreamStatusPreludes(t *testing.T) {
	sameNS := nn(infra, "same-namespace")
	for _, p := range []statusPrelude{
		{test: "HTTPRouteSimpleSameNamespace", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "gateway-conformance-infra-test")}},
		{test: "HTTPRouteCrossNamespace", gateway: nn(infra, "backend-namespaces"), routes: []types.NamespacedName{nn("gateway-conformance-web-backend", "cross-namespace")}},
		{test: "HTTPRouteExactPathMatching", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "exact-matching")}},
		{test: "HTTPRouteHeaderMatching", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "header-matching")}},
		{test: "HTTPRouteMatching", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "matching")}},
		{test: "HTTPRouteMatchingAcrossRoutes", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "matching-part1"), nn(infra, "matching-part2")}},
		{test: "HTTPRouteMethodMatching", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "method-matching")}},
		{test: "HTTPRouteQueryParamMatching", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "query-param-matching")}},
		{test: "HTTPRoutePathMatchOrder", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "path-matching-order")}},
		{test: "HTTPRouteNamedRule", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "http-named-rules")}},
		{test: "HTTPRouteNoBackendRefs", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "omitted-backendrefs")}},
		{test: "HTTPRouteWeight", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "weighted-backends")}},
		{test: "HTTPRouteServiceTypes", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "service-types")}},
		{test: "HTTPRouteRequestHeaderModifier", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "request-header-modifier")}},
		{test: "HTTPRouteResponseHeaderModifier", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "response-header-modifier")}},
		{test: "HTTPRouteRedirectHostAndStatus", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "redirect-host-and-status")}},
		{test: "HTTPRouteRedirectPath", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "redirect-path")}},
		{test: "HTTPRouteRedirectPort", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "redirect-port")}},
		{test: "HTTPRouteRedirectScheme", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "redirect-scheme")}},
		{test: "HTTPRouteRewriteHost", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "rewrite-host")}},
		{test: "HTTPRouteRewritePath", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "rewrite-path")}},
		{test: "HTTPRouteTimeoutRequest", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "request-timeout")}},
		{test: "HTTPRouteTimeoutBackendRequest", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "backend-request-timeout")}},
		{test: "HTTPRouteReferenceGrant", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "reference-grant")}},
		{test: "HTTPRouteInvalidBackendRefUnknownKind", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "invalid-backend-ref-unknown-kind")},
			resolved: resolvedFalse(v1.RouteReasonInvalidKind)},
		{test: "HTTPRouteInvalidNonExistentBackendRef", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "invalid-nonexistent-backend-ref")},
			resolved: resolvedFalse(v1.RouteReasonBackendNotFound)},
		{test: "HTTPRouteInvalidCrossNamespaceBackendRef", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "invalid-cross-namespace-backend-ref")},
			resolved: resolvedFalse(v1.RouteReasonRefNotPermitted)},
		{test: "HTTPRouteInvalidReferenceGrant", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "reference-grant")},
			resolved: resolvedFalse(v1.RouteReasonRefNotPermitted)},
		{test: "HTTPRoutePartiallyInvalidViaInvalidReferenceGrant", gateway: sameNS, routes: []types.NamespacedName{nn(infra, "invalid-reference-grant")},
			resolved: resolvedFalse(v1.RouteReasonRefNotPermitted)},
	} {
		t.Run(p.test, func(t *testing.T) {
			record(t, p.test, ranStatus)
			p.run(t, newSuite(t, upstream(t, p.test)))
		})
	}
}

// Each of these upstream tests checks its status in several steps; every
// step is repeated in order.
func upstreamStatusPreludesMultiStep(t *testing.T) {
	t.Run("HTTPRouteListenerHostnameMatching", func(t *testing.T) {
		record(t, "HTTPRouteListenerHostnameMatching", ranStatus)
		s := newSuite(t, upstream(t, "HTTPRouteListenerHostnameMatching"))
		gw := nn(infra, "httproute-listener-hostname-matching")
		statusPrelude{gateway: gw, listeners: []string{"listener-1"}, routes: []types.NamespacedName{nn(infra, "backend-v1")}}.run(t, s)
		statusPrelude{gateway: gw, listeners: []string{"listener-2"}, routes: []types.NamespacedName{nn(infra, "backend-v2")}}.run(t, s)
		statusPrelude{gateway: gw, listeners: []string{"listener-3", "listener-4"}, routes: []types.NamespacedName{nn(infra, "backend-v3")}}.run(t, s)
	})
	t.Run("HTTPRouteListenerPortMatching", func(t *testing.T) {
		record(t, "HTTPRouteListenerPortMatching", ranStatus)
		s := newSuite(t, upstream(t, "HTTPRouteListenerPortMatching"))
		gw := nn(infra, "httproute-listener-port-matching")
		statusPrelude{gateway: gw, listeners: []string{"listener-1"}, routes: []types.NamespacedName{nn(infra, "backend-v1")}}.run(t, s)
		statusPrelude{gateway: gw, listeners: []string{"listener-2"}, routes: []types.NamespacedName{nn(infra, "backend-v2")}}.run(t, s)
		statusPrelude{gateway: gw, listeners: []string{"listener-4"}, routes: []types.NamespacedName{nn(infra, "backend-v3")}}.run(t, s)
	})
	t.Run("HTTPRouteMultipleGateways", func(t *testing.T) {
		record(t, "HTTPRouteMultipleGateways", ranStatus)
		s := newSuite(t, upstream(t, "HTTPRouteMultipleGateways"))
		statusPrelude{gateway: nn(infra, "same-namespace"), routes: []types.NamespacedName{
			nn(infra, "multiple-gateways-shared-route"), nn(infra, "same-namespace-dedicated-route")}}.run(t, s)
		statusPrelude{gateway: nn(infra, "all-namespaces"), routes: []types.NamespacedName{
			nn(infra, "multiple-gateways-shared-route"), nn(infra, "all-namespaces-dedicated-route")}}.run(t, s)
	})
	// The third step needs the HTTPS Gateway (issue 7).
	t.Run("HTTPRouteRedirectPortAndScheme", func(t *testing.T) {
		record(t, "HTTPRouteRedirectPortAndScheme", ranStatus)
		s := newSuite(t, upstream(t, "HTTPRouteRedirectPortAndScheme"))
		statusPrelude{gateway: nn(infra, "same-namespace"), routes: []types.NamespacedName{nn(infra, "http-route-for-listener-on-port-80")}}.run(t, s)
		statusPrelude{gateway: nn(infra, "same-namespace-with-http-listener-on-8080"),
			routes: []types.NamespacedName{nn(infra, "http-route-for-listener-on-port-8080")}}.run(t, s)
	})
	t.Run("GatewayHTTPListenerIsolation", func(t *testing.T) {
		record(t, "GatewayHTTPListenerIsolation", ranStatus)
		s := newSuite(t, upstream(t, "GatewayHTTPListenerIsolation"))
		statusPrelude{gateway: nn(infra, "http-listener-isolation"), routes: []types.NamespacedName{
			nn(infra, "attaches-to-empty-hostname"), nn(infra, "attaches-to-wildcard-example-com"),
			nn(infra, "attaches-to-wildcard-foo-example-com"), nn(infra, "attaches-to-abc-foo-example-com")}}.run(t, s)
		statusPrelude{gateway: nn(infra, "http-listener-isolation-with-hostname-intersection"), routes: []types.NamespacedName{
			nn(infra, "attaches-to-empty-hostname-with-hostname-intersection"),
			nn(infra, "attaches-to-wildcard-example-com-with-hostname-intersection"),
			nn(infra, "attaches-to-wildcard-foo-example-com-with-hostname-intersection"),
			nn(infra, "attaches-to-abc-foo-example-com-with-hostname-intersection")}}.run(t, s)
	})
}

// GatewayWithAttachedRoutes: its first two subtests, verbatim. The third
// needs an HTTPS listener with an unresolved certificate (issue 7).
func gatewayWithAttachedRoutes(t *testing.T) {
	record(t, "GatewayWithAttachedRoutes", ranStatus)
	s := newSuite(t, upstream(t, "GatewayWithAttachedRoutes"))
	httpListener := func(attached int32) []v1.ListenerStatus {
		return []v1.ListenerStatus{{
			Name:           v1.SectionName("http"),
			SupportedKinds: []v1.RouteGroupKind{{Group: (*v1.Group)(&v1.GroupVersion.Group), Kind: v1.Kind("HTTPRoute")}},
			Conditions: []metav1.Condition{
				{Type: string(v1.ListenerConditionAccepted), Status: metav1.ConditionTrue},
				{Type: string(v1.ListenerConditionResolvedRefs), Status: metav1.ConditionTrue},
			},
			AttachedRoutes: attached,
		}}
	}
	t.Run("Gateway listener should have one valid http routes attached", func(t *testing.T) {
		kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, nn(infra, "gateway-with-one-attached-route"), httpListener(1))
	})
	t.Run("Gateway listener should have two valid http routes attached", func(t *testing.T) {
		gwNN := nn(infra, "gateway-with-two-attached-routes")
		kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, gwNN, httpListener(2))
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, nn(infra, "http-route-not-accepted"), gwNN, metav1.Condition{
			Type: string(v1.RouteConditionAccepted), Status: metav1.ConditionFalse, Reason: string(v1.RouteReasonNoMatchingListenerHostname),
		})
	})
}

// HTTPRouteDisallowedKind, all but its first step: NamespacesMustBeReady
// waits for every Gateway of the namespace to be Programmed, including the
// test's TLS-only Gateway, and TLS listeners arrive with issue 7.
func httpRouteDisallowedKind(t *testing.T) {
	record(t, "HTTPRouteDisallowedKind", ranStatus)
	s := newSuite(t, upstream(t, "HTTPRouteDisallowedKind"))
	routeNN, gwNN := nn(infra, "disallowed-kind"), nn(infra, "tlsroutes-only")
	kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, routeNN, gwNN)
	t.Run("Route should not have been accepted with reason NotAllowedByListeners", func(t *testing.T) {
		kubernetes.HTTPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, routeNN, gwNN, metav1.Condition{
			Type: string(v1.RouteConditionAccepted), Status: metav1.ConditionFalse, Reason: string(v1.RouteReasonNotAllowedByListeners),
		})
	})
	t.Run("Route should not have Parents set in status", func(t *testing.T) {
		kubernetes.HTTPRouteMustHaveNoAcceptedParents(t, s.Client, s.TimeoutConfig, routeNN)
	})
	t.Run("Gateway should have 0 Routes attached", func(t *testing.T) {
		kubernetes.GatewayMustHaveZeroRoutes(t, s.Client, s.TimeoutConfig, gwNN)
	})
}

// HTTPRouteHostnameIntersection: the status steps of its four subtests.
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
