package gatewayapi

import (
	"cmp"
	"slices"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// misdirectedStatus is what an HTTPS chain answers for a Host that the
// client's SNI would not have led to it (RFC 9110, 421 Misdirected Request).
const misdirectedStatus = 421

// filterChains renders a TLS port: one chain per HTTPS listener, keyed by
// its hostname as SNI, then the chains of TLS listeners' routes. A server
// name goes to the first chain that claims it, HTTPS listeners first, so
// the proxy never sees two chains with one SNI.
func (t *translator) filterChains(lis *ir.Listener, ls []*listenerState) []*ir.FilterChain {
	var https []*listenerState
	for _, l := range ls {
		if l.spec.Protocol == gwapiv1.HTTPSProtocolType {
			https = append(https, l)
		}
	}
	slices.SortFunc(https, func(a, b *listenerState) int { return cmp.Compare(a.hostname, b.hostname) })
	claimed := map[string]bool{}
	var out []*ir.FilterChain
	for _, l := range https {
		if claimed[l.hostname] {
			continue
		}
		claimed[l.hostname] = true
		fc := &ir.FilterChain{
			Name:      chainName(lis.Name, l.hostname),
			Terminate: &ir.TLSTerminate{Certificates: l.certs, ClientValidation: l.clientCA},
		}
		if l.hostname != "" {
			fc.ServerNames = []string{l.hostname}
		}
		fc.HTTP = &ir.HTTPChain{VirtualHosts: httpsVirtualHosts(fc.Name, lis.Port, l, https)}
		out = append(out, fc)
	}
	out = append(out, t.tlsRouteChains(lis, ls, claimed)...)
	slices.SortFunc(out, func(a, b *ir.FilterChain) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func chainName(listener, sni string) string {
	if sni == "" {
		sni = anyHost
	}
	return listener + "/" + sni
}

// httpsVirtualHosts are an HTTPS chain's virtual hosts: its listener's
// routes, plus 421 answers for hosts that belong to another chain. A
// client may reuse a connection for any host its certificate covers
// (HTTP/2 connection coalescing), so a chain must not serve a host whose
// SNI would have picked another listener, nor, when its listener has a
// hostname, any host outside it.
func httpsVirtualHosts(prefix string, port uint32, l *listenerState, all []*listenerState) []*ir.VirtualHost {
	vhs := virtualHosts(prefix, port, []*listenerState{l})
	var elsewhere []string
	for _, o := range all {
		if o != l && o.hostname != "" && o.hostname != l.hostname && covers(l.hostname, o.hostname) {
			elsewhere = append(elsewhere, o.hostname)
		}
	}
	vhs = slices.DeleteFunc(vhs, func(vh *ir.VirtualHost) bool {
		return slices.ContainsFunc(elsewhere, func(h string) bool { return covers(h, vh.Hostname) })
	})
	if l.hostname != "" {
		// Hosts of the listener without a route get 404, not 421.
		if !slices.ContainsFunc(vhs, func(vh *ir.VirtualHost) bool { return vh.Hostname == l.hostname }) {
			vhs = append(vhs, &ir.VirtualHost{Name: prefix + "/" + l.hostname, Hostname: l.hostname})
		}
		elsewhere = append(elsewhere, anyHost)
	}
	for _, h := range elsewhere {
		vhs = append(vhs, &ir.VirtualHost{
			Name:     prefix + "/" + h,
			Hostname: h,
			Routes: []*ir.Route{{
				Name:   "misdirected/" + h,
				Match:  ir.Match{PathType: ir.PathPrefix, Path: "/"},
				Action: ir.Action{DirectResponse: &ir.DirectResponse{StatusCode: misdirectedStatus}},
			}},
		})
	}
	slices.SortFunc(vhs, func(a, b *ir.VirtualHost) int { return cmp.Compare(a.Name, b.Name) })
	return vhs
}
