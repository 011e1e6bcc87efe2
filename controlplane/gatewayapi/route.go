package gatewayapi

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// routeState is a route of any kind with its parents; an HTTPRoute also
// has its compiled rules, a TLS, TCP or UDP route its backends.
type routeState struct {
	// obj is the deep copy whose status is filled in; for an HTTPRoute,
	// the input object, whose copy with status is out.
	obj        metav1.Object
	out        *gwapiv1.HTTPRoute
	kind       gwapiv1.Kind
	parentRefs []gwapiv1.ParentReference
	status     *gwapiv1.RouteStatus
	http       *gwapiv1.HTTPRoute // HTTPRoutes only
	// src is the input object of an HTTPRoute compiled through a Cache,
	// entry its compilation there.
	src   *gwapiv1.HTTPRoute
	entry *compiledRoute
	// key and gen are obj's, read once: a pass over ten thousand routes'
	// objects is mostly cache misses. Set for HTTPRoutes only.
	key nsName
	gen int64
	// pos is an HTTPRoute's position in the sorted input.
	pos       int
	hostnames []string
	rules     []*ruleIR
	// backends of a TLS, TCP or UDP route's one rule.
	backends []ir.WeightedCluster
	// invalid, when set, is why no parent accepts the route.
	invalid *cond
	// partial lists dropped rules when others remain (PartiallyInvalid).
	partial  *cond
	resolved cond
	parents  []*parentState
	// writeStatus: the route has a parent of ours, or stale status of ours
	// to remove.
	writeStatus bool
}

func (t *translator) processRoutes() {
	if t.patchRoutes() {
		return
	}
	// One allocation for every route's state rather than one each.
	states := t.cache.routeStates(len(t.idx.routeSrc))
	t.states = states
	t.http = make([]*routeState, len(states))
	t.routes = make([]*routeState, 0, len(states))
	compile := t.compileHTTPRoute()
	for i, r := range t.idx.routeSrc {
		rs := &states[i]
		t.initHTTPRoute(rs, r, i)
		t.http[i] = rs
		t.processRoute(rs, compile)
	}
	t.nHTTP = len(t.routes)
	t.processGRPCRoutes()
	t.processL4Routes()
	// HTTP/GRPC conflicts are settled by age across every route, so no
	// listener takes a route before all candidates are known.
	t.settleHTTPGRPCConflicts()
	for i, rs := range t.routes {
		if i == t.nHTTP {
			t.httpCommitted()
		}
		for _, p := range rs.parents {
			rs.commit(p)
		}
		t.writeStatusOf(rs)
	}
	if len(t.routes) == t.nHTTP {
		t.httpCommitted()
	}
}

func (t *translator) initHTTPRoute(rs *routeState, r *gwapiv1.HTTPRoute, pos int) {
	*rs = routeState{obj: r, kind: kindHTTPRoute, parentRefs: r.Spec.ParentRefs, status: &r.Status.RouteStatus, http: r,
		key: nsName{Namespace: r.Namespace, Name: r.Name}, gen: r.Generation, pos: pos}
	if t.cache != nil {
		rs.src = r
	}
}

// writeStatusOf is writeRouteStatus, noting an HTTPRoute whose status
// took the translation's time.
func (t *translator) writeStatusOf(rs *routeState) {
	t.stampedNow = false
	t.writeRouteStatus(rs)
	if t.stampedNow && rs.kind == kindHTTPRoute {
		t.stamped = append(t.stamped, rs.pos)
	}
}

// httpCommitted notes where the listeners stand once the HTTPRoutes are
// committed, for the next translation to patch (cache_routes.go).
func (t *translator) httpCommitted() {
	for _, gs := range t.gateways {
		for _, l := range gs.listeners {
			l.httpAttached, l.httpContribs = l.attached, len(l.contribs)
		}
	}
}

func (t *translator) processRoute(rs *routeState, compile func(*routeState)) {
	if t.prepareRoute(rs, compile) {
		t.routes = append(t.routes, rs)
	}
}

// prepareRoute resolves, compiles and attaches rs; false means no status
// of ours is written for it, so it takes no further part.
func (t *translator) prepareRoute(rs *routeState, compile func(*routeState)) bool {
	t.resolveParents(rs)
	if !rs.writeStatus {
		return false
	}
	compile(rs)
	for _, p := range rs.parents {
		t.attach(rs, p)
	}
	return true
}

// compileRoute validates an HTTPRoute's hostnames and rules.
func (t *translator) compileRoute(rs *routeState) {
	r := rs.http
	rules := r.Spec.Rules
	if len(rules) == 0 {
		rules = defaultRules
	}
	t.compileRules(rs, r.Spec.Hostnames, len(rules), func(i int) (*ruleIR, *ruleError, *refFailure) {
		return t.compileRule(r, i, &rules[i])
	})
}

// compileRules validates hostnames and compiles n rules. Invalid rules are
// dropped; the route is refused only when nothing valid is left.
func (t *translator) compileRules(rs *routeState, hostnames []gwapiv1.Hostname, n int, compile func(i int) (*ruleIR, *ruleError, *refFailure)) {
	for i, h := range hostnames {
		if err := validateHostname(string(h)); err != nil {
			rs.invalid = new(condFalse(string(gwapiv1.RouteConditionAccepted), string(gwapiv1.RouteReasonUnsupportedValue),
				fmt.Sprintf("spec.hostnames[%d]: %v", i, err)))
		}
		rs.hostnames = append(rs.hostnames, string(h))
	}
	rs.hostnames = dedupe(rs.hostnames)
	var dropped []string
	var firstErr *ruleError
	var firstRef *refFailure
	for i := range n {
		rule, err, ref := compile(i)
		if firstRef == nil {
			firstRef = ref
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			dropped = append(dropped, err.msg)
			continue
		}
		rs.rules = append(rs.rules, rule)
	}
	rs.resolved = resolvedRefsCond(firstRef)
	switch {
	case rs.invalid != nil:
	case len(rs.rules) == 0:
		rs.invalid = new(condFalse(string(gwapiv1.RouteConditionAccepted), string(firstErr.reason), strings.Join(dropped, "; ")))
	case len(dropped) > 0:
		rs.partial = new(condTrue(string(gwapiv1.RouteConditionPartiallyInvalid), string(firstErr.reason),
			"Dropped Rule(s): "+strings.Join(dropped, "; ")))
	}
}

func resolvedRefsCond(f *refFailure) cond {
	if f == nil {
		return condTrue(string(gwapiv1.RouteConditionResolvedRefs), string(gwapiv1.RouteReasonResolvedRefs), "All references are resolved")
	}
	return condFalse(string(gwapiv1.RouteConditionResolvedRefs), string(f.reason), f.msg)
}
