package conformance_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
)

// upstreamTLSStatusOnly runs the GATEWAY-TLS profile's tests that
// assert nothing but status, unchanged.
func upstreamTLSStatusOnly(t *testing.T) {
	for _, name := range tlsStatusOnly {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranWhole)
			ct := upstream(t, name)
			ct.Test(t, newSuite(t, ct))
		})
	}
}

// upstreamL4StatusOnly runs the GATEWAY-TCP and GATEWAY-UDP profiles'
// tests that assert nothing but status, unchanged.
func upstreamL4StatusOnly(t *testing.T) {
	for _, name := range l4StatusOnly {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranWhole)
			ct := upstream(t, name)
			ct.Test(t, newSuite(t, ct))
		})
	}
}

var l4StatusOnly = []string{
	"TCPRouteInvalidBackendRefNonexistent",
	"TCPRouteInvalidCrossNamespaceBackendRef",
	"TCPRouteInvalidNonTCPListener",
	"UDPRouteInvalidBackendRefNonexistent",
	"UDPRouteInvalidCrossNamespaceBackendRef",
	"UDPRouteNotAllowedByListeners",
}

var tlsStatusOnly = []string{
	"TLSRouteInvalidNoMatchingListener",
	"TLSRouteInvalidNoMatchingListenerHostname",
	"TLSRouteInvalidReferenceGrant",
	"TLSRouteListenerPassthroughSupportedKinds",
	"TLSRouteListenerTerminateSupportedKinds",
}

// tlsMixedTermination repeats the status steps of
// TLSRouteMixedTerminationSameNamespace: a Terminate and a Passthrough
// listener share a port, both accepted with one route each. Its TLS
// requests are the data plane's.
func tlsMixedTermination(t *testing.T) {
	const name = "TLSRouteMixedTerminationSameNamespace"
	record(t, name, ranStatus)
	s := newSuite(t, upstream(t, name))
	gwNN := nn(infra, "gateway-tlsroute-mixed-termination")
	kubernetes.GatewayAndTLSRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
		kubernetes.NewGatewayRef(gwNN), nn(infra, "gateway-conformance-mixed-passthroughroute"))
	listener := func(name string) v1.ListenerStatus {
		return v1.ListenerStatus{
			Name:           v1.SectionName(name),
			SupportedKinds: []v1.RouteGroupKind{{Group: (*v1.Group)(&v1.GroupVersion.Group), Kind: v1.Kind("TLSRoute")}},
			Conditions: []metav1.Condition{{
				Type: string(v1.ListenerConditionAccepted), Status: metav1.ConditionTrue, Reason: string(v1.ListenerReasonAccepted),
			}},
			AttachedRoutes: 1,
		}
	}
	kubernetes.GatewayStatusMustHaveListeners(t, s.Client, s.TimeoutConfig, gwNN, []v1.ListenerStatus{listener("tls-terminate"), listener("tls-passthrough")})
	kubernetes.GatewayAndTLSRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
		kubernetes.NewGatewayRef(gwNN), nn(infra, "gateway-conformance-mixed-terminateroute"))
}
