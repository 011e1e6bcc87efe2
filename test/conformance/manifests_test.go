package conformance_test

import (
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwconformance "sigs.k8s.io/gateway-api/conformance"
	"sigs.k8s.io/gateway-api/conformance/utils/kubernetes"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

const (
	// className replaces the manifests' {GATEWAY_CLASS_NAME}.
	className      = "conformance"
	controllerName = string(resource.DefaultControllerName)
)

// loadManifests decodes the upstream base manifests plus the given test
// manifests, with the placeholders the upstream suite substitutes.
//
// Upstream assumes every Gateway gets its own addresses, so that the many
// Gateways of base/manifests.yaml can all listen on port 80. In this
// control plane all Gateways of a class share one fleet and thus one set of
// addresses; the equivalent set-up is one class per Gateway, so each Gateway
// of the suite's class is given a class (and fleet) of its own.
func loadManifests(t *testing.T, files ...string) *resource.Resources {
	t.Helper()
	all := &resource.Resources{}
	for _, f := range append([]string{"base/manifests.yaml"}, files...) {
		data, err := fs.ReadFile(gwconformance.Manifests, f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		text := strings.NewReplacer("{GATEWAY_CLASS_NAME}", className, "{GATEWAY_CONTROLLER_NAME}", controllerName).Replace(string(data))
		res, _, errs := resource.Decode([]byte(text), f)
		if len(errs) > 0 {
			t.Fatalf("decode %s: %v", f, errs)
		}
		if dups := all.Merge(res); len(dups) > 0 {
			t.Fatalf("%s redefines %v", f, dups)
		}
	}
	secrets, configMaps := programmaticObjects(t)
	all.Secrets = append(all.Secrets, secrets...)
	all.ConfigMaps = append(all.ConfigMaps, configMaps...)
	substituteAddresses(all.Gateways)
	all.Gateways = slices.DeleteFunc(all.Gateways, func(g *gwapiv1.Gateway) bool {
		return excludedGateways[client.ObjectKeyFromObject(g).String()] != ""
	})
	all.GatewayClasses = append(all.GatewayClasses, gatewayClass(className))
	for _, g := range all.Gateways {
		if g.Spec.GatewayClassName == className {
			own := fmt.Sprintf("%s-%s-%s", className, g.Namespace, g.Name)
			g.Spec.GatewayClassName = gwapiv1.ObjectName(own)
			all.GatewayClasses = append(all.GatewayClasses, gatewayClass(own))
		}
	}
	// An API server starts every object at generation 1.
	all.Walk(func(_ resource.Key, o resource.Object) bool {
		if o.GetGeneration() == 0 {
			o.SetGeneration(1)
		}
		return true
	})
	return all
}

// excludedGateways are upstream Gateways this translator cannot accept yet,
// with the reason. Left in, they would fail every upstream check that waits
// for all Gateways of the namespace to be ready.
var excludedGateways = map[string]string{}

func gatewayClass(name string) *gwapiv1.GatewayClass {
	return &gwapiv1.GatewayClass{
		ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1},
		Spec:       gwapiv1.GatewayClassSpec{ControllerName: gwapiv1.GatewayController(controllerName)},
	}
}

// programmaticObjects are the certificate Secrets and CA ConfigMaps the
// upstream suite's Setup creates in code rather than in manifests, made
// with its own helpers.
func programmaticObjects(t *testing.T) ([]*corev1.Secret, []*corev1.ConfigMap) {
	// Made once per test binary, as the upstream suite's Setup makes them
	// once per run: each is an RSA key, and generating them for every
	// suite was most of the harness's CPU time.
	programmatic.once.Do(func() { programmatic.secrets, programmatic.configMaps = makeProgrammaticObjects(t) })
	var secrets []*corev1.Secret
	for _, s := range programmatic.secrets {
		secrets = append(secrets, s.DeepCopy())
	}
	var configMaps []*corev1.ConfigMap
	for _, c := range programmatic.configMaps {
		configMaps = append(configMaps, c.DeepCopy())
	}
	return secrets, configMaps
}

var programmatic struct {
	once       sync.Once
	secrets    []*corev1.Secret
	configMaps []*corev1.ConfigMap
}

func makeProgrammaticObjects(t *testing.T) ([]*corev1.Secret, []*corev1.ConfigMap) {
	caMap, ca, caKey := kubernetes.MustCreateCACertConfigMap(t, infra, "tls-checks-ca-certificate")
	// BackendTLSPolicy tests trust this CA to make validation fail.
	mismatch, _, _ := kubernetes.MustCreateCACertConfigMap(t, infra, "mismatch-ca-certificate")
	// Client certificates: frontend validation trusts these CAs, and a
	// Gateway presents tls-checks-client-certificate to TLS backends.
	webCM, _, _ := kubernetes.MustCreateCACertConfigMap(t, "gateway-conformance-web-backend", "web-backend-cm")
	clientCA, clientCACert, clientCAKey := kubernetes.MustCreateCACertConfigMap(t, infra, "tls-validity-checks-ca-certificate")
	portCA, portCACert, portCAKey := kubernetes.MustCreateCACertConfigMap(t, infra, "tls-validity-checks-per-port-ca-certificate")
	return []*corev1.Secret{
		kubernetes.MustCreateCASignedClientCertSecret(t, infra, "tls-validity-checks-client-certificate", clientCACert, clientCAKey),
		kubernetes.MustCreateCASignedClientCertSecret(t, infra, "tls-validity-checks-per-port-client-certificate", portCACert, portCAKey),
		kubernetes.MustCreateCASignedClientCertSecret(t, infra, "tls-checks-client-certificate", ca, caKey),
		kubernetes.MustCreateSelfSignedCertSecret(t, "gateway-conformance-web-backend", "certificate", []string{"*"}),
		kubernetes.MustCreateSelfSignedCertSecret(t, infra, "tls-validity-checks-certificate", []string{"*", "*.org", "*.wildcard.org"}),
		kubernetes.MustCreateCASignedCertSecret(t, infra, "tls-checks-certificate", []string{"abc.example.com", "other.example.com"}, ca, caKey),
		kubernetes.MustCreateCASignedCertSecret(t, infra, "tls-passthrough-checks-certificate", []string{"abc.example.com"}, ca, caKey),
		kubernetes.MustCreateCASignedCertSecret(t, "gateway-conformance-app-backend", "tls-passthrough-checks-certificate", []string{"abc.example.com"}, ca, caKey),
		kubernetes.MustCreateCASignedCertSecret(t, infra, "tls-terminate-checks-certificate", []string{"tls.example.com"}, ca, caKey),
	}, []*corev1.ConfigMap{caMap, mismatch, webCM, clientCA, portCA}
}

// Static addresses the harness's fleets can and cannot bind, in place of
// the manifests' placeholders (the upstream suite's Usable/Unusable
// NetworkAddresses options).
var (
	usableAddress   = gwapiv1.GatewaySpecAddress{Type: new(gwapiv1.IPAddressType), Value: "192.0.2.10"}
	unusableAddress = gwapiv1.GatewaySpecAddress{Type: new(gwapiv1.IPAddressType), Value: "198.51.100.9"}
	usablePool      = netip.MustParsePrefix("192.0.2.0/24")
)

func substituteAddresses(gws []*gwapiv1.Gateway) {
	for _, g := range gws {
		for i, a := range g.Spec.Addresses {
			switch a.Value {
			case "PLACEHOLDER_USABLE_ADDRS":
				g.Spec.Addresses[i] = usableAddress
			case "PLACEHOLDER_UNUSABLE_ADDRS":
				g.Spec.Addresses[i] = unusableAddress
			}
		}
	}
}

func addressUsable(typ, value string) bool {
	ip, err := netip.ParseAddr(value)
	return typ != string(gwapiv1.IPAddressType) || err == nil && usablePool.Contains(ip)
}
