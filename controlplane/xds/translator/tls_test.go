package translator

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// TestPrivateKeyOnlyInSDS: Envoy gets the key (SDS needs it), but the
// human-readable renderings never show it, in plain or base64 form.
func TestPrivateKeyOnlyInSDS(t *testing.T) {
	x := readIR(t, "testdata/tls-listener-sni-chains.in.yaml")
	key := x.Secrets[0].PrivateKey
	rs, err := Translate(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Envoy.Secrets) != 2 || !bytes.Equal(rs.Envoy.Secrets[0].GetTlsCertificate().GetPrivateKey().GetInlineBytes(), key) {
		t.Fatalf("Envoy secrets do not carry the key: %d secrets", len(rs.Envoy.Secrets))
	}
	if len(rs.GRPC.Secrets) != 0 {
		t.Errorf("gRPC variant has %d secrets but no TLS listener", len(rs.GRPC.Secrets))
	}
	out, err := rs.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range [][]byte{key, []byte(base64.StdEncoding.EncodeToString(key)), []byte("PRIVATE KEY")} {
		if bytes.Contains(out, form) {
			t.Errorf("YAML output shows the private key (%.20q...)", form)
		}
	}
	if !bytes.Contains(out, []byte(ir.PrivateKey(key).String())) {
		t.Error("YAML output lacks the key digest that shows a rotation")
	}
	// Redaction must not touch what is served.
	if !bytes.Equal(rs.Envoy.Secrets[0].GetTlsCertificate().GetPrivateKey().GetInlineBytes(), key) {
		t.Error("rendering YAML changed the served secret")
	}
}

// TestCheckSecretsExact: a listener fetching a secret that is not in the
// set, or a secret nobody fetches, makes the set inconsistent.
func TestCheckSecretsExact(t *testing.T) {
	rs, err := Translate(readIR(t, "testdata/tls-listener-sni-chains.in.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Envoy.Check(); err != nil {
		t.Fatalf("consistent set refused: %v", err)
	}
	missing := rs.Envoy
	missing.Secrets = missing.Secrets[1:]
	if err := missing.Check(); err == nil {
		t.Error("a listener's missing secret went unnoticed")
	}
	extra := rs.GRPC
	extra.Secrets = rs.Envoy.Secrets
	if err := extra.Check(); err == nil {
		t.Error("secrets no listener fetches went unnoticed")
	}
}
