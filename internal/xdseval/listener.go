package xdseval

import (
	"fmt"
	"slices"
	"strings"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
)

// selectChain picks the filter chain Envoy would give the connection.
// Envoy matches server_names most specific first: the exact name, then
// wildcard names from the longest suffix down ("*.b.example.com" before
// "*.example.com"; a wildcard never matches its own apex), then chains that
// name no server; see the FilterChainMatch docs,
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/listener/v3/listener_components.proto#config-listener-v3-filterchainmatch.
// The SNI and the transport protocol are only known when the listener runs
// the TLS inspector.
func selectChain(l *listenerv3.Listener, ct *ClientTLS) (*listenerv3.FilterChain, error) {
	fc, err := matchChain(l, ct)
	if err != nil {
		return nil, err
	}
	terminates := fc.GetTransportSocket() != nil
	switch {
	case ct != nil && !terminates:
		return nil, &ConnError{Reason: fmt.Sprintf("chain %q does not terminate TLS", fc.GetName())}
	case ct == nil && terminates:
		return nil, &ConnError{Reason: fmt.Sprintf("chain %q expects a TLS handshake", fc.GetName())}
	}
	return fc, nil
}

// matchChain is the chain the filter_chain_match rules give the
// connection, whether or not it terminates TLS: a chain that passes TLS
// through to a TCP proxy takes a ClientHello it does not answer.
func matchChain(l *listenerv3.Listener, ct *ClientTLS) (*listenerv3.FilterChain, error) {
	inspect := false
	for _, f := range l.GetListenerFilters() {
		if f.GetName() == wellknown.TlsInspector {
			inspect = true
		} else {
			return nil, unsupported("listener %q: listener filter %q", l.GetName(), f.GetName())
		}
	}
	sni, transport := "", ""
	if inspect {
		transport = "raw_buffer"
		if ct != nil {
			sni, transport = strings.ToLower(ct.ServerName), "tls"
		}
	}
	var candidates []*listenerv3.FilterChain
	for _, fc := range l.GetFilterChains() {
		ok, err := transportMatches(l, fc, transport)
		if err != nil {
			return nil, err
		}
		if ok {
			candidates = append(candidates, fc)
		}
	}
	fc := bySNI(candidates, sni)
	if fc == nil {
		fc = l.GetDefaultFilterChain()
	}
	if fc == nil {
		return nil, &ConnError{Reason: fmt.Sprintf("listener %q has no filter chain for server name %q", l.GetName(), sni)}
	}
	return fc, nil
}

func transportMatches(l *listenerv3.Listener, fc *listenerv3.FilterChain, transport string) (bool, error) {
	m := fc.GetFilterChainMatch()
	if m == nil {
		return true, nil
	}
	if m.GetDestinationPort() != nil || len(m.GetPrefixRanges()) > 0 || len(m.GetSourcePrefixRanges()) > 0 ||
		len(m.GetDirectSourcePrefixRanges()) > 0 || len(m.GetSourcePorts()) > 0 || len(m.GetApplicationProtocols()) > 0 ||
		m.GetAddressSuffix() != "" || m.GetSuffixLen() != nil || m.GetSourceType() != listenerv3.FilterChainMatch_ANY {
		return false, unsupported("listener %q chain %q: filter_chain_match beyond server_names and transport_protocol", l.GetName(), fc.GetName())
	}
	return m.GetTransportProtocol() == "" || m.GetTransportProtocol() == transport, nil
}

func bySNI(chains []*listenerv3.FilterChain, sni string) *listenerv3.FilterChain {
	find := func(name string) *listenerv3.FilterChain {
		for _, fc := range chains {
			for _, n := range fc.GetFilterChainMatch().GetServerNames() {
				if strings.EqualFold(n, name) {
					return fc
				}
			}
		}
		return nil
	}
	if sni != "" {
		if fc := find(sni); fc != nil {
			return fc
		}
		for i := strings.IndexByte(sni, '.'); i >= 0; {
			if fc := find("*" + sni[i:]); fc != nil {
				return fc
			}
			next := strings.IndexByte(sni[i+1:], '.')
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	for _, fc := range chains {
		if len(fc.GetFilterChainMatch().GetServerNames()) == 0 {
			return fc
		}
	}
	return nil
}

// httpConnectionManager is the chain's only network filter; a chain that
// does anything else (tcp_proxy) does not speak HTTP.
func httpConnectionManager(fc *listenerv3.FilterChain) (*hcmv3.HttpConnectionManager, error) {
	fs := fc.GetFilters()
	if len(fs) != 1 || fs[0].GetName() != wellknown.HTTPConnectionManager {
		return nil, unsupported("chain %q: only a lone http_connection_manager is evaluated", fc.GetName())
	}
	hcm := &hcmv3.HttpConnectionManager{}
	if err := fs[0].GetTypedConfig().UnmarshalTo(hcm); err != nil {
		return nil, fmt.Errorf("chain %q: %w", fc.GetName(), err)
	}
	for _, f := range hcm.GetHttpFilters() {
		switch f.GetName() {
		case wellknown.Router, wellknown.CORS:
		default:
			return nil, unsupported("chain %q: http filter %q", fc.GetName(), f.GetName())
		}
	}
	return hcm, nil
}

func (p *Proxy) routeConfig(hcm *hcmv3.HttpConnectionManager) (*routev3.RouteConfiguration, error) {
	if rc := hcm.GetRouteConfig(); rc != nil {
		return rc, nil
	}
	name := hcm.GetRds().GetRouteConfigName()
	rc := p.routes[name]
	if rc == nil {
		// Envoy holds the listener's requests until RDS delivers it; a
		// missing name is an incomplete configuration, not a 404.
		return nil, fmt.Errorf("route configuration %q was not delivered", name)
	}
	return rc, nil
}

// handshake is the server side of the TLS handshake: the certificates the
// chain presents (its SDS secrets; without them no handshake completes)
// and the ALPN protocol, the first of the chain's alpn_protocols the
// client offers (server preference, as Envoy configures BoringSSL).
func (p *Proxy) handshake(fc *listenerv3.FilterChain, ct *ClientTLS) ([]*tlsv3.Secret, string, error) {
	ctx := &tlsv3.DownstreamTlsContext{}
	if err := fc.GetTransportSocket().GetTypedConfig().UnmarshalTo(ctx); err != nil {
		return nil, "", fmt.Errorf("chain %q transport socket: %w", fc.GetName(), err)
	}
	if ctx.GetRequireClientCertificate().GetValue() || ctx.GetCommonTlsContext().GetValidationContextType() != nil {
		return nil, "", unsupported("chain %q: client certificates", fc.GetName())
	}
	var out []*tlsv3.Secret
	for _, c := range ctx.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs() {
		s := p.secrets[c.GetName()]
		if s == nil {
			return nil, "", &ConnError{Reason: fmt.Sprintf("chain %q: secret %q was not delivered", fc.GetName(), c.GetName())}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, "", unsupported("chain %q: certificates other than SDS", fc.GetName())
	}
	for _, proto := range ctx.GetCommonTlsContext().GetAlpnProtocols() {
		if slices.Contains(ct.ALPN, proto) {
			return out, proto, nil
		}
	}
	return out, "", nil
}
