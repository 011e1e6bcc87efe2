package conformance_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	v1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
	"sigs.k8s.io/gateway-api/conformance/utils/roundtripper"

	"github.com/envoygateway/terraform-provider-envoygateway/internal/xdseval"
)

// TLSRouteListenerTerminateNotSupported and
// TLSRouteListenerMixedTerminationNotSupported assert only when Terminate
// (mixed) mode is NOT supported; the translator declares both, so the
// upstream test returns at once and counts as passed, as it would against
// a cluster. They run unchanged so the report says what upstream's would;
// Terminate itself is exercised by TLSRouteTerminateSimpleSameNamespace.

func init() {
	harness = append(harness, struct {
		name string
		run  func(*testing.T)
	}{"GatewayTLSOnXDS", gatewayTLSOnXDS})
}

func gatewayTLSOnXDS(t *testing.T) {
	t.Run("TLSRouteListenerTerminateNotSupported", func(t *testing.T) { runUnchanged(t, "TLSRouteListenerTerminateNotSupported") })
	t.Run("TLSRouteListenerMixedTerminationNotSupported", func(t *testing.T) {
		runUnchanged(t, "TLSRouteListenerMixedTerminationNotSupported")
	})
	t.Run("TLSRouteSimpleSameNamespace", tlsRouteSimpleSameNamespace)
	t.Run("TLSRouteTerminateSimpleSameNamespace", tlsRouteTerminateSimpleSameNamespace)
	t.Run("TLSRouteHostnameIntersection", tlsRouteHostnameIntersection)
	t.Run("TLSRouteInvalidBackendRefNonexistent", func(t *testing.T) {
		tlsRouteInvalidBackendRef(t, "TLSRouteInvalidBackendRefNonexistent", "invalid-backend-ref-nonexistent",
			"gateway-tlsroute-invalid-backend-ref-nonexistent", v1.RouteReasonBackendNotFound)
	})
	t.Run("TLSRouteInvalidBackendRefUnknownKind", func(t *testing.T) {
		tlsRouteInvalidBackendRef(t, "TLSRouteInvalidBackendRefUnknownKind", "invalid-backend-ref-unknown-kind",
			"gateway-tlsroute-invalid-backend-ref-unknown-kind", v1.RouteReasonInvalidKind)
	})
}

// tlsRouteSimpleSameNamespace: the passthrough chain for the route's
// hostname forwards the client's TLS, untouched, to tcp-backend.
func tlsRouteSimpleSameNamespace(t *testing.T) {
	const name = "TLSRouteSimpleSameNamespace"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	routeNN, gwNN := nn(infra, "gateway-conformance-infra-test"), nn(infra, "gateway-tlsroute")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr, hostnames := kubernetes.GatewayAndTLSRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), routeNN)
	if len(hostnames) != 1 {
		t.Fatalf("unexpected error in test configuration, found %d hostnames", len(hostnames))
	}
	expectBackend(t, rt, gwAddr, false, string(hostnames[0]), false, infra, "tcp-backend")
}

// tlsRouteTerminateSimpleSameNamespace: the chain ends TLS with a
// certificate the client (trusting tls-checks-ca-certificate) accepts for
// the route's hostname, and forwards plain bytes to tcp-backend.
func tlsRouteTerminateSimpleSameNamespace(t *testing.T) {
	const name = "TLSRouteTerminateSimpleSameNamespace"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	routeNN, gwNN := nn(infra, "tlsroute-terminated-test"), nn(infra, "gateway-tlsroute-terminate")
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr, hostnames := kubernetes.GatewayAndTLSRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), routeNN)
	if len(hostnames) != 1 {
		t.Fatalf("unexpected error in test configuration, found %d hostnames", len(hostnames))
	}
	sni := string(hostnames[0])
	// GetConfigMapData's read: the harness cluster serves no ConfigMaps.
	ca := caBundle(t, rt, nn(infra, "tls-checks-ca-certificate"))
	expectBackend(t, rt, gwAddr, false, sni, true, infra, "tcp-backend")
	f, err := connect(rt, gwAddr, false, sni)
	if err != nil {
		t.Fatal(err)
	}
	resp := &xdseval.Response{Chain: f.Chain, Certificates: f.Certificates}
	if err := verifyServer(resp, roundtripper.Request{ServerName: sni, ServerCertificate: ca}); err != nil {
		t.Errorf("client handshake: %v", err)
	}
}

// tlsRouteHostnameIntersection: on each Gateway, a name in the
// intersection of listener and route hostnames reaches the route's
// backend, through the chain passing TLS through; any other is refused.
func tlsRouteHostnameIntersection(t *testing.T) {
	const name = "TLSRouteHostnameIntersection"
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	if cert, _, err := kubernetes.GetTLSSecret(s.Client, nn(infra, "tls-checks-certificate")); err != nil || len(cert) == 0 {
		t.Fatalf("missing required server certificate pem for the test: %v", err)
	}
	type reach struct{ sni, backend string }
	cases := []struct {
		gateway  string
		routes   []string
		reach    []reach
		rejected string
	}{
		{"gw-tlsroute-exact-hostname-x-1", []string{"tlsroute-more-specific-wc-hostname-x-1"},
			[]reach{{"abc.example.com", "tls-backend"}}, "non.matching.com"},
		{"gw-tlsroute-more-specific-wc-hostname-x-2", []string{"tlsroute-exact-hostname-x-2", "tlsroute-less-specific-wc-hostname-x-2"},
			[]reach{{"abc.example.com", "tls-backend"}, {"other.example.com", "tls-backend-2"}}, "non.matching.com"},
		{"gw-tlsroute-less-specific-wc-hostname-x-3", []string{"tlsroute-exact-hostname-x-3", "tlsroute-more-specific-wc-hostname-x-3"},
			[]reach{{"abc.example.com", "tls-backend"}, {"other.example.com", "tls-backend-2"}}, "non.matching.com"},
		{"gw-tlsroute-empty-hostname-x-4", []string{"tlsroute-exact-hostname-x-4", "tlsroute-less-specific-wc-hostname-x-4"},
			[]reach{{"abc.example.com", "tls-backend"}, {"other.example.com", "tls-backend-2"}}, "non.matching.org"},
	}
	for _, c := range cases {
		t.Run(c.gateway, func(t *testing.T) {
			gwNN := nn(infra, c.gateway)
			var routes []types.NamespacedName
			for _, r := range c.routes {
				routes = append(routes, nn(infra, r))
			}
			gwAddr, _ := kubernetes.GatewayAndTLSRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), routes...)
			for _, r := range routes {
				kubernetes.TLSRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, r, gwNN)
			}
			for _, r := range c.reach {
				expectBackend(t, rt, gwAddr, false, r.sni, false, infra, r.backend)
			}
			expectRejected(t, rt, gwAddr, c.rejected)
		})
	}
}

// tlsRouteInvalidBackendRef: the route is accepted with ResolvedRefs
// False, and a connection for its hostname is rejected.
func tlsRouteInvalidBackendRef(t *testing.T, name, route, gateway string, reason v1.RouteConditionReason) {
	record(t, name, ranStatus)
	s, rt := l4Suite(t, name)
	routeNN, gwNN := nn(infra, route), nn(infra, gateway)
	kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
	gwAddr, hostnames := kubernetes.GatewayAndTLSRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), routeNN)
	kubernetes.TLSRouteMustHaveCondition(t, s.Client, s.TimeoutConfig, routeNN, gwNN, metav1.Condition{
		Type: string(v1.RouteConditionResolvedRefs), Status: metav1.ConditionFalse, Reason: string(reason),
	})
	expectRejected(t, rt, gwAddr, string(hostnames[0]))
}

func caBundle(t *testing.T, rt *xdsRoundTripper, key types.NamespacedName) []byte {
	t.Helper()
	rt.c.mu.Lock()
	defer rt.c.mu.Unlock()
	for _, cm := range rt.c.res.ConfigMaps {
		if cm.Namespace == key.Namespace && cm.Name == key.Name && cm.Data["ca.crt"] != "" {
			return []byte(cm.Data["ca.crt"])
		}
	}
	t.Fatalf("ca.crt not found in configmap: %s", key)
	return nil
}
