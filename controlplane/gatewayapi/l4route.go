package gatewayapi

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// processL4Routes handles TLSRoutes, TCPRoutes and UDPRoutes, which carry
// one rule of weighted backends and share HTTPRoute's parent and status
// rules.
func (t *translator) processL4Routes() {
	for _, r := range t.idx.tls {
		rs := &routeState{obj: r, kind: kindTLSRoute, parentRefs: r.Spec.ParentRefs, status: &r.Status.RouteStatus}
		t.processRoute(rs, func(rs *routeState) { t.compileL4(rs, r.Spec.Hostnames, l4Rules(r.Spec.Rules)) })
	}
	for _, r := range t.idx.tcp {
		rs := &routeState{obj: r, kind: kindTCPRoute, parentRefs: r.Spec.ParentRefs, status: &r.Status.RouteStatus}
		t.processRoute(rs, func(rs *routeState) { t.compileL4(rs, nil, l4Rules(r.Spec.Rules)) })
	}
	for _, r := range t.idx.udp {
		rs := &routeState{obj: r, kind: kindUDPRoute, parentRefs: r.Spec.ParentRefs, status: &r.Status.RouteStatus}
		// A weighted split is made in the UDP proxy's matcher (xds
		// translator, l4.go): Envoy routes a UDP session to one cluster.
		t.processRoute(rs, func(rs *routeState) { t.compileL4(rs, nil, l4Rules(r.Spec.Rules)) })
	}
}

// l4Rules reduces any L4 rule type to its backendRefs.
func l4Rules[R gwapiv1.TLSRouteRule | gwapiv1.TCPRouteRule | gwapiv1.UDPRouteRule](rules []R) [][]gwapiv1.BackendRef {
	out := make([][]gwapiv1.BackendRef, len(rules))
	for i, r := range rules {
		switch r := any(r).(type) {
		case gwapiv1.TLSRouteRule:
			out[i] = r.BackendRefs
		case gwapiv1.TCPRouteRule:
			out[i] = r.BackendRefs
		case gwapiv1.UDPRouteRule:
			out[i] = r.BackendRefs
		}
	}
	return out
}

// compileL4 resolves the backends of the route's rule (the CRDs allow
// exactly one). Invalid refs and zero weights are dropped; with none left
// the route stays Accepted but carries no traffic (ResolvedRefs False).
func (t *translator) compileL4(rs *routeState, hostnames []gwapiv1.Hostname, rules [][]gwapiv1.BackendRef) {
	for i, h := range hostnames {
		if err := validateHostname(string(h)); err != nil && rs.invalid == nil {
			rs.invalid = new(condFalse(string(gwapiv1.RouteConditionAccepted), string(gwapiv1.RouteReasonUnsupportedValue),
				fmt.Sprintf("spec.hostnames[%d]: %v", i, err)))
		}
		rs.hostnames = append(rs.hostnames, string(h))
	}
	rs.hostnames = dedupe(rs.hostnames)
	var firstRef *refFailure
	for i, refs := range rules {
		if i > 0 {
			break
		}
		for j, br := range refs {
			field := fmt.Sprintf("spec.rules[%d].backendRefs[%d]", i, j)
			cluster, fail := t.resolveBackendRef(rs.obj, rs.kind, br.BackendObjectReference, field)
			if fail != nil {
				if firstRef == nil {
					firstRef = fail
				}
				continue
			}
			w := int32(1)
			if br.Weight != nil {
				w = *br.Weight
			}
			if w <= 0 {
				continue
			}
			if k := indexOfCluster(rs.backends, cluster); k >= 0 {
				rs.backends[k].Weight += uint32(w)
			} else {
				rs.backends = append(rs.backends, ir.WeightedCluster{Cluster: cluster, Weight: uint32(w)})
			}
		}
	}
	rs.resolved = resolvedRefsCond(firstRef)
}

// l4Proxy is a TCP or UDP port's forwarding: the oldest attached route
// with a backend wins, as the spec settles conflicts between routes.
func l4Proxy(ls []*listenerState) *ir.L4Proxy {
	var best *routeState
	for _, l := range ls {
		for _, c := range l.contribs {
			if len(c.route.backends) > 0 && (best == nil || olderFirst(c.route.obj, best.obj) < 0) {
				best = c.route
			}
		}
	}
	if best == nil {
		return nil
	}
	return &ir.L4Proxy{Route: routeName(best), Backends: best.backends}
}

func routeName(rs *routeState) string {
	return fmt.Sprintf("%s/%s/%s/rule/0", strings.ToLower(string(rs.kind)), rs.obj.GetNamespace(), rs.obj.GetName())
}

// tlsRouteChains are the chains of TLS listeners: one per SNI a TLSRoute
// serves there, the oldest route winning a name. A terminating listener
// decrypts with its certificates first; passthrough forwards the bytes.
func (t *translator) tlsRouteChains(lis *ir.Listener, ls []*listenerState, claimed map[string]bool) []*ir.FilterChain {
	type candidate struct {
		l   *listenerState
		sni string
		rs  *routeState
	}
	var cands []candidate
	for _, l := range ls {
		if l.spec.Protocol != gwapiv1.TLSProtocolType {
			continue
		}
		for _, c := range l.contribs {
			if len(c.route.backends) > 0 {
				sni := c.hostname
				if sni == anyHost {
					sni = ""
				}
				cands = append(cands, candidate{l: l, sni: sni, rs: c.route})
			}
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(olderFirst(a.rs.obj, b.rs.obj), cmp.Compare(a.sni, b.sni))
	})
	var out []*ir.FilterChain
	for _, c := range cands {
		if claimed[c.sni] {
			continue
		}
		claimed[c.sni] = true
		fc := &ir.FilterChain{Name: chainName(lis.Name, c.sni), Proxy: &ir.L4Proxy{Route: routeName(c.rs), Backends: c.rs.backends}}
		if c.sni != "" {
			fc.ServerNames = []string{c.sni}
		}
		if c.l.terminates() {
			fc.Terminate = &ir.TLSTerminate{Certificates: c.l.certs}
		}
		out = append(out, fc)
	}
	return out
}

// addRoute files a route whose status we own under its kind.
func (r *Result) addRoute(o metav1.Object) {
	switch o := o.(type) {
	case *gwapiv1.HTTPRoute:
		r.HTTPRoutes = append(r.HTTPRoutes, o)
	case *gwapiv1.GRPCRoute:
		r.GRPCRoutes = append(r.GRPCRoutes, o)
	case *gwapiv1.TLSRoute:
		r.TLSRoutes = append(r.TLSRoutes, o)
	case *gwapiv1.TCPRoute:
		r.TCPRoutes = append(r.TCPRoutes, o)
	case *gwapiv1.UDPRoute:
		r.UDPRoutes = append(r.UDPRoutes, o)
	}
}
