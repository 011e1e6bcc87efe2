package translator

import (
	"errors"
	"testing"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// TestUpstreamTLSBadInput: a TLS cluster that could not verify its backend
// is refused, naming the field, instead of being sent half-configured.
func TestUpstreamTLSBadInput(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*ir.UpstreamTLS)
		field string
	}{
		{"both CAs", func(u *ir.UpstreamTLS) { u.SystemCA = true }, "clusters[0].tls"},
		{"no CA", func(u *ir.UpstreamTLS) { u.CACertificate = "" }, "clusters[0].tls"},
		{"no SNI", func(u *ir.UpstreamTLS) { u.SNI = "" }, "clusters[0].tls.sni"},
		{"no SAN", func(u *ir.UpstreamTLS) { u.SubjectAltNames = nil }, "clusters[0].tls.subjectAltNames"},
		{"SAN with both", func(u *ir.UpstreamTLS) { u.SubjectAltNames[1].Hostname = "x.example" }, "clusters[0].tls.subjectAltNames[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := readIR(t, "testdata/backendtls-upstream-tls.in.yaml")
			if x.Clusters[0].TLS == nil || x.Clusters[0].TLS.CACertificate == "" || len(x.Clusters[0].TLS.SubjectAltNames) != 2 {
				t.Fatal("testdata changed: clusters[0] must have a CA bundle and two SANs")
			}
			if _, err := Translate(x); err != nil {
				t.Fatalf("unedited input fails: %v", err)
			}
			tc.edit(x.Clusters[0].TLS)
			_, err := Translate(x)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
}
