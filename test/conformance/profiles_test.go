package conformance_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
)

// TestUpstreamTLSStatusOnly runs the GATEWAY-TLS profile's tests that
// assert nothing but status, unchanged.
func TestUpstreamTLSStatusOnly(t *testing.T) {
	for _, name := range tlsStatusOnly {
		t.Run(name, func(t *testing.T) {
			ct := upstream(t, name)
			ct.Test(t, newSuite(t, ct))
		})
	}
}

var tlsStatusOnly = []string{
	"TLSRouteInvalidNoMatchingListener",
	"TLSRouteInvalidNoMatchingListenerHostname",
	"TLSRouteInvalidReferenceGrant",
	"TLSRouteListenerPassthroughSupportedKinds",
	"TLSRouteListenerTerminateSupportedKinds",
}

// TestUpstreamGRPCStatusPreludes repeats the status assertions of the
// GATEWAY-GRPC profile's tests (all of which go on to send RPCs; the RPCs
// themselves are the e2e tests' job, through grpc-go's xDS client).
func TestUpstreamGRPCStatusPreludes(t *testing.T) {
	sameNS := nn(infra, "same-namespace")
	for _, p := range []struct {
		test    string
		gateway types.NamespacedName
		routes  []types.NamespacedName
	}{
		{"GRPCExactMethodMatching", sameNS, []types.NamespacedName{nn(infra, "exact-matching")}},
		{"GRPCRouteHeaderMatching", sameNS, []types.NamespacedName{nn(infra, "grpc-header-matching")}},
		{"GRPCRouteWeight", sameNS, []types.NamespacedName{nn(infra, "weighted-backends")}},
		{"GRPCRouteNamedRule", sameNS, []types.NamespacedName{nn(infra, "grpc-named-rules")}},
	} {
		t.Run(p.test, func(t *testing.T) {
			s := newSuite(t, upstream(t, p.test))
			kubernetes.GatewayAndRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName,
				kubernetes.NewGatewayRef(p.gateway), &v1.GRPCRoute{}, true, p.routes...)
		})
	}
}
