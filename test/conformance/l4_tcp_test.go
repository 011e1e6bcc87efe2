package conformance_test

import (
	"context"
	"math"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
)

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"GatewayTCPOnXDS", gatewayTCPOnXDS})
}

func gatewayTCPOnXDS(t *testing.T) {
	t.Run("TCPRouteMultipleRoutesAttachment", tcpRouteMultipleRoutesAttachment)
	t.Run("TCPRouteParentRefAttachAll", tcpRouteParentRefAttachAll)
	t.Run("TCPRouteParentRefPortAndSectionName", tcpRouteParentRefPortAndSectionName)
	t.Run("TCPRouteReferenceGrant", tcpRouteReferenceGrant)
	t.Run("TCPRouteWeightedRouting", tcpRouteWeightedRouting)
}

var (
	routeAccepted = metav1.Condition{Type: string(v1.RouteConditionAccepted), Status: metav1.ConditionTrue, Reason: string(v1.RouteReasonAccepted)}
	tcpRouteKinds = []v1.RouteGroupKind{{Group: ptr.To(v1.Group(v1.GroupName)), Kind: "TCPRoute"}}
	udpRouteKinds = []v1.RouteGroupKind{{Group: ptr.To(v1.Group(v1.GroupName)), Kind: "UDPRoute"}}
)

// acceptedBy is the parent status the ParentRef tests expect of a route
// on gateway.
func acceptedBy(gateway, controller string) []v1.RouteParentStatus {
	return []v1.RouteParentStatus{{
		ParentRef: v1.ParentReference{
			Group: ptr.To(v1.Group(v1.GroupName)), Kind: ptr.To(v1.Kind("Gateway")),
			Name: v1.ObjectName(gateway), Namespace: ptr.To(v1.Namespace(infra)),
		},
		ControllerName: v1.GatewayController(controller),
		Conditions:     []metav1.Condition{routeAccepted},
	}}
}

// tcpRouteMultipleRoutesAttachment: a second, newer route on the listener
// is accepted and counted, but every connection reaches the older one's
// backend.
func tcpRouteMultipleRoutesAttachment(t *testing.T) {
	const name = "TCPRouteMultipleRoutesAttachment"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN, olderNN, newerNN := nn(infra, "tcp-multi-route-attach-gateway"), nn(infra, "tcproute-attach-older"), nn(infra, "tcproute-attach-newer")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr := kubernetes.GatewayAndTCPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN, "tcp"), olderNN)
	applyRoute(rt, &v1.TCPRoute{
		ObjectMeta: metav1.ObjectMeta{Name: newerNN.Name, Namespace: newerNN.Namespace},
		Spec: v1.TCPRouteSpec{
			CommonRouteSpec: v1.CommonRouteSpec{ParentRefs: []v1.ParentReference{{Name: v1.ObjectName(gwNN.Name), SectionName: ptr.To(v1.SectionName("tcp"))}}},
			Rules: []v1.TCPRouteRule{{BackendRefs: []v1.BackendRef{{BackendObjectReference: v1.BackendObjectReference{
				Name: "tcp-attach-backend-2", Port: ptr.To(v1.PortNumber(3000)),
			}}}}},
		},
	})
	kubernetes.TCPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, olderNN, gwNN, routeAccepted)
	kubernetes.TCPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, newerNN, gwNN, routeAccepted)
	kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, gwNN, []v1.ListenerStatus{{
		Name: "tcp", SupportedKinds: tcpRouteKinds, AttachedRoutes: 2,
		Conditions: []metav1.Condition{{Type: string(v1.ListenerConditionAccepted), Status: metav1.ConditionTrue, Reason: string(v1.ListenerReasonAccepted)}},
	}})
	expectBackend(t, rt, gwAddr, false, "", false, infra, "tcp-attach-backend-1")
}

// applyRoute creates a route as MustApplyObjectsWithCleanup would: the
// API server stamps it now, after the manifests' routes (which carry no
// timestamp, the earliest there is), and the control plane re-translates.
func applyRoute(rt *xdsRoundTripper, route any) {
	rt.c.mu.Lock()
	defer rt.c.mu.Unlock()
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	switch r := route.(type) {
	case *v1.TCPRoute:
		r.CreationTimestamp, r.Generation = now, 1
		rt.c.res.TCPRoutes = append(rt.c.res.TCPRoutes, r)
	case *v1.UDPRoute:
		r.CreationTimestamp, r.Generation = now, 1
		rt.c.res.UDPRoutes = append(rt.c.res.UDPRoutes, r)
	default:
		panic("applyRoute: unsupported kind")
	}
	rt.c.translate()
	rt.c.version++
}

// tcpRouteParentRefAttachAll: a route naming only the Gateway serves all
// four TCP listeners.
func tcpRouteParentRefAttachAll(t *testing.T) {
	const name = "TCPRouteParentRefAttachAll"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN := nn(infra, "tcp-attach-all-gateway")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	kubernetes.TCPRouteMustHaveParents(t, s.Client, s.TimeoutConfig, nn(infra, "tcp-route-attach-all"), acceptedBy(gwNN.Name, s.ControllerName), false)
	for _, listener := range []string{"one", "two", "three", "four"} {
		gwAddr, err := kubernetes.WaitForGatewayAddress(t, s.Client, s.TimeoutConfig, kubernetes.NewGatewayRef(gwNN, listener))
		if err != nil {
			t.Fatalf("error getting gateway address for listener %q: %v", listener, err)
		}
		expectBackend(t, rt, gwAddr, false, "", false, infra, "tcp-echo-attach-all")
	}
}

// tcpRouteParentRefPortAndSectionName: each listener serves the route
// that names it by port, by section, or by both.
func tcpRouteParentRefPortAndSectionName(t *testing.T) {
	const name = "TCPRouteParentRefPortAndSectionName"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN := nn(infra, "tcp-multi-listener-gateway")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	for _, c := range []struct{ route, listener, backend string }{
		{"tcp-route-by-port", "one", "tcp-echo-one"},
		{"tcp-route-by-section", "two", "tcp-echo-two"},
		{"tcp-route-by-section-and-port", "three", "tcp-echo-three"},
	} {
		kubernetes.TCPRouteMustHaveParents(t, s.Client, s.TimeoutConfig, nn(infra, c.route), acceptedBy(gwNN.Name, s.ControllerName), false)
		gwAddr, err := kubernetes.WaitForGatewayAddress(t, s.Client, s.TimeoutConfig, kubernetes.NewGatewayRef(gwNN, c.listener))
		if err != nil {
			t.Fatalf("error getting gateway address for listener %q: %v", c.listener, err)
		}
		expectBackend(t, rt, gwAddr, false, "", false, infra, c.backend)
	}
}

// tcpRouteReferenceGrant: the granted cross-namespace backend is reached;
// with the grant deleted the route's refs are no longer resolved.
func tcpRouteReferenceGrant(t *testing.T) {
	const name = "TCPRouteReferenceGrant"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	routeNN, gwNN := nn(infra, "tcp-reference-grant"), nn(infra, "tcp-reference-grant-gateway")
	const webBackend = "gateway-conformance-web-backend"
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra, webBackend})
	gwAddr := kubernetes.GatewayAndTCPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN, "tcp"), routeNN)
	expectBackend(t, rt, gwAddr, false, "", false, webBackend, "tcp-reference-grant-backend")
	rg := v1.ReferenceGrant{ObjectMeta: metav1.ObjectMeta{Name: "tcp-reference-grant", Namespace: webBackend}}
	if err := s.Client.Delete(context.Background(), &rg); err != nil {
		t.Fatal(err)
	}
	kubernetes.TCPRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, routeNN, gwNN, metav1.Condition{
		Type: string(v1.RouteConditionResolvedRefs), Status: metav1.ConditionFalse, Reason: string(v1.RouteReasonRefNotPermitted),
	})
}

// tcpRouteWeightedRouting: connections split 70/30 over v1 and v2, none
// to v3 (weight 0), as the TCP proxy's weighted clusters say.
func tcpRouteWeightedRouting(t *testing.T) {
	const name = "TCPRouteWeightedRouting"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	gwNN, routeNN := nn(infra, "tcp-weighted-gateway"), nn(infra, "tcp-weighted-route")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr := kubernetes.GatewayAndTCPRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN, "tcp"), routeNN)
	expectSplit(t, backendsReached(t, rt, gwAddr, false, "", false), map[string]float64{
		infra + "/tcp-backend-v1": 0.7,
		infra + "/tcp-backend-v2": 0.3,
	})
}

// expectSplit compares the fractions of connections each backend gets;
// a backend not in want must get none.
func expectSplit(t *testing.T, got, want map[string]float64) {
	t.Helper()
	for b, w := range want {
		if math.Abs(got[b]-w) > 1e-9 {
			t.Errorf("%s gets %.4f of the connections, want %.2f (all: %v)", b, got[b], w, got)
		}
	}
	for b := range got {
		if _, ok := want[b]; !ok {
			t.Errorf("%s gets %.4f of the connections, want none", b, got[b])
		}
	}
}
