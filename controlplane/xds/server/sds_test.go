package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"slices"
	"testing"
	"time"

	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// selfSigned makes a fresh certificate and key for host, PEM encoded.
func selfSigned(t *testing.T, host string) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})
}

func httpsIR(backend *ir.Cluster, cert, key []byte) *ir.Xds {
	return &ir.Xds{
		Fleet: "eg",
		Listeners: []*ir.Listener{{
			Name: "https-8443", Address: "127.0.0.1", Port: 8443, Protocol: ir.ProtocolTLS,
			FilterChains: []*ir.FilterChain{{
				Name:        "https-8443/www.example.com",
				ServerNames: []string{"www.example.com"},
				Terminate:   &ir.TLSTerminate{Certificates: []string{"secret/default/www"}},
				HTTP: &ir.HTTPChain{VirtualHosts: []*ir.VirtualHost{{
					Name: "https-8443/www.example.com/www.example.com", Hostname: "www.example.com",
					Routes: []*ir.Route{route("r", prefix("/"), forward(to(backend, 1)))},
				}}},
			}},
		}},
		Clusters: []*ir.Cluster{backend},
		Secrets:  []*ir.Secret{{Name: "secret/default/www", Certificate: cert, PrivateKey: key}},
	}
}

// TestSDSRotationChangesNoListener: certificates reach Envoy over SDS on
// the ADS stream, and a rotated certificate is pushed as a new Secret
// while the listener, which only names it, is not sent again.
func TestSDSRotationChangesNoListener(t *testing.T) {
	srv, addr := startServer(t)
	backend := ipCluster("web", "10.0.0.1")
	cert1, key1 := selfSigned(t, "www.example.com")
	if err := srv.SetFleet("eg", translate(t, httpsIR(backend, cert1, key1))); err != nil {
		t.Fatal(err)
	}
	c := dialDelta(t, addr)
	c.send(t, &discovery.DeltaDiscoveryRequest{Node: envoyNode("envoy-tls", "eg"), TypeUrl: resource.ListenerType})
	r := c.recv(t)
	if got := deltaNames(r); r.GetTypeUrl() != resource.ListenerType || !slices.Equal(got, []string{"https-8443"}) {
		t.Fatalf("LDS: %s %v", r.GetTypeUrl(), got)
	}
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.ListenerType, ResponseNonce: r.GetNonce()})

	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.SecretType, ResourceNamesSubscribe: []string{"secret/default/www"}})
	r = c.recv(t)
	secret := onlySecret(t, r)
	if !bytes.Equal(secret.GetTlsCertificate().GetCertificateChain().GetInlineBytes(), cert1) ||
		!bytes.Equal(secret.GetTlsCertificate().GetPrivateKey().GetInlineBytes(), key1) {
		t.Fatal("SDS: secret does not hold the first certificate and key")
	}
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.SecretType, ResponseNonce: r.GetNonce()})
	c.expectNone(t, 300*time.Millisecond)

	cert2, key2 := selfSigned(t, "www.example.com")
	if err := srv.SetFleet("eg", translate(t, httpsIR(backend, cert2, key2))); err != nil {
		t.Fatal(err)
	}
	r = c.recv(t)
	secret = onlySecret(t, r)
	if !bytes.Equal(secret.GetTlsCertificate().GetCertificateChain().GetInlineBytes(), cert2) {
		t.Fatal("rotation: the new certificate was not pushed")
	}
	c.send(t, &discovery.DeltaDiscoveryRequest{TypeUrl: resource.SecretType, ResponseNonce: r.GetNonce()})
	// Nothing else changed, so no listener (or anything) follows.
	c.expectNone(t, 500*time.Millisecond)
}

func onlySecret(t *testing.T, r *discovery.DeltaDiscoveryResponse) *tlsv3.Secret {
	t.Helper()
	if r.GetTypeUrl() != resource.SecretType {
		t.Fatalf("got %s, want a secret", r.GetTypeUrl())
	}
	ss := unpack(t, deltaAnys(r), func() *tlsv3.Secret { return &tlsv3.Secret{} })
	if len(ss) != 1 || ss[0].GetName() != "secret/default/www" {
		t.Fatalf("secrets: %d", len(ss))
	}
	return ss[0]
}
