package conformance_test

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
)

// UDPRouteWeightedRouting is in gateway_udp_split_test.go.

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"GatewayUDPOnXDS", gatewayUDPOnXDS})
}

func gatewayUDPOnXDS(t *testing.T) {
	t.Run("UDPRoute", udpRouteSimple)
	t.Run("UDPRouteMultipleRoutesAttachment", udpRouteMultipleRoutesAttachment)
	t.Run("UDPRouteParentRefAttachAllListeners", udpRouteParentRefAttachAllListeners)
	t.Run("UDPRouteParentRefPortAndSectionName", udpRouteParentRefPortAndSectionName)
	t.Run("UDPRouteReferenceGrant", udpRouteReferenceGrant)
}

// udpRouteSimple: the DNS query the upstream test sends to the listener
// reaches the coredns pod's DNS port.
func udpRouteSimple(t *testing.T) {
	const name = "UDPRoute"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	routeNN, gwNN := nn(infra, "udp-coredns"), nn(infra, "udp-gateway")
	gwAddr := kubernetes.GatewayAndUDPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), routeNN)
	expectBackend(t, rt, gwAddr, true, "", false, infra, "coredns")
}

// udpRouteMultipleRoutesAttachment: a second, newer route on the listener
// is accepted and counted, but every session reaches the older one's
// backend.
func udpRouteMultipleRoutesAttachment(t *testing.T) {
	const name = "UDPRouteMultipleRoutesAttachment"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN, olderNN, newerNN := nn(infra, "udp-multi-route-attach-gateway"), nn(infra, "udproute-attach-older"), nn(infra, "udproute-attach-newer")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr := kubernetes.GatewayAndUDPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN, "udp"), olderNN)
	applyRoute(rt, &v1.UDPRoute{
		ObjectMeta: metav1.ObjectMeta{Name: newerNN.Name, Namespace: newerNN.Namespace},
		Spec: v1.UDPRouteSpec{
			CommonRouteSpec: v1.CommonRouteSpec{ParentRefs: []v1.ParentReference{{Name: v1.ObjectName(gwNN.Name), SectionName: ptr.To(v1.SectionName("udp"))}}},
			Rules: []v1.UDPRouteRule{{BackendRefs: []v1.BackendRef{{BackendObjectReference: v1.BackendObjectReference{
				Name: "udp-attach-backend-2", Port: ptr.To(v1.PortNumber(8080)),
			}}}}},
		},
	})
	kubernetes.UDPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, olderNN, gwNN, routeAccepted)
	kubernetes.UDPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, newerNN, gwNN, routeAccepted)
	kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, gwNN, []v1.ListenerStatus{{
		Name: "udp", SupportedKinds: udpRouteKinds, AttachedRoutes: 2,
		Conditions: []metav1.Condition{{Type: string(v1.ListenerConditionAccepted), Status: metav1.ConditionTrue, Reason: string(v1.ListenerReasonAccepted)}},
	}})
	expectBackend(t, rt, gwAddr, true, "", false, infra, "udp-attach-backend-1")
}

// udpRouteParentRefAttachAllListeners: a route naming only the Gateway
// is attached to, and serves, all three UDP listeners.
func udpRouteParentRefAttachAllListeners(t *testing.T) {
	const name = "UDPRouteParentRefAttachAllListeners"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN := nn(infra, "udp-attach-all-listeners-gateway")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	kubernetes.UDPRouteMustHaveParents(t, s.Client, s.TimeoutConfig, nn(infra, "udp-route-attach-all"), acceptedBy(gwNN.Name, s.ControllerName), false)
	ready := []metav1.Condition{
		{Type: string(v1.ListenerConditionAccepted), Status: metav1.ConditionTrue},
		{Type: string(v1.ListenerConditionResolvedRefs), Status: metav1.ConditionTrue},
	}
	listeners := []string{"udp-1", "udp-2", "udp-3"}
	var want []v1.ListenerStatus
	for _, l := range listeners {
		want = append(want, v1.ListenerStatus{Name: v1.SectionName(l), SupportedKinds: udpRouteKinds, AttachedRoutes: 1, Conditions: ready})
	}
	kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, gwNN, want)
	for _, l := range listeners {
		gwAddr, err := kubernetes.WaitForGatewayAddress(t, s.Client, s.TimeoutConfig, kubernetes.NewGatewayRef(gwNN, l))
		if err != nil {
			t.Fatalf("error getting gateway address for listener %q: %v", l, err)
		}
		expectBackend(t, rt, gwAddr, true, "", false, infra, "udp-echo-attach-all")
	}
}

// udpRouteParentRefPortAndSectionName: each listener serves the route
// that names it by port, by section, or by both.
func udpRouteParentRefPortAndSectionName(t *testing.T) {
	const name = "UDPRouteParentRefPortAndSectionName"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN := nn(infra, "udp-multi-listener-gateway")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	for _, c := range []struct{ route, listener, backend string }{
		{"udp-route-by-port", "by-port", "udp-echo-by-port"},
		{"udp-route-by-section", "by-section", "udp-echo-by-section"},
		{"udp-route-by-section-and-port", "by-section-and-port", "udp-echo-by-section-and-port"},
	} {
		kubernetes.UDPRouteMustHaveParents(t, s.Client, s.TimeoutConfig, nn(infra, c.route), acceptedBy(gwNN.Name, s.ControllerName), false)
		gwAddr, err := kubernetes.WaitForGatewayAddress(t, s.Client, s.TimeoutConfig, kubernetes.NewGatewayRef(gwNN, c.listener))
		if err != nil {
			t.Fatalf("error getting gateway address for listener %q: %v", c.listener, err)
		}
		expectBackend(t, rt, gwAddr, true, "", false, infra, c.backend)
	}
}

// udpRouteReferenceGrant: the granted cross-namespace backend resolves
// and is reached; with the grant deleted the refs are no longer resolved.
func udpRouteReferenceGrant(t *testing.T) {
	const name = "UDPRouteReferenceGrant"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	routeNN, gwNN := nn(infra, "udp-route-reference-grant"), nn(infra, "udp-gateway-reference-grant")
	const appBackend = "gateway-conformance-app-backend"
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr := kubernetes.GatewayAndUDPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), routeNN)
	kubernetes.UDPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, routeNN, gwNN, metav1.Condition{
		Type: string(v1.RouteConditionResolvedRefs), Status: metav1.ConditionTrue, Reason: string(v1.RouteReasonResolvedRefs),
	})
	// udp.ExpectEchoResponse checks only that an echo pod answers; this
	// checks it is the granted backend's.
	expectBackend(t, rt, gwAddr, true, "", false, appBackend, "udp-echo-reference-grant")
	rg := v1.ReferenceGrant{ObjectMeta: metav1.ObjectMeta{Name: "udp-reference-grant", Namespace: appBackend}}
	if err := s.Client.Delete(context.Background(), &rg); err != nil {
		t.Fatal(err)
	}
	kubernetes.UDPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, routeNN, gwNN, metav1.Condition{
		Type: string(v1.RouteConditionResolvedRefs), Status: metav1.ConditionFalse, Reason: string(v1.RouteReasonRefNotPermitted),
	})
}
