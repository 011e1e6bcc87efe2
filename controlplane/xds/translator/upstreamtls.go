package translator

import (
	"fmt"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// setUpstreamTLS makes Envoy open TLS to the cluster's endpoints and verify
// them against the trusted CA and the subject alt names, presenting the
// Gateway's client certificate when it has one.
func setUpstreamTLS(cl *clusterv3.Cluster, c *ir.Cluster, path string) error {
	if c.TLS == nil {
		return nil
	}
	t, path := c.TLS, path+".tls"
	if t.SNI == "" {
		return fieldErr(path+".sni", "must not be empty")
	}
	vc := &tlsv3.CertificateValidationContext{}
	switch {
	case t.CACertificate != "" && !t.SystemCA:
		vc.TrustedCa = &corev3.DataSource{Specifier: &corev3.DataSource_InlineString{InlineString: t.CACertificate}}
	case t.CACertificate == "" && t.SystemCA:
		vc.SystemRootCerts = &tlsv3.CertificateValidationContext_SystemRootCerts{}
	default:
		return fieldErr(path, "exactly one of caCertificate and systemCA must be set")
	}
	if len(t.SubjectAltNames) == 0 {
		// Without a name to check, any certificate the CA signed would do.
		return fieldErr(path+".subjectAltNames", "at least one is needed")
	}
	for i, san := range t.SubjectAltNames {
		m, err := sanMatcher(san, fmt.Sprintf("%s.subjectAltNames[%d]", path, i))
		if err != nil {
			return err
		}
		vc.MatchTypedSubjectAltNames = append(vc.MatchTypedSubjectAltNames, m)
	}
	ctx := &tlsv3.UpstreamTlsContext{
		Sni: t.SNI,
		CommonTlsContext: &tlsv3.CommonTlsContext{
			ValidationContextType: &tlsv3.CommonTlsContext_ValidationContext{ValidationContext: vc},
		},
	}
	if t.ClientCertificate != "" {
		// Fetched over SDS like listener certificates: the key never
		// sits in a Cluster, and a rotation changes no cluster.
		ctx.CommonTlsContext.TlsCertificateSdsSecretConfigs = []*tlsv3.SdsSecretConfig{{Name: t.ClientCertificate, SdsConfig: adsConfigSource()}}
	}
	if c.Protocol == ir.UpstreamHTTP2 {
		// Over TLS, HTTP/2 is agreed by ALPN; a backend that is offered
		// nothing may fall back to HTTP/1.1 and fail the gRPC call.
		ctx.CommonTlsContext.AlpnProtocols = []string{"h2"}
	}
	a, err := pack(ctx, path)
	if err != nil {
		return err
	}
	cl.TransportSocket = &corev3.TransportSocket{Name: wellknown.TransportSocketTLS, ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: a}}
	return nil
}

func sanMatcher(san ir.SubjectAltName, path string) (*tlsv3.SubjectAltNameMatcher, error) {
	exact := func(s string) *matcherv3.StringMatcher {
		return &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: s}}
	}
	switch {
	case san.Hostname != "" && san.URI == "":
		// Envoy's DNS SAN matching lets a wildcard certificate match an
		// exact name, as TLS clients do.
		return &tlsv3.SubjectAltNameMatcher{SanType: tlsv3.SubjectAltNameMatcher_DNS, Matcher: exact(san.Hostname)}, nil
	case san.URI != "" && san.Hostname == "":
		return &tlsv3.SubjectAltNameMatcher{SanType: tlsv3.SubjectAltNameMatcher_URI, Matcher: exact(san.URI)}, nil
	}
	return nil, fieldErr(path, "exactly one of hostname and uri must be set")
}
