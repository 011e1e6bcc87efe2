package gatewayapi

import (
	"cmp"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// compareEntries orders a virtual host's routes by the Gateway API's
// precedence rules (HTTPRouteRule.matches and HTTPRoute.hostnames):
//
//  1. the more specific route hostname (exact characters, then characters);
//  2. Exact path, then RegularExpression, then PathPrefix; longer prefixes
//     and patterns first (the rank of regular expressions is ours to choose);
//  3. a method match;
//  4. more header matches;
//  5. more query parameter matches;
//  6. the older route, then namespace/name;
//  7. rule order, then match order within the route.
func compareEntries(a, b entry) int {
	if c := compareHostnames(a.via, b.via); c != 0 {
		return c
	}
	if a.rule.grpc != nil && b.rule.grpc != nil {
		return compareGRPC(a, b)
	}
	ma, mb := a.rule.matches[a.match], b.rule.matches[b.match]
	return cmp.Or(
		cmp.Compare(pathRank(ma.PathType), pathRank(mb.PathType)),
		comparePathLength(ma, mb),
		cmp.Compare(boolRank(ma.Method == ""), boolRank(mb.Method == "")),
		cmp.Compare(len(mb.Headers), len(ma.Headers)),
		cmp.Compare(len(mb.QueryParams), len(ma.QueryParams)),
		olderFirst(a.route.obj, b.route.obj),
		cmp.Compare(a.rule.index, b.rule.index),
		cmp.Compare(a.match, b.match),
	)
}

// compareGRPC orders GRPCRoute matches by the GRPCRouteRule precedence:
// the longer service, then the longer method, then more header matches,
// then the older route and rule order. (Route hostnames were compared
// before.)
func compareGRPC(a, b entry) int {
	ra, rb := a.rule.grpc[a.match], b.rule.grpc[b.match]
	return cmp.Or(
		cmp.Compare(rb.service, ra.service),
		cmp.Compare(rb.method, ra.method),
		cmp.Compare(len(b.rule.matches[b.match].Headers), len(a.rule.matches[a.match].Headers)),
		olderFirst(a.route.obj, b.route.obj),
		cmp.Compare(a.rule.index, b.rule.index),
		cmp.Compare(a.match, b.match),
	)
}

func pathRank(t ir.PathMatchType) int {
	switch t {
	case ir.PathExact:
		return 0
	case ir.PathRegex:
		return 1
	}
	return 2
}

func comparePathLength(a, b ir.Match) int {
	if a.PathType == ir.PathExact {
		return 0
	}
	return cmp.Compare(len(b.Path), len(a.Path))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
