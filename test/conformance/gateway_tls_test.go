package conformance_test

import (
	"crypto/x509"
	"encoding/pem"
	"slices"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/xds/translator"
)

func init() {
	harness = append(harness,
		struct {
			name string
			run  func(*testing.T)
		}{"GatewayFrontendClientCertificates", gatewayFrontendClientCertificates},
		struct {
			name string
			run  func(*testing.T)
		}{"GatewayBackendClientCertificates", gatewayBackendClientCertificates},
	)
}

// gatewayFrontendClientCertificates covers Gateway spec.tls.frontend.
// Where the upstream tests send TLS requests with and without client
// certificates, this checks what decides their outcome in the xDS the
// fleet is served: whether the chain requires a certificate, and which
// of the suite's client certificates its trusted CA (fetched over SDS)
// accepts.
func gatewayFrontendClientCertificates(t *testing.T) {
	t.Run("GatewayInvalidFrontendClientCertificateValidation", func(t *testing.T) {
		record(t, "GatewayInvalidFrontendClientCertificateValidation", ranWhole)
		ct := upstream(t, "GatewayInvalidFrontendClientCertificateValidation")
		ct.Test(t, newSuite(t, ct))
	})
	t.Run("GatewayFrontendClientCertificateValidation", func(t *testing.T) {
		const name = "GatewayFrontendClientCertificateValidation"
		record(t, name, ranStatus)
		s := newSuite(t, upstream(t, name))
		gwNN := nn(infra, "client-validation-default")
		routesAcceptedAndResolved(t, s, gwNN, "client-certificate-validation-https-test", "client-certificate-validation-https-test-no-hostname")
		rs := fleetXDS(t, s, gwNN)
		onPort := verifiedClients(t, s, rs, 443, "example.org")
		wantClients(t, s, 443, onPort, true, "tls-validity-checks-client-certificate")
		onPort = verifiedClients(t, s, rs, 8443, "second-example.org")
		wantClients(t, s, 8443, onPort, true, "tls-validity-checks-per-port-client-certificate")
	})
	t.Run("GatewayFrontendClientCertificateValidationInsecureFallback", func(t *testing.T) {
		const name = "GatewayFrontendClientCertificateValidationInsecureFallback"
		record(t, name, ranStatus)
		s := newSuite(t, upstream(t, name))
		gwNN := nn(infra, "client-validation-insecure-fallback")
		routesAcceptedAndResolved(t, s, gwNN, "client-cert-validation-insecure-fallback-test", "client-cert-validation-insecure-fallback-test-no-hostname")
		kubernetes.GatewayMustHaveCondition(t, s.Client, s.TimeoutConfig, gwNN, metav1.Condition{
			Type:   string(gwapiv1.GatewayConditionInsecureFrontendValidationMode),
			Reason: string(gwapiv1.GatewayReasonConfigurationChanged),
			Status: metav1.ConditionTrue,
		})
		rs := fleetXDS(t, s, gwNN)
		wantClients(t, s, 443, verifiedClients(t, s, rs, 443, "example.org"), false, "tls-validity-checks-client-certificate")
		wantClients(t, s, 8443, verifiedClients(t, s, rs, 8443, "second-example.org"), false, "tls-validity-checks-per-port-client-certificate")
	})
	t.Run("GatewayFrontendInvalidDefaultClientCertificateValidation", func(t *testing.T) {
		const name = "GatewayFrontendInvalidDefaultClientCertificateValidation"
		record(t, name, ranStatus)
		s := newSuite(t, upstream(t, name))
		gwNN := nn(infra, "invalid-default-client-validation-config")
		if _, err := kubernetes.WaitForGatewayAddress(t, s.Client, s.TimeoutConfig, kubernetes.NewGatewayRef(gwNN)); err != nil {
			t.Fatal(err)
		}
		kubernetes.GatewayListenerMustHaveConditions(t, s.Client, s.TimeoutConfig, gwNN, "http", []metav1.Condition{
			{Type: string(gwapiv1.ListenerConditionResolvedRefs), Status: metav1.ConditionTrue},
			{Type: string(gwapiv1.ListenerConditionAccepted), Status: metav1.ConditionTrue},
			{Type: string(gwapiv1.ListenerConditionProgrammed), Status: metav1.ConditionTrue},
		})
		kubernetes.GatewayListenerMustHaveConditions(t, s.Client, s.TimeoutConfig, gwNN, "https", []metav1.Condition{
			{Type: string(gwapiv1.ListenerConditionResolvedRefs), Status: metav1.ConditionFalse, Reason: string(gwapiv1.ListenerReasonInvalidCACertificateRef)},
			{Type: string(gwapiv1.ListenerConditionAccepted), Status: metav1.ConditionFalse, Reason: string(gwapiv1.ListenerReasonNoValidCACertificate)},
			{Type: string(gwapiv1.ListenerConditionProgrammed), Status: metav1.ConditionFalse},
		})
		// The upstream test expects HTTP on 80 to work and TLS on 443 to
		// fail: the fleet serves port 80 and nothing on 443.
		rs := fleetXDS(t, s, gwNN)
		if listenerOn(rs, 80) == nil {
			t.Error("no listener on port 80")
		}
		if l := listenerOn(rs, 443); l != nil {
			t.Errorf("listener %q on port 443 serves a listener whose client validation has no valid CA", l.GetName())
		}
	})
}

// gatewayBackendClientCertificates covers Gateway spec.tls.backend.
func gatewayBackendClientCertificates(t *testing.T) {
	t.Run("GatewayInvalidTLSBackendConfiguration", func(t *testing.T) {
		record(t, "GatewayInvalidTLSBackendConfiguration", ranWhole)
		ct := upstream(t, "GatewayInvalidTLSBackendConfiguration")
		ct.Test(t, newSuite(t, ct))
	})
	t.Run("GatewayTLSBackendClientCertificate", func(t *testing.T) {
		const name = "GatewayTLSBackendClientCertificate"
		record(t, name, ranStatus)
		s := newSuite(t, upstream(t, name))
		gwNN := nn(infra, "gateway-tls-backend-client-certificate")
		routeNN := nn(infra, "gateway-tls-backend-client-certificate")
		kubernetes.NamespacesMustBeReady(t, s.Client, s.TimeoutConfig, []string{infra})
		kubernetes.GatewayAndRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), &gwapiv1.HTTPRoute{}, false, routeNN)
		kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, routeNN, gwNN)
		kubernetes.BackendTLSPolicyMustHaveAcceptedConditionTrue(t, s.Client, s.TimeoutConfig, nn(infra, "gateway-tls-backend-client-certificate-test"), gwNN)
		kubernetes.GatewayMustHaveCondition(t, s.Client, s.TimeoutConfig, gwNN, metav1.Condition{
			Type:   string(gwapiv1.GatewayConditionResolvedRefs),
			Status: metav1.ConditionTrue,
			Reason: string(gwapiv1.GatewayReasonResolvedRefs),
		})
		// The upstream request succeeds when the backend, which trusts
		// tls-checks-ca-certificate for clients, sees the Gateway's
		// certificate: the cluster the route uses must present it.
		rs := fleetXDS(t, s, gwNN)
		cl := clusterFor(t, rs, "abc.example.com")
		ctx := &tlsv3.UpstreamTlsContext{}
		if err := cl.GetTransportSocket().GetTypedConfig().UnmarshalTo(ctx); err != nil {
			t.Fatalf("cluster %q has no UpstreamTlsContext: %v", cl.GetName(), err)
		}
		if ctx.GetSni() != "abc.example.com" {
			t.Errorf("cluster %q SNI = %q, want abc.example.com", cl.GetName(), ctx.GetSni())
		}
		sds := ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs()
		if len(sds) != 1 {
			t.Fatalf("cluster %q presents %d certificates, want 1", cl.GetName(), len(sds))
		}
		chain := secretNamed(t, rs, sds[0].GetName()).GetTlsCertificate().GetCertificateChain().GetInlineBytes()
		want := secretData(t, s, nn(infra, "tls-checks-client-certificate"), corev1.TLSCertKey)
		if string(chain) != string(want) {
			t.Errorf("cluster %q presents secret %q, which is not tls-checks-client-certificate", cl.GetName(), sds[0].GetName())
		}
		if !verifies(t, configMapCA(t, s, nn(infra, "tls-checks-ca-certificate")), chain) {
			t.Error("the presented certificate does not chain to the CA the backend trusts")
		}
	})
}

func routesAcceptedAndResolved(t *testing.T, s *suite.ConformanceTestSuite, gwNN types.NamespacedName, routes ...string) {
	t.Helper()
	var nns []types.NamespacedName
	for _, r := range routes {
		nns = append(nns, nn(infra, r))
	}
	kubernetes.GatewayAndRoutesMustBeAccepted(t, s.Client, s.TimeoutConfig, s.ControllerName, kubernetes.NewGatewayRef(gwNN), &gwapiv1.HTTPRoute{}, false, nns...)
	for _, r := range nns {
		kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue(t, s.Client, s.TimeoutConfig, r, gwNN)
	}
}

// fleetXDS translates the suite's objects as the control plane does and
// renders the Gateway's fleet.
func fleetXDS(t *testing.T, s *suite.ConformanceTestSuite, gwNN types.NamespacedName) *translator.ResourceSet {
	t.Helper()
	c := s.Client.(*cluster)
	c.mu.Lock()
	out := gatewayapi.Translate(c.res, c.opts)
	c.mu.Unlock()
	var class string
	for _, g := range out.Gateways {
		if g.Namespace == gwNN.Namespace && g.Name == gwNN.Name {
			class = string(g.Spec.GatewayClassName)
		}
	}
	x := out.IR[class]
	if x == nil {
		t.Fatalf("no fleet for Gateway %s", gwNN)
	}
	rs, err := translator.Translate(x)
	if err != nil {
		t.Fatalf("xDS of fleet %s: %v", class, err)
	}
	return rs
}

func listenerOn(rs *translator.ResourceSet, port uint32) *listenerv3.Listener {
	for _, l := range rs.Envoy.Listeners {
		if l.GetAddress().GetSocketAddress().GetPortValue() == port {
			return l
		}
	}
	return nil
}

// chainFor is the filter chain of the listener on port that a ClientHello
// with sni selects: one naming it, else one naming no server.
func chainFor(t *testing.T, rs *translator.ResourceSet, port uint32, sni string) *listenerv3.FilterChain {
	t.Helper()
	l := listenerOn(rs, port)
	if l == nil {
		t.Fatalf("no listener on port %d", port)
	}
	var fallback *listenerv3.FilterChain
	for _, fc := range l.GetFilterChains() {
		names := fc.GetFilterChainMatch().GetServerNames()
		if slices.Contains(names, sni) {
			return fc
		}
		if len(names) == 0 {
			fallback = fc
		}
	}
	if fallback == nil {
		t.Fatalf("no chain on port %d for SNI %q", port, sni)
	}
	return fallback
}

// clientValidation is what the chain does with client certificates: the
// CA bundle it trusts (through SDS) and whether it lets clients in
// without a certificate it can verify.
type clientValidation struct {
	ca       []byte
	required bool
}

func verifiedClients(t *testing.T, s *suite.ConformanceTestSuite, rs *translator.ResourceSet, port uint32, sni string) clientValidation {
	t.Helper()
	fc := chainFor(t, rs, port, sni)
	ctx := &tlsv3.DownstreamTlsContext{}
	if err := fc.GetTransportSocket().GetTypedConfig().UnmarshalTo(ctx); err != nil {
		t.Fatalf("port %d chain %q: no DownstreamTlsContext: %v", port, fc.GetName(), err)
	}
	common := ctx.GetCommonTlsContext()
	out := clientValidation{required: ctx.GetRequireClientCertificate().GetValue()}
	name := common.GetValidationContextSdsSecretConfig().GetName()
	if combined := common.GetCombinedValidationContext(); combined != nil {
		name = combined.GetValidationContextSdsSecretConfig().GetName()
		untrusted := combined.GetDefaultValidationContext().GetTrustChainVerification() == tlsv3.CertificateValidationContext_ACCEPT_UNTRUSTED
		out.required = out.required || !untrusted
	}
	if name == "" {
		t.Fatalf("port %d chain %q validates no client certificate", port, fc.GetName())
	}
	out.ca = secretNamed(t, rs, name).GetValidationContext().GetTrustedCa().GetInlineBytes()
	return out
}

// wantClients checks the chain on port against the suite's two client
// certificates: trusted verifies and the other does not (the upstream
// test's success and failure requests), and a certificate is required
// unless the chain falls back to letting any client in.
func wantClients(t *testing.T, s *suite.ConformanceTestSuite, port uint32, cv clientValidation, required bool, trusted string) {
	t.Helper()
	if cv.required != required {
		t.Errorf("port %d: client certificate required = %v, want %v", port, cv.required, required)
	}
	for _, name := range []string{"tls-validity-checks-client-certificate", "tls-validity-checks-per-port-client-certificate"} {
		got := verifies(t, cv.ca, secretData(t, s, nn(infra, name), corev1.TLSCertKey))
		if want := name == trusted; got != want {
			t.Errorf("port %d: client certificate %s verifies = %v, want %v", port, name, got, want)
		}
	}
}

func secretNamed(t *testing.T, rs *translator.ResourceSet, name string) *tlsv3.Secret {
	t.Helper()
	for _, s := range rs.Envoy.Secrets {
		if s.GetName() == name {
			return s
		}
	}
	t.Fatalf("no secret %q served", name)
	return nil
}

func secretData(t *testing.T, s *suite.ConformanceTestSuite, key types.NamespacedName, dataKey string) []byte {
	t.Helper()
	c := s.Client.(*cluster)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sec := range c.res.Secrets {
		if sec.Namespace == key.Namespace && sec.Name == key.Name {
			v, _ := resource.SecretValue(sec, dataKey)
			return v
		}
	}
	t.Fatalf("no Secret %s", key)
	return nil
}

func configMapCA(t *testing.T, s *suite.ConformanceTestSuite, key types.NamespacedName) []byte {
	t.Helper()
	c := s.Client.(*cluster)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cm := range c.res.ConfigMaps {
		if cm.Namespace == key.Namespace && cm.Name == key.Name {
			return []byte(cm.Data["ca.crt"])
		}
	}
	t.Fatalf("no ConfigMap %s", key)
	return nil
}

// verifies says whether the PEM certificate certPEM chains to caPEM as a
// client certificate, as the TLS handshake would check it.
func verifies(t *testing.T, caPEM, certPEM []byte) bool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA bundle holds no certificate")
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return err == nil
}

// clusterFor is the cluster the first route of the virtual host for
// domain sends to.
func clusterFor(t *testing.T, rs *translator.ResourceSet, domain string) *clusterv3.Cluster {
	t.Helper()
	for _, rc := range rs.Envoy.Routes {
		for _, vh := range rc.GetVirtualHosts() {
			if !slices.Contains(vh.GetDomains(), domain) || len(vh.GetRoutes()) == 0 {
				continue
			}
			ra := vh.GetRoutes()[0].GetRoute()
			name := ra.GetCluster()
			if wc := ra.GetWeightedClusters().GetClusters(); name == "" && len(wc) > 0 {
				name = wc[0].GetName()
			}
			for _, cl := range rs.Envoy.Clusters {
				if cl.GetName() == name {
					return cl
				}
			}
			t.Fatalf("route for %s sends to cluster %q, which is not served", domain, name)
		}
	}
	t.Fatalf("no virtual host for %s", domain)
	return nil
}
