package translator

import (
	"fmt"
	"slices"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsinspectorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// tlsListener renders a TLS port: the TLS inspector reads SNI from the
// ClientHello, and each chain matches its server names. Certificates are
// named, not inlined: Envoy fetches them over SDS on the same ADS stream,
// so a rotated certificate changes a Secret and no listener.
func tlsListener(l *ir.Listener, path string) (*listenerv3.Listener, error) {
	lis := &listenerv3.Listener{
		Name:    l.Name,
		Address: socketAddress(l.Address, l.Port),
		ListenerFilters: []*listenerv3.ListenerFilter{{
			Name:       wellknown.TlsInspector,
			ConfigType: &listenerv3.ListenerFilter_TypedConfig{TypedConfig: mustAny(&tlsinspectorv3.TlsInspector{})},
		}},
	}
	for i, fc := range l.FilterChains {
		chain, err := filterChain(fc, fmt.Sprintf("%s.filterChains[%d]", path, i))
		if err != nil {
			return nil, err
		}
		lis.FilterChains = append(lis.FilterChains, chain)
	}
	return lis, nil
}

func filterChain(fc *ir.FilterChain, path string) (*listenerv3.FilterChain, error) {
	out := &listenerv3.FilterChain{Name: fc.Name}
	if len(fc.ServerNames) > 0 {
		out.FilterChainMatch = &listenerv3.FilterChainMatch{ServerNames: fc.ServerNames}
	}
	var filter *listenerv3.Filter
	var alpn []string
	switch {
	case fc.HTTP != nil && fc.Proxy == nil:
		hcm, err := pack(connectionManager(fc.Name, envoyVariant), path+".http")
		if err != nil {
			return nil, err
		}
		filter = &listenerv3.Filter{Name: wellknown.HTTPConnectionManager, ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: hcm}}
		alpn = []string{"h2", "http/1.1"}
	case fc.Proxy != nil && fc.HTTP == nil:
		tcp, err := tcpProxyFilter(fc.Name, fc.Proxy, path+".proxy")
		if err != nil {
			return nil, err
		}
		filter = tcp
	default:
		return nil, fieldErr(path, "exactly one of http and proxy must be set")
	}
	out.Filters = []*listenerv3.Filter{filter}
	if fc.Terminate != nil {
		ts, err := downstreamTLS(fc.Terminate, alpn, path+".terminate")
		if err != nil {
			return nil, err
		}
		out.TransportSocket = ts
	}
	return out, nil
}

func downstreamTLS(t *ir.TLSTerminate, alpn []string, path string) (*corev3.TransportSocket, error) {
	if len(t.Certificates) == 0 {
		return nil, fieldErr(path+".certificates", "at least one certificate is needed to terminate TLS")
	}
	ctx := &tlsv3.DownstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{AlpnProtocols: alpn}}
	for _, name := range t.Certificates {
		ctx.CommonTlsContext.TlsCertificateSdsSecretConfigs = append(ctx.CommonTlsContext.TlsCertificateSdsSecretConfigs,
			&tlsv3.SdsSecretConfig{Name: name, SdsConfig: adsConfigSource()})
	}
	if err := setClientValidation(ctx, t.ClientValidation, path+".clientValidation"); err != nil {
		return nil, err
	}
	a, err := pack(ctx, path)
	if err != nil {
		return nil, err
	}
	return &corev3.TransportSocket{Name: wellknown.TransportSocketTLS, ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: a}}, nil
}

// setClientValidation asks clients for a certificate that chains to the
// CA bundle fetched over SDS. Required: a handshake without a valid one
// fails. Optional: the handshake succeeds whatever the client sends
// (ACCEPT_UNTRUSTED), and the backend decides, as AllowInsecureFallback
// says; the CA still lets Envoy tell verified peers apart.
func setClientValidation(ctx *tlsv3.DownstreamTlsContext, cv *ir.ClientValidation, path string) error {
	if cv == nil {
		return nil
	}
	if cv.TrustedCA == "" {
		return fieldErr(path+".trustedCA", "must name a secret")
	}
	sds := &tlsv3.SdsSecretConfig{Name: cv.TrustedCA, SdsConfig: adsConfigSource()}
	if !cv.Optional {
		ctx.RequireClientCertificate = wrapperspb.Bool(true)
		ctx.CommonTlsContext.ValidationContextType = &tlsv3.CommonTlsContext_ValidationContextSdsSecretConfig{ValidationContextSdsSecretConfig: sds}
		return nil
	}
	ctx.RequireClientCertificate = wrapperspb.Bool(false)
	ctx.CommonTlsContext.ValidationContextType = &tlsv3.CommonTlsContext_CombinedValidationContext{
		CombinedValidationContext: &tlsv3.CommonTlsContext_CombinedCertificateValidationContext{
			DefaultValidationContext: &tlsv3.CertificateValidationContext{
				TrustChainVerification: tlsv3.CertificateValidationContext_ACCEPT_UNTRUSTED,
			},
			ValidationContextSdsSecretConfig: sds,
		},
	}
	return nil
}

// buildSecret renders an IR secret for SDS: a certificate and key, or a
// trusted CA bundle (a validation context).
func buildSecret(s *ir.Secret, path string) (*tlsv3.Secret, error) {
	keyPair := len(s.Certificate) > 0 || len(s.PrivateKey) > 0
	switch {
	case len(s.TrustedCA) > 0 && !keyPair:
		return &tlsv3.Secret{
			Name: s.Name,
			Type: &tlsv3.Secret_ValidationContext{ValidationContext: &tlsv3.CertificateValidationContext{
				TrustedCa: &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: s.TrustedCA}},
			}},
		}, nil
	case len(s.TrustedCA) > 0:
		return nil, fieldErr(path, "a trusted CA bundle and a key pair are exclusive")
	case len(s.Certificate) == 0 || len(s.PrivateKey) == 0:
		return nil, fieldErr(path, "a certificate and a private key are needed")
	}
	return &tlsv3.Secret{
		Name: s.Name,
		Type: &tlsv3.Secret_TlsCertificate{TlsCertificate: &tlsv3.TlsCertificate{
			CertificateChain: &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: s.Certificate}},
			PrivateKey:       &corev3.DataSource{Specifier: &corev3.DataSource_InlineBytes{InlineBytes: s.PrivateKey}},
		}},
	}, nil
}

// fetchedSecrets are the secrets the resources fetch: listeners' certificates
// and client CAs, and clusters' client certificates.
func (r *Resources) fetchedSecrets() ([]string, error) {
	var out []string
	for _, l := range r.Listeners {
		names, err := sdsNames(l)
		if err != nil {
			return nil, fmt.Errorf("listener %q: %w", l.GetName(), err)
		}
		out = append(out, names...)
	}
	for _, c := range r.Clusters {
		ctx, err := unpackTLS(c.GetTransportSocket(), &tlsv3.UpstreamTlsContext{})
		if err != nil {
			return nil, fmt.Errorf("cluster %q: %w", c.GetName(), err)
		}
		out = append(out, commonSDSNames(ctx.GetCommonTlsContext())...)
	}
	return out, nil
}

// sdsNames are the secrets a listener's chains fetch.
func sdsNames(l *listenerv3.Listener) ([]string, error) {
	var out []string
	for _, fc := range l.GetFilterChains() {
		ctx, err := unpackTLS(fc.GetTransportSocket(), &tlsv3.DownstreamTlsContext{})
		if err != nil {
			return nil, err
		}
		out = append(out, commonSDSNames(ctx.GetCommonTlsContext())...)
	}
	return out, nil
}

// unpackTLS returns into filled from ts, or into empty when ts carries
// another kind of socket or none.
func unpackTLS[T proto.Message](ts *corev3.TransportSocket, into T) (T, error) {
	a := ts.GetTypedConfig()
	if a == nil || !a.MessageIs(into) {
		return into, nil
	}
	return into, a.UnmarshalTo(into)
}

func commonSDSNames(c *tlsv3.CommonTlsContext) []string {
	var out []string
	for _, s := range c.GetTlsCertificateSdsSecretConfigs() {
		out = append(out, s.GetName())
	}
	if n := c.GetValidationContextSdsSecretConfig().GetName(); n != "" {
		out = append(out, n)
	}
	if n := c.GetCombinedValidationContext().GetValidationContextSdsSecretConfig().GetName(); n != "" {
		out = append(out, n)
	}
	return out
}

// FetchedSecrets returns the secrets r's listeners and clusters fetch,
// sorted by name, taken from pools in order: for a set put together from
// two others (a make-before-break phase holding old and new clusters),
// whose secrets are neither set's alone. A name in no pool is an error.
func (r *Resources) FetchedSecrets(pools ...[]*tlsv3.Secret) ([]*tlsv3.Secret, error) {
	names, err := r.fetchedSecrets()
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	names = slices.Compact(names)
	out := make([]*tlsv3.Secret, 0, len(names))
	for _, n := range names {
		var found *tlsv3.Secret
		for _, pool := range pools {
			if i := slices.IndexFunc(pool, func(s *tlsv3.Secret) bool { return s.GetName() == n }); i >= 0 {
				found = pool[i]
				break
			}
		}
		if found == nil {
			return nil, fmt.Errorf("secret %q is fetched but in no set", n)
		}
		out = append(out, found)
	}
	return out, nil
}
