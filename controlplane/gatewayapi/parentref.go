package gatewayapi

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// parentState is one parentRef of a route that points at a Gateway.
type parentState struct {
	// ref is the parentRef as written, with the CRD defaults for group and
	// kind filled in, as an API server would echo it in status.
	ref gwapiv1.ParentReference
	gw  *gatewayState // nil: no such Gateway
	// set is the ListenerSet of a parentRef of kind ListenerSet: the
	// route attaches to its listeners only, and gw is its Gateway.
	set *listenerSetState
	// refusal is why the parent does not accept the route, if it does not.
	refusal     *cond
	attachments []attachment
}

// attachment is a listener that took the route, with the hostnames the
// route serves there.
type attachment struct {
	l         *listenerState
	hostnames []string
}

const kindGateway gwapiv1.Kind = "Gateway"

// resolveParents finds the route's Gateways. Parents of other kinds (mesh
// Services, ListenerSets) and Gateways of other controllers are not ours
// to report on. A Gateway that does not exist is reported as
// NoMatchingParent, unless the route's other parents belong only to
// another controller, which may report it itself.
func (t *translator) resolveParents(rs *routeState) {
	ns := rs.obj.GetNamespace()
	var parents []*parentState
	ours, foreign := false, false
	for _, pr := range rs.parentRefs {
		ref := t.defaultParentRef(pr)
		if *ref.Group != gwapiv1.GroupName || slicesContainsRef(parents, ref) {
			continue
		}
		target := nsName{Namespace: ns, Name: string(ref.Name)}
		if ref.Namespace != nil && *ref.Namespace != "" {
			target.Namespace = string(*ref.Namespace)
		}
		if *ref.Kind == kindListenerSet {
			p, ok := t.listenerSetParent(ref, target)
			switch {
			case !ok:
				foreign = true
			case p.gw != nil:
				ours = true
				fallthrough
			default:
				parents = append(parents, p)
			}
			continue
		}
		if *ref.Kind != kindGateway {
			continue
		}
		p := &parentState{ref: ref, gw: t.gateways[target]}
		switch {
		case p.gw != nil:
			ours = true
		case t.idx.hasGateway(target):
			foreign = true
			continue
		default:
			p.refusal = new(condFalse(string(gwapiv1.RouteConditionAccepted), string(gwapiv1.RouteReasonNoMatchingParent),
				fmt.Sprintf("Gateway %s not found", target)))
		}
		parents = append(parents, p)
	}
	if ours || !foreign {
		rs.parents = parents
	}
	rs.writeStatus = len(rs.parents) > 0 || t.hasOurStatus(rs.status)
}

// defaultParentRef is defaultParentRef with the translation's default
// group and kind, one pair for every route rather than a pair each: the
// refs are only read, here and in the Result.
func (t *translator) defaultParentRef(pr gwapiv1.ParentReference) gwapiv1.ParentReference {
	if t.defaultRef.Group == nil {
		t.defaultRef = defaultParentRef(gwapiv1.ParentReference{})
	}
	if pr.Group == nil {
		pr.Group = t.defaultRef.Group
	}
	if pr.Kind == nil {
		pr.Kind = t.defaultRef.Kind
	}
	return pr
}

func defaultParentRef(pr gwapiv1.ParentReference) gwapiv1.ParentReference {
	if pr.Group == nil {
		pr.Group = new(gwapiv1.Group(gwapiv1.GroupName))
	}
	if pr.Kind == nil {
		pr.Kind = new(kindGateway)
	}
	return pr
}

func slicesContainsRef(ps []*parentState, ref gwapiv1.ParentReference) bool {
	for _, p := range ps {
		if sameParentRef(p.ref, ref) {
			return true
		}
	}
	return false
}

func sameParentRef(a, b gwapiv1.ParentReference) bool {
	return refGroup(a) == refGroup(b) && refKind(a) == refKind(b) && a.Name == b.Name &&
		deref(a.Namespace) == deref(b.Namespace) && deref(a.SectionName) == deref(b.SectionName) && deref(a.Port) == deref(b.Port)
}

// refGroup and refKind are defaultParentRef's, without allocating.
func refGroup(r gwapiv1.ParentReference) gwapiv1.Group {
	if r.Group == nil {
		return gwapiv1.GroupName
	}
	return *r.Group
}

func refKind(r gwapiv1.ParentReference) gwapiv1.Kind {
	if r.Kind == nil {
		return kindGateway
	}
	return *r.Kind
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (t *translator) hasOurStatus(st *gwapiv1.RouteStatus) bool {
	for _, p := range st.Parents {
		if p.ControllerName == t.opts.ControllerName {
			return true
		}
	}
	return false
}

// attach applies the spec's attachment rules for one parent: sectionName
// and port select listeners, allowedRoutes filters them by kind and
// namespace, and hostnames must intersect.
func (t *translator) attach(rs *routeState, p *parentState) {
	if p.gw == nil || p.refusal != nil {
		return
	}
	var selected, allowed []*listenerState
	kindOK := false
	for _, l := range p.gw.listeners {
		if l.set != p.set {
			continue
		}
		if (p.ref.SectionName != nil && l.name() != *p.ref.SectionName) || (p.ref.Port != nil && l.port() != *p.ref.Port) {
			continue
		}
		selected = append(selected, l)
		if l.allowsKind(rs.kind) {
			kindOK = true
			if l.allowsNamespace(rs.obj.GetNamespace(), t.idx.nsLabels) {
				allowed = append(allowed, l)
			}
		}
	}
	for _, l := range allowed {
		if hs := intersect(l.hostname, rs.hostnames); len(hs) > 0 {
			p.attachments = append(p.attachments, attachment{l: l, hostnames: hs})
		}
	}
	accepted := string(gwapiv1.RouteConditionAccepted)
	switch {
	case len(selected) == 0:
		p.refusal = new(condFalse(accepted, string(gwapiv1.RouteReasonNoMatchingParent), "No listener matches "+describeSection(p.ref)))
	case !kindOK:
		p.refusal = new(condFalse(accepted, string(gwapiv1.RouteReasonNotAllowedByListeners),
			fmt.Sprintf("No listener of %s allows the %s kind", describeSection(p.ref), rs.kind)))
	case len(allowed) == 0:
		p.refusal = new(condFalse(accepted, string(gwapiv1.RouteReasonNotAllowedByListeners),
			fmt.Sprintf("No listener of %s allows %ss from namespace %q", describeSection(p.ref), rs.kind, rs.obj.GetNamespace())))
	case len(p.attachments) == 0:
		p.refusal = new(condFalse(accepted, string(gwapiv1.RouteReasonNoMatchingListenerHostname),
			fmt.Sprintf("No hostname of the route intersects a listener hostname of %s", describeSection(p.ref))))
	}
}

// commit puts an accepted route on the listeners it attached to.
func (rs *routeState) commit(p *parentState) {
	if p.gw == nil || p.refusal != nil || rs.invalid != nil {
		return
	}
	key := routeKey{kind: rs.kind, nsName: rs.key}
	if rs.http == nil {
		key.nsName = keyOf(rs.obj)
	}
	for _, a := range p.attachments {
		// Routes are committed kind by kind in key order (processRoutes),
		// so a route reached again, through another parentRef or as
		// another object of the same name, is the listener's last one:
		// counting needs no set of ten thousand keys.
		if a.l.attached == 0 || a.l.lastAttached != key {
			a.l.attached++
			a.l.lastAttached = key
		}
		for _, h := range a.hostnames {
			a.l.contribs = append(a.l.contribs, contribution{hostname: h, route: rs, order: rs.pos})
		}
	}
}

func describeSection(ref gwapiv1.ParentReference) string {
	s := fmt.Sprintf("%s %s", deref(ref.Kind), ref.Name)
	if ref.SectionName != nil {
		s += fmt.Sprintf(" sectionName %q", *ref.SectionName)
	}
	if ref.Port != nil {
		s += fmt.Sprintf(" port %d", *ref.Port)
	}
	return s
}

// writeRouteStatus replaces our entries in status.parents and keeps the
// entries of other controllers.
func (t *translator) writeRouteStatus(rs *routeState) {
	if rs.http != nil {
		// Built in scratch space: most routes' status is last time's,
		// which routeOutput then returns as it is.
		t.scratchConds = t.scratchConds[:0]
		t.scratchParents = t.routeParents(rs, t.scratchParents[:0], &t.scratchConds)
		rs.out = t.routeOutput(rs, t.scratchParents)
		return
	}
	rs.status.Parents = t.routeParents(rs, nil, nil)
}

// routeParents appends rs's status parents to out (a new slice when out
// is nil). Our conditions are appended to conds when it is not nil, else
// each parent gets its own.
func (t *translator) routeParents(rs *routeState, out []gwapiv1.RouteParentStatus, conds *[]metav1.Condition) []gwapiv1.RouteParentStatus {
	in := rs.status.Parents
	n, ours := len(rs.parents), 0
	for i := range in {
		if in[i].ControllerName != t.opts.ControllerName {
			n++
		} else {
			ours++
		}
	}
	if out == nil {
		out = make([]gwapiv1.RouteParentStatus, 0, n)
	}
	for _, ps := range in {
		if ps.ControllerName != t.opts.ControllerName {
			out = append(out, ps)
		}
	}
	gen := rs.gen
	if rs.http == nil {
		gen = rs.obj.GetGeneration()
	}
	existing := in
	if ours == 0 {
		// Nothing of ours written back (the file source, or not yet):
		// the last output is the existing status (cache_status.go).
		existing = t.lastParents(rs)
	}
	for _, p := range rs.parents {
		var old []metav1.Condition
		for i := range existing {
			if existing[i].ControllerName == t.opts.ControllerName && sameParentRef(existing[i].ParentRef, p.ref) {
				old = existing[i].Conditions
			}
		}
		var buf [3]cond
		want := rs.parentConditions(p, buf[:0])
		var cs []metav1.Condition
		if conds != nil {
			start := len(*conds)
			*conds = t.stampInto(*conds, gen, old, want)
			cs = (*conds)[start:len(*conds):len(*conds)]
		} else {
			cs = t.stamp(gen, old, want)
		}
		out = append(out, gwapiv1.RouteParentStatus{ParentRef: p.ref, ControllerName: t.opts.ControllerName, Conditions: cs})
	}
	if ours == 0 && rs.http != nil && t.cache != nil {
		// The next translation takes this output as the existing status,
		// so whatever time it took is kept then: nothing to restamp.
		t.stampedNow = false
	}
	return out
}

// parentConditions appends p's conditions to out.
func (rs *routeState) parentConditions(p *parentState, out []cond) []cond {
	switch {
	case p.refusal != nil:
		out = append(out, *p.refusal)
	case rs.invalid != nil:
		out = append(out, *rs.invalid)
	default:
		out = append(out, condTrue(string(gwapiv1.RouteConditionAccepted), string(gwapiv1.RouteReasonAccepted), "Route is accepted"))
	}
	out = append(out, rs.resolved)
	if p.refusal == nil && rs.invalid == nil && rs.partial != nil {
		out = append(out, *rs.partial)
	}
	return out
}
