package translator

import (
	"bytes"
	"encoding/base64"
	"errors"
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

// TestClientCertificateBadInput: TLS settings that would leave a chain or
// a secret unusable are refused, naming the field.
func TestClientCertificateBadInput(t *testing.T) {
	const in = "testdata/gateway-frontend-client-certificate-validation.in.yaml"
	cases := []struct {
		name  string
		edit  func(*ir.Xds)
		field string
	}{
		{"validation names no CA", func(x *ir.Xds) {
			x.Listeners[0].FilterChains[1].Terminate.ClientValidation.TrustedCA = ""
		}, "listeners[0].filterChains[1].terminate.clientValidation.trustedCA"},
		{"CA secret with a key pair", func(x *ir.Xds) {
			x.Secrets[0].Certificate, x.Secrets[0].PrivateKey = x.Secrets[1].Certificate, x.Secrets[1].PrivateKey
		}, "secrets[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := readIR(t, in)
			if x.Secrets[0].TrustedCA == nil || x.Listeners[0].FilterChains[1].Terminate.ClientValidation == nil {
				t.Fatal("testdata changed: secrets[0] must be the CA, filterChains[1] must validate clients")
			}
			if _, err := Translate(x); err != nil {
				t.Fatalf("unedited input fails: %v", err)
			}
			tc.edit(x)
			_, err := Translate(x)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
}
