package gatewayapi

import (
	"fmt"
	"regexp"
	"strings"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// grpcUnavailable is the status a GRPCRoute answers with when no backend
// of its rule is valid: the spec asks for UNAVAILABLE, which is what Envoy
// maps a local 503 to for a gRPC request.
const grpcUnavailable = 503

// grpcRank is what GRPCRoute precedence compares within a hostname: the
// characters of the service match, then of the method match.
type grpcRank struct {
	service, method int
}

// processGRPCRoutes handles GRPCRoutes. A gRPC call is an HTTP/2 POST to
// "/<service>/<method>", so a GRPCRoute becomes routes of the same virtual
// hosts as HTTPRoutes, with its method match as a path match.
func (t *translator) processGRPCRoutes() {
	for _, r := range t.idx.grpc {
		rs := &routeState{obj: r, kind: kindGRPCRoute, parentRefs: r.Spec.ParentRefs, status: &r.Status.RouteStatus}
		t.processRoute(rs, func(rs *routeState) {
			rules := r.Spec.Rules
			if len(rules) == 0 {
				rules = []gwapiv1.GRPCRouteRule{{}}
			}
			t.compileRules(rs, r.Spec.Hostnames, len(rules), func(i int) (*ruleIR, *ruleError, *refFailure) {
				return t.compileGRPCRule(r, i, &rules[i])
			})
		})
	}
}

func (t *translator) compileGRPCRule(route *gwapiv1.GRPCRoute, i int, rule *gwapiv1.GRPCRouteRule) (*ruleIR, *ruleError, *refFailure) {
	field := fmt.Sprintf("spec.rules[%d]", i)
	refs := make([]backendIn, len(rule.BackendRefs))
	for j, br := range rule.BackendRefs {
		refs[j] = backendIn{ref: br.BackendRef, filters: grpcFiltersAsHTTP(br.Filters)}
	}
	backends, refErr, ruleErr := t.compileBackendRefs(route, kindGRPCRoute, refs, field+".backendRefs")
	if ruleErr != nil {
		return nil, ruleErr, refErr
	}
	out := &ruleIR{index: i}
	matches := rule.Matches
	if len(matches) == 0 {
		matches = []gwapiv1.GRPCRouteMatch{{}}
	}
	for j, m := range matches {
		im, rank, err := compileGRPCMatch(m, fmt.Sprintf("%s.matches[%d]", field, j))
		if err != nil {
			return nil, err, refErr
		}
		out.matches = append(out.matches, im)
		out.grpc = append(out.grpc, rank)
	}
	filters, err := compileFilters(grpcFiltersAsHTTP(rule.Filters), field+".filters")
	if err != nil {
		return nil, err, refErr
	}
	out.reqHeaders, out.respHeaders = filters.reqHeaders, filters.respHeaders
	out.action.Forward = forwardOrFail(backends, grpcUnavailable)
	if out.action.Forward == nil {
		out.action.DirectResponse = &ir.DirectResponse{StatusCode: grpcUnavailable}
		return out, nil, refErr
	}
	mirrorRef, err := t.forwardExtras(route, kindGRPCRoute, out.action.Forward, filters)
	if err != nil {
		return nil, err, refErr
	}
	if refErr == nil {
		refErr = mirrorRef
	}
	return out, nil, refErr
}

// grpcFiltersAsHTTP restates GRPCRoute filters as the HTTPRoute filters of
// the same name and configuration, so that both kinds share one compiler.
// Types only HTTPRoute has (redirects, rewrites) cannot arise.
func grpcFiltersAsHTTP(fs []gwapiv1.GRPCRouteFilter) []gwapiv1.HTTPRouteFilter {
	out := make([]gwapiv1.HTTPRouteFilter, len(fs))
	for i, f := range fs {
		out[i] = gwapiv1.HTTPRouteFilter{
			Type:                   gwapiv1.HTTPRouteFilterType(f.Type),
			RequestHeaderModifier:  f.RequestHeaderModifier,
			ResponseHeaderModifier: f.ResponseHeaderModifier,
			RequestMirror:          f.RequestMirror,
			ExtensionRef:           f.ExtensionRef,
		}
	}
	return out
}

// anyName matches one path segment: a service or a method name.
const anyName = "[^/]+"

// compileGRPCMatch turns a method match into a path match:
//
//   - Exact service and method: the exact path "/service/method".
//   - Exact service only: the prefix "/service" (every method of it).
//   - Exact method only, or RegularExpression: a regex of the two segments,
//     an omitted one matching any name.
func compileGRPCMatch(m gwapiv1.GRPCRouteMatch, field string) (ir.Match, grpcRank, *ruleError) {
	out := ir.Match{PathType: ir.PathPrefix, Path: "/"}
	var rank grpcRank
	if mm := m.Method; mm != nil {
		var err *ruleError
		if out, rank, err = methodPath(mm, field+".method"); err != nil {
			return out, rank, err
		}
	}
	headers, err := compileHeaderMatches(m.Headers, field, func(h gwapiv1.GRPCHeaderMatch) (string, *string, string) {
		return string(h.Name), (*string)(h.Type), h.Value
	})
	if err != nil {
		return out, rank, err
	}
	out.Headers = headers
	return out, rank, nil
}

func methodPath(mm *gwapiv1.GRPCMethodMatch, field string) (ir.Match, grpcRank, *ruleError) {
	typ := gwapiv1.GRPCMethodMatchExact
	if mm.Type != nil {
		typ = *mm.Type
	}
	svc, method := deref(mm.Service), deref(mm.Method)
	rank := grpcRank{service: len(svc), method: len(method)}
	switch typ {
	case gwapiv1.GRPCMethodMatchExact:
		if svc == "" && method == "" {
			return ir.Match{}, rank, unsupported("%s: one of service and method must be set", field)
		}
		for _, p := range []struct{ name, v string }{{"service", svc}, {"method", method}} {
			if strings.Contains(p.v, "/") {
				return ir.Match{}, rank, unsupported("%s.%s: %q must not contain '/'", field, p.name, p.v)
			}
		}
		switch {
		case method == "":
			return ir.Match{PathType: ir.PathPrefix, Path: "/" + svc}, rank, nil
		case svc == "":
			return ir.Match{PathType: ir.PathRegex, Path: "/" + anyName + "/" + regexp.QuoteMeta(method)}, rank, nil
		}
		return ir.Match{PathType: ir.PathExact, Path: "/" + svc + "/" + method}, rank, nil
	case gwapiv1.GRPCMethodMatchRegularExpression:
		parts := [2]string{anyName, anyName}
		for i, p := range []struct{ name, v string }{{"service", svc}, {"method", method}} {
			if p.v == "" {
				continue
			}
			if err := checkRegexp(p.v); err != nil {
				return ir.Match{}, rank, unsupported("%s.%s: invalid regular expression: %v", field, p.name, err)
			}
			parts[i] = "(?:" + p.v + ")"
		}
		return ir.Match{PathType: ir.PathRegex, Path: "/" + parts[0] + "/" + parts[1]}, rank, nil
	}
	return ir.Match{}, rank, unsupported("%s.type: %q is not supported", field, typ)
}
