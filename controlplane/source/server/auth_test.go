package server

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
	"strings"
	"testing"
	"time"

	"log/slog"
)

func newPool(ca []byte) *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(ca)
	return p
}

func TestTokenRequired(t *testing.T) {
	e := startEnv(t, envOptions{})
	e.do("PUT", routePath, routeYAML("web", "/")).must(t, http.StatusCreated)
	for name, h := range map[string]map[string]string{
		"none":       {},
		"wrong":      {"Authorization": "Bearer " + strings.Repeat("A", len(e.srv.Token()))},
		"prefix":     {"Authorization": "Bearer " + e.srv.Token()[:10]},
		"not bearer": {"Authorization": "Basic " + e.srv.Token()},
	} {
		t.Run(name, func(t *testing.T) {
			for _, m := range []string{"GET", "PUT", "DELETE"} {
				r := e.raw(m, routePath, routeYAML("web", "/evil"), h).must(t, http.StatusUnauthorized)
				if r.str("kind") != "Status" || r.str("reason") != "Unauthorized" || r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s answered:\n%s", m, r.raw)
				}
			}
			e.raw("POST", "/apply", routeYAML("web", "/evil"), h).must(t, http.StatusUnauthorized)
			e.raw("GET", "/apis", "", h).must(t, http.StatusUnauthorized)
		})
	}
	if got := e.do("GET", routePath, ""); got.str("spec.rules.0.matches.0.path.value") != "/" {
		t.Errorf("an unauthenticated write got through: %s", got.raw)
	}
}

// The token is generated once, 0600, logged once, and kept across restarts.
func TestTokenFile(t *testing.T) {
	var logs logBuffer
	e := startEnv(t, envOptions{log: slog.New(slog.NewTextHandler(&logs, nil))})
	tok := e.srv.Token()
	path := filepath.Join(e.dir, "api-token")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.TrimSpace(string(data)) != tok || len(tok) < 40 {
		t.Errorf("token file holds %q, server uses %q", data, tok)
	}
	if n := strings.Count(logs.String(), tok); n != 1 {
		t.Errorf("token logged %d times on first start, want 1:\n%s", n, logs.String())
	}
	e.restart()
	if e.srv.Token() != tok {
		t.Error("a restart changed the token")
	}
	if n := strings.Count(logs.String(), tok); n != 1 {
		t.Errorf("token logged again on a later start:\n%s", logs.String())
	}
	e.do("GET", "/apis", "").must(t, http.StatusOK)
}

func TestNoAuthenticationRefused(t *testing.T) {
	_, err := New(Options{DisableToken: true}, nil, testValidator(t), nil, nil, gatewayAPIOptions(), nil)
	if err == nil || !strings.Contains(err.Error(), "without authentication") {
		t.Fatalf("New without any authentication: %v", err)
	}
}

// With a client CA, a verified client certificate authenticates; the
// token still works for clients without one.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t, "test-ca")
	caPEM := pemCert(ca)
	serverCert := issue(t, ca, caKey, "server", true)
	clientCert := issue(t, ca, caKey, "client", false)
	otherCA, otherKey := newCA(t, "other-ca")
	strangerCert := issue(t, otherCA, otherKey, "stranger", false)

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile, keyFile := write("tls.crt", serverCert.certPEM), write("tls.key", serverCert.keyPEM)
	caFile := write("ca.crt", caPEM)

	e := startEnv(t, envOptions{server: Options{TLS: &TLSOptions{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile}}})
	client := clientCert.pair(t)
	e.client = tlsClient(caPEM, &client)
	e.raw("PUT", routePath, routeYAML("web", "/"), nil).must(t, http.StatusCreated)

	e.client = tlsClient(caPEM, nil)
	e.raw("GET", routePath, "", nil).must(t, http.StatusUnauthorized)
	e.do("GET", routePath, "").must(t, http.StatusOK)

	stranger := strangerCert.pair(t)
	e.client = tlsClient(caPEM, &stranger)
	req, _ := http.NewRequest("GET", e.base+routePath, nil)
	if res, err := e.client.Do(req); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a certificate from another CA got %d", res.StatusCode)
		}
	}

	// And without a token, the client CA is the only way in.
	e2 := startEnv(t, envOptions{server: Options{DisableToken: true, TLS: &TLSOptions{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile}}})
	e2.client = tlsClient(caPEM, nil)
	e2.raw("GET", routePath, "", nil).must(t, http.StatusUnauthorized)
	e2.client = tlsClient(caPEM, &client)
	e2.raw("GET", routePath, "", nil).must(t, http.StatusNotFound)
}

type issued struct{ certPEM, keyPEM []byte }

func (i issued) pair(t *testing.T) tls.Certificate {
	c, err := tls.X509KeyPair(i.certPEM, i.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newCA(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, server bool) issued {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return issued{
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	}
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
