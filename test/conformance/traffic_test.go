package conformance_test

import "testing"

// trafficWhole are the upstream HTTP tests that run whole, status and
// traffic, with the xDS RoundTripper: every request of the test is
// answered by the xDS the translator serves the Gateway's fleet
// (xdseval), the backend by a stand-in for echo-basic that knows which
// pod it is. Timeouts are evaluated, not waited for: echo-basic's ?delay=
// is held against the route's timeouts. Mirrored requests are logged by
// the mirror backend's stand-in, whose logs the suite's Clientset reads
// (traffic_logs_test.go). Retries go against echo-basic's /retry/
// simulation, kept per pod; WebSockets through xdsWebSocketDialer.
var trafficWhole = []string{
	"HTTPRouteSimpleSameNamespace",
	"HTTPRouteCrossNamespace",
	"HTTPRouteExactPathMatching",
	"HTTPRouteHeaderMatching",
	"HTTPRouteMatching",
	"HTTPRouteMatchingAcrossRoutes",
	"HTTPRouteMethodMatching",
	"HTTPRouteQueryParamMatching",
	"HTTPRoutePathMatchOrder",
	"HTTPRouteNamedRule",
	"HTTPRouteNoBackendRefs",
	"HTTPRouteWeight",
	"HTTPRouteRequestHeaderModifier",
	"HTTPRouteResponseHeaderModifier",
	"HTTPRouteRedirectHostAndStatus",
	"HTTPRouteRedirectPath",
	"HTTPRouteRedirectPort",
	"HTTPRouteRedirectScheme",
	"HTTPRouteRewriteHost",
	"HTTPRouteRewritePath",
	"HTTPRouteTimeoutRequest",
	"HTTPRouteTimeoutBackendRequest",
	"HTTPRouteReferenceGrant",
	"HTTPRouteInvalidBackendRefUnknownKind",
	"HTTPRouteInvalidNonExistentBackendRef",
	"HTTPRouteInvalidCrossNamespaceBackendRef",
	"HTTPRouteInvalidReferenceGrant",
	"HTTPRoutePartiallyInvalidViaInvalidReferenceGrant",
	"HTTPRouteListenerHostnameMatching",
	"HTTPRouteMultipleGateways",
	"HTTPRouteRedirectPortAndScheme",
	"GatewayHTTPListenerIsolation",
	"HTTPRoute303Redirect",
	"HTTPRoute307Redirect",
	"HTTPRoute308Redirect",
	"HTTPRouteRequestHeaderModifierBackendWeights",
	"HTTPRouteBackendRequestHeaderModifier",
	"HTTPRouteRequestMirror",
	"HTTPRouteRequestMultipleMirrors",
	"HTTPRouteRequestPercentageMirror",
	"HTTPRouteRetry",
	"HTTPRouteBackendProtocolH2C",
	"HTTPRouteBackendProtocolWebSocket",
	"HTTPRouteHTTPSListener",
	"HTTPRouteHTTPSListenerDetectMisdirectedRequests",
	"HTTPRouteServiceTypes",
	"HTTPRouteCORS",
	"HTTPRouteListenerPortMatching",
	"HTTPRouteHostnameIntersection",
}

func upstreamTrafficOnXDS(t *testing.T) {
	for _, name := range trafficWhole {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranXDS)
			ct := upstream(t, name)
			ct.Test(t, newTrafficSuite(t, ct))
		})
	}
}

// grpcWhole are the GATEWAY-GRPC tests, run whole with the suite's
// GRPCClient answered by the Envoy xDS (traffic_grpc_test.go). The same
// routes also carry real RPCs through grpc-go's xDS client in the e2e
// tests, on the gRPC variant of the xDS.
var grpcWhole = []string{
	"GRPCExactMethodMatching",
	"GRPCRouteHeaderMatching",
	"GRPCRouteWeight",
	"GRPCRouteNamedRule",
	"GRPCRouteListenerHostnameMatching",
}

func upstreamGRPCOnXDS(t *testing.T) {
	for _, name := range grpcWhole {
		t.Run(name, func(t *testing.T) {
			record(t, name, ranXDS)
			ct := upstream(t, name)
			ct.Test(t, newTrafficSuite(t, ct))
		})
	}
}
