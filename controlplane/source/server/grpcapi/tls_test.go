package grpcapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"

	configv1 "github.com/envoygateway/terraform-provider-envoygateway/api/proto/config/v1"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/source/server"
)

// testCA issues certificates for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

func (ca *testCA) issue(t *testing.T, cn string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestMutualTLS(t *testing.T) {
	ca := newCA(t)
	h := start(t, Options{Token: testToken, TLS: &tls.Config{
		Certificates: []tls.Certificate{ca.issue(t, "server", x509.ExtKeyUsageServerAuth)},
		ClientCAs:    ca.pool, ClientAuth: tls.VerifyClientCertIfGiven,
	}})
	list := &configv1.ListRequest{Type: httpRouteType}

	withCert := dial(t, h.addr, credentials.NewTLS(&tls.Config{
		RootCAs: ca.pool, Certificates: []tls.Certificate{ca.issue(t, "ops", x509.ExtKeyUsageClientAuth)},
	}))
	if _, err := withCert.List(t.Context(), list); err != nil {
		t.Fatalf("verified client certificate, no token: %v", err)
	}

	noCert := dial(t, h.addr, credentials.NewTLS(&tls.Config{RootCAs: ca.pool}))
	_, err := noCert.List(t.Context(), list)
	wantStatus(t, err, codes.Unauthenticated, http.StatusUnauthorized)
	if _, err := noCert.List(authed(t), list); err != nil {
		t.Fatalf("TLS without a client certificate, with the token: %v", err)
	}

	// A certificate from another CA does not get past the handshake.
	other := newCA(t)
	foreign := dial(t, h.addr, credentials.NewTLS(&tls.Config{
		RootCAs: ca.pool, Certificates: []tls.Certificate{other.issue(t, "intruder", x509.ExtKeyUsageClientAuth)},
	}))
	if _, err := foreign.List(authed(t), list); err == nil {
		t.Fatal("a client certificate from an unknown CA was accepted")
	}
}

// A server that only verifies client certificates needs no token.
func TestMutualTLSWithoutToken(t *testing.T) {
	ca := newCA(t)
	h := start(t, Options{TLS: &tls.Config{
		Certificates: []tls.Certificate{ca.issue(t, "server", x509.ExtKeyUsageServerAuth)},
		ClientCAs:    ca.pool, ClientAuth: tls.VerifyClientCertIfGiven,
	}})
	noCert := dial(t, h.addr, credentials.NewTLS(&tls.Config{RootCAs: ca.pool}))
	// No token is configured, so no token can be right.
	_, err := noCert.List(withToken(t.Context(), ""), &configv1.ListRequest{Type: httpRouteType})
	wantStatus(t, err, codes.Unauthenticated, http.StatusUnauthorized)
}

// writePEM stores a certificate (and its key) as the bootstrap config
// names them: PEM files.
func writePEM(t *testing.T, dir, name string, c tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestTLSConfigFromFiles(t *testing.T) {
	ca := newCA(t)
	dir := t.TempDir()
	certFile, keyFile := writePEM(t, dir, "server", ca.issue(t, "server", x509.ExtKeyUsageServerAuth))
	caFile := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := TLSConfig(&server.TLSOptions{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, Options{Token: testToken, TLS: cfg})
	withCert := dial(t, h.addr, credentials.NewTLS(&tls.Config{
		RootCAs: ca.pool, Certificates: []tls.Certificate{ca.issue(t, "ops", x509.ExtKeyUsageClientAuth)},
	}))
	if _, err := withCert.List(t.Context(), &configv1.ListRequest{Type: httpRouteType}); err != nil {
		t.Fatalf("client certificate from the configured CA: %v", err)
	}

	if _, err := TLSConfig(&server.TLSOptions{CertFile: certFile}); err == nil {
		t.Error("a certificate without a key was accepted")
	}
	if _, err := TLSConfig(&server.TLSOptions{CertFile: certFile, KeyFile: keyFile, ClientCAFile: keyFile}); err == nil {
		t.Error("a client CA file without a certificate was accepted")
	}
}
