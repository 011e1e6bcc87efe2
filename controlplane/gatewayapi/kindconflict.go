package gatewayapi

import (
	"fmt"
	"slices"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// ReasonHTTPGRPCConflict is the reason on the Accepted=False condition of a
// route that lost a hostname to a route of the other kind (HTTPRoute vs
// GRPCRoute) on one listener. The spec names no reason for this case.
const ReasonHTTPGRPCConflict = "HostnameConflictWithOtherRouteKind"

// claim is the hostnames an accepted HTTPRoute or GRPCRoute holds on a
// listener.
type claim struct {
	route     *routeState
	hostnames []string
}

// settleHTTPGRPCConflicts applies the GRPCRoute hostnames rule: when an
// HTTPRoute and a GRPCRoute share a listener and their hostnames
// intersect, only the older one (then the first by namespace/name) is
// accepted. A gRPC call is an HTTP/2 request, so both kinds would otherwise
// compete for the same requests without a defined precedence. Routes are
// visited oldest first, so a route refused here never refuses another.
func (t *translator) settleHTTPGRPCConflicts() {
	if !t.hasBothHTTPAndGRPC() {
		return
	}
	var candidates []*routeState
	for _, rs := range t.routes {
		if (rs.kind == kindHTTPRoute || rs.kind == kindGRPCRoute) && rs.invalid == nil {
			candidates = append(candidates, rs)
		}
	}
	slices.SortStableFunc(candidates, func(a, b *routeState) int { return olderFirst(a.obj, b.obj) })
	// By listener, then kind: a route only conflicts with the other
	// kind, so it need not scan the thousands of claims of its own.
	claims := map[*listenerState]map[gwapiv1.Kind][]claim{}
	for _, rs := range candidates {
		for _, p := range rs.parents {
			if p.gw == nil || p.refusal != nil {
				continue
			}
			if winner := conflictingClaim(claims, rs, p); winner != nil {
				p.refusal = new(condFalse(string(gwapiv1.RouteConditionAccepted), ReasonHTTPGRPCConflict,
					fmt.Sprintf("Hostnames intersect those of %s %s/%s, which is older or first by name, on a listener of %s",
						winner.kind, winner.obj.GetNamespace(), winner.obj.GetName(), describeSection(p.ref))))
				p.attachments = nil
				continue
			}
			for _, a := range p.attachments {
				if claims[a.l] == nil {
					claims[a.l] = map[gwapiv1.Kind][]claim{}
				}
				claims[a.l][rs.kind] = append(claims[a.l][rs.kind], claim{route: rs, hostnames: a.hostnames})
			}
		}
	}
}

// conflictingClaim returns the route of the other kind already holding an
// intersecting hostname on one of p's listeners, if any.
func conflictingClaim(claims map[*listenerState]map[gwapiv1.Kind][]claim, rs *routeState, p *parentState) *routeState {
	for _, a := range p.attachments {
		for kind, cs := range claims[a.l] {
			if kind == rs.kind {
				continue
			}
			for _, c := range cs {
				if anyOverlap(c.hostnames, a.hostnames) {
					return c.route
				}
			}
		}
	}
	return nil
}

func anyOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if overlaps(x, y) {
				return true
			}
		}
	}
	return false
}

// hasBothHTTPAndGRPC reports whether a valid route of each kind exists:
// without, no route can conflict and the thousands of claims need not
// be made.
func (t *translator) hasBothHTTPAndGRPC() bool {
	http, grpc := false, false
	for _, rs := range t.routes {
		if rs.invalid == nil {
			http = http || rs.kind == kindHTTPRoute
			grpc = grpc || rs.kind == kindGRPCRoute
			if http && grpc {
				return true
			}
		}
	}
	return false
}
