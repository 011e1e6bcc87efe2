package translator

import (
	"fmt"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// buildListener returns nil for a listener that variant v does not serve:
// proxyless gRPC clients only use HTTP listeners, and a port with nothing
// to forward to is better left closed than open and refusing.
func buildListener(l *ir.Listener, v variant, path string) (*listenerv3.Listener, error) {
	switch l.Protocol {
	case ir.ProtocolHTTP:
	case ir.ProtocolTLS:
		if v == grpcVariant || len(l.FilterChains) == 0 {
			return nil, nil
		}
		return tlsListener(l, path)
	case ir.ProtocolTCP, ir.ProtocolUDP:
		if v == grpcVariant || l.Proxy == nil {
			return nil, nil
		}
		if l.Protocol == ir.ProtocolUDP {
			return udpListener(l, path)
		}
		return tcpListener(l, path)
	default:
		return nil, fieldErr(path+".protocol", "unsupported protocol %q", l.Protocol)
	}
	hcm, err := pack(connectionManager(l.Name, v), path)
	if err != nil {
		return nil, err
	}
	if v == grpcVariant {
		// gRPC clients look the listener up by the name they dial; it has no
		// socket of its own.
		return &listenerv3.Listener{
			Name:        l.Name,
			ApiListener: &listenerv3.ApiListener{ApiListener: hcm},
		}, nil
	}
	chains, err := filterChains(l, hcm, path)
	if err != nil {
		return nil, err
	}
	return &listenerv3.Listener{
		Name:         l.Name,
		Address:      socketAddress(l.Address, l.Port),
		FilterChains: chains,
	}, nil
}

// filterChains is where HTTPS will add one chain per SNI; plain HTTP has a
// single chain that every connection takes.
func filterChains(l *ir.Listener, hcm *anypb.Any, path string) ([]*listenerv3.FilterChain, error) {
	switch l.Protocol {
	case ir.ProtocolHTTP:
		return []*listenerv3.FilterChain{{
			Filters: []*listenerv3.Filter{{
				Name:       wellknown.HTTPConnectionManager,
				ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: hcm},
			}},
		}}, nil
	default:
		return nil, fieldErr(path+".protocol", "unsupported protocol %q", l.Protocol)
	}
}

// connectionManager fetches the RouteConfiguration named like its listener
// (HTTP) or filter chain (HTTPS).
func connectionManager(name string, v variant) *hcmv3.HttpConnectionManager {
	router := mustAny(&routerv3.Router{})
	hcm := &hcmv3.HttpConnectionManager{
		StatPrefix: name,
		RouteSpecifier: &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
			ConfigSource:    adsConfigSource(),
			RouteConfigName: name,
		}},
		HttpFilters: []*hcmv3.HttpFilter{{
			Name:       wellknown.Router,
			ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: router},
		}},
	}
	if v == grpcVariant {
		// gRPC NACKs an api_listener with xff or IP-detection settings, or
		// with filters it does not know, so it gets the minimal form.
		return hcm
	}
	// The CORS filter acts only on routes that carry a CORS policy.
	hcm.HttpFilters = append([]*hcmv3.HttpFilter{{
		Name:       corsFilterName,
		ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: mustAny(&corsv3.Cors{})},
	}}, hcm.HttpFilters...)
	hcm.CodecType = hcmv3.HttpConnectionManager_AUTO
	// An edge proxy: clients connect directly, so their address is the
	// remote address, not a header they could forge.
	hcm.UseRemoteAddress = wrapperspb.Bool(true)
	// Match routes on the normalized path so that "/a/../admin" cannot slip
	// past a PathPrefix "/admin" rule.
	hcm.NormalizePath = wrapperspb.Bool(true)
	hcm.MergeSlashes = true
	// WebSocket upgrades pass through to any route (Gateway API's
	// kubernetes.io/ws backends); a backend that does not speak it answers
	// the upgrade request as a plain request.
	hcm.UpgradeConfigs = []*hcmv3.HttpConnectionManager_UpgradeConfig{{UpgradeType: "websocket"}}
	return hcm
}

func socketAddress(host string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address:       host,
		PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func adsConfigSource() *corev3.ConfigSource {
	return &corev3.ConfigSource{
		ResourceApiVersion:    corev3.ApiVersion_V3,
		ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
	}
}

// pack validates m before wrapping it: ValidateAll on the outer resource does
// not look inside an Any.
func pack(m interface {
	proto.Message
	ValidateAll() error
}, path string) (*anypb.Any, error) {
	if err := m.ValidateAll(); err != nil {
		return nil, fmt.Errorf("%s: invalid %T: %w", path, m, err)
	}
	return anypb.New(m)
}

// mustAny is for messages built from constants only.
func mustAny(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	return a
}
