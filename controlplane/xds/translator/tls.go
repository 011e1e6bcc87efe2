package translator

import (
	"fmt"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsinspectorv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/listener/tls_inspector/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"

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
	a, err := pack(ctx, path)
	if err != nil {
		return nil, err
	}
	return &corev3.TransportSocket{Name: wellknown.TransportSocketTLS, ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: a}}, nil
}

// buildSecret renders an IR secret for SDS.
func buildSecret(s *ir.Secret, path string) (*tlsv3.Secret, error) {
	if len(s.Certificate) == 0 || len(s.PrivateKey) == 0 {
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

// sdsNames are the secrets a listener's chains fetch.
func sdsNames(l *listenerv3.Listener) ([]string, error) {
	var out []string
	for _, fc := range l.GetFilterChains() {
		ts := fc.GetTransportSocket().GetTypedConfig()
		if ts == nil || !ts.MessageIs(&tlsv3.DownstreamTlsContext{}) {
			continue
		}
		ctx := &tlsv3.DownstreamTlsContext{}
		if err := ts.UnmarshalTo(ctx); err != nil {
			return nil, err
		}
		for _, c := range ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs() {
			out = append(out, c.GetName())
		}
	}
	return out, nil
}
