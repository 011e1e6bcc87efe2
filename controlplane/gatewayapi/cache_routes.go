package gatewayapi

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Patching the routes of the last translation.
//
// When the non-route objects are the last translation's (Cache.prev) and
// the sorted HTTPRoutes are the last ones but at a few positions, every
// other route resolves, attaches and gets the status it got then: those
// depend on the route object and the non-route objects only, as long as
// there is no GRPCRoute to settle hostname conflicts with. So the last
// translation's route states are taken as they are, the changed routes
// are processed afresh, and each listener's HTTPRoute contributions and
// attached count are the last ones with the changed routes' taken out and
// put in at their positions. A route's status depends on the time only
// through conditions that took it (stamped); those are written again when
// the time differs. Only a route whose input carries status of ours is
// stamped: one that carries none takes its last output as the existing
// status (lastParents), keeping whatever time that took. Walking ten
// thousand routes' objects was most of a one-route change.

// maxPatched is the most changed routes patched in; more are translated
// in full.
const maxPatched = 64

// patchRoutes is processRoutes by patching the last translation; false
// means it did nothing and the routes must be processed in full.
func (t *translator) patchRoutes() bool {
	prev, changed, ok := t.patchable()
	if !ok {
		return false
	}
	old := make([]*routeState, len(changed))
	for j, i := range changed {
		old[j] = prev.http[i]
	}
	// Every listener an old route committed to must be found again; they
	// are, in the same objects, but a miss must not leave half a patch.
	for _, rs := range old {
		for _, p := range committedParents(rs) {
			for _, a := range p.attachments {
				if t.sameListener(a.l) == nil {
					return false
				}
			}
		}
	}
	t.patched = true
	t.http = slices.Clone(prev.http)
	fresh := make([]routeState, len(changed))
	t.fresh = fresh
	compile := t.compileHTTPRoute()
	for j, i := range changed {
		rs := &fresh[j]
		t.initHTTPRoute(rs, t.idx.routeSrc[i], i)
		t.prepareRoute(rs, compile)
		t.http[i] = rs
	}
	t.routes = make([]*routeState, 0, len(prev.routes))
	for _, rs := range t.http {
		if rs.writeStatus {
			t.routes = append(t.routes, rs)
		}
	}
	t.nHTTP = len(t.routes)
	t.patchListeners(prev, changed, old, fresh)
	t.carryTLSPolicies(prev, old)
	t.dropped = droppedSources(old, fresh)
	t.processGRPCRoutes()
	t.processL4Routes()
	for _, rs := range t.routes[t.nHTTP:] {
		for _, p := range rs.parents {
			rs.commit(p)
		}
		t.writeStatusOf(rs)
	}
	for j := range fresh {
		if fresh[j].writeStatus {
			t.writeStatusOf(&fresh[j])
		}
	}
	t.restamp(prev, changed)
	return true
}

// patchable returns the last translation and the positions of the
// HTTPRoutes that differ from its, when patching it is sound.
func (t *translator) patchable() (*translator, []int, bool) {
	c := t.cache
	if c == nil || c.prev == nil || c.prev.http == nil || len(t.idx.grpc) > 0 {
		return nil, nil, false
	}
	prev := c.prev
	src, old := t.idx.routeSrc, prev.idx.routeSrc
	if len(src) != len(old) || len(prev.http) != len(old) || !sameGateways(prev, t) {
		return nil, nil, false
	}
	var changed []int
	for i := range src {
		if src[i] != old[i] {
			if len(changed) == maxPatched {
				return nil, nil, false
			}
			changed = append(changed, i)
		}
	}
	// A listener counts a route once however often it is committed in a
	// row (commit), so routes of one name next to each other, which a
	// change could part or join, are translated in full.
	for _, i := range changed {
		if !apartFromNeighbours(src, i) || !apartFromNeighbours(old, i) {
			return nil, nil, false
		}
	}
	return prev, changed, true
}

func apartFromNeighbours(rs []*gwapiv1.HTTPRoute, i int) bool {
	k := keyOf(rs[i])
	if i > 0 && keyOf(rs[i-1]) == k {
		return false
	}
	if i+1 < len(rs) && keyOf(rs[i+1]) == k {
		return false
	}
	return i == 0 || i+1 == len(rs) || keyOf(rs[i-1]) != keyOf(rs[i+1])
}

// sameGateways reports whether a and b have the same Gateways with as
// many listeners each, so that a listener's slot names it in both.
func sameGateways(a, b *translator) bool {
	if len(a.gateways) != len(b.gateways) {
		return false
	}
	for k, ga := range a.gateways {
		gb := b.gateways[k]
		if gb == nil || len(gb.listeners) != len(ga.listeners) {
			return false
		}
	}
	return true
}

// sameListener returns this translation's listener that l, of an earlier
// translation of the same non-route objects, was.
func (t *translator) sameListener(l *listenerState) *listenerState {
	gs := t.gateways[keyOf(l.gw.obj)]
	if gs == nil || l.slot >= len(gs.listeners) {
		return nil
	}
	return gs.listeners[l.slot]
}

// committedParents are the parents commit puts rs on listeners through.
func committedParents(rs *routeState) []*parentState {
	if !rs.writeStatus || rs.invalid != nil {
		return nil
	}
	var out []*parentState
	for _, p := range rs.parents {
		if p.gw != nil && p.refusal == nil {
			out = append(out, p)
		}
	}
	return out
}

// patchListeners gives every listener the last translation's HTTPRoute
// contributions and attached count, with the old routes' taken out and
// the fresh ones' put in at their positions.
func (t *translator) patchListeners(prev *translator, changed []int, old []*routeState, fresh []routeState) {
	t.touched = map[*listenerState][]string{}
	delta := map[*listenerState]int{}
	adds := map[*listenerState][]contribution{}
	for _, rs := range old {
		for _, l := range t.listenersOf(rs) {
			delta[l]--
		}
	}
	for j := range fresh {
		rs := &fresh[j]
		for _, l := range t.listenersOf(rs) {
			delta[l]++
		}
		for _, p := range committedParents(rs) {
			for _, a := range p.attachments {
				for _, h := range a.hostnames {
					adds[a.l] = append(adds[a.l], contribution{hostname: h, route: rs, order: rs.pos})
				}
			}
		}
	}
	for k, gs := range t.gateways {
		for slot, l := range gs.listeners {
			l0 := prev.gateways[k].listeners[slot]
			base := l0.contribs[:l0.httpContribs:l0.httpContribs]
			if _, touched := delta[l]; touched || len(adds[l]) > 0 {
				var hs []string
				base, hs = mergeContributions(base, changed, adds[l])
				t.touched[l] = hs
			}
			l.contribs, l.attached = base, l0.httpAttached+delta[l]
			l.httpContribs, l.httpAttached = len(l.contribs), l.attached
			// Nothing reads the last translation's listeners again
			// but to find them here; its routes' states stay.
			l0.contribs = nil
		}
	}
}

// listenersOf lists, once each, the listeners of this translation rs is
// committed to.
func (t *translator) listenersOf(rs *routeState) []*listenerState {
	var out []*listenerState
	for _, p := range committedParents(rs) {
		for _, a := range p.attachments {
			if l := t.sameListener(a.l); !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// mergeContributions returns base, which is in route order, without the
// contributions of the routes at the changed positions and with adds, in
// route order too, put in where they belong.
// It also returns the hostnames of the contributions taken out or put
// in, sorted.
func mergeContributions(base []contribution, changed []int, adds []contribution) ([]contribution, []string) {
	out := make([]contribution, 0, len(base)+len(adds))
	var hs []string
	for _, c := range adds {
		hs = append(hs, c.hostname)
	}
	j := 0
	for _, c := range base {
		if _, found := slices.BinarySearch(changed, c.order); found {
			hs = append(hs, c.hostname)
			continue
		}
		for j < len(adds) && adds[j].order < c.order {
			out = append(out, adds[j])
			j++
		}
		out = append(out, c)
	}
	slices.Sort(hs)
	return append(out, adds[j:]...), slices.Compact(hs)
}

// carryTLSPolicies notes that the carried routes use the BackendTLSPolicies
// they used last time; the fresh ones noted theirs when compiled.
func (t *translator) carryTLSPolicies(prev *translator, old []*routeState) {
	for route, ps := range prev.btls.used {
		if slices.ContainsFunc(old, func(rs *routeState) bool { return rs.obj == route }) {
			continue
		}
		for _, p := range ps {
			for _, q := range t.btls.all {
				if keyOf(q.obj) == keyOf(p.obj) && !slices.Contains(t.btls.used[route], q) {
					t.btls.used[route] = append(t.btls.used[route], q)
				}
			}
		}
	}
}

// droppedSources are the old routes' input objects that no fresh route is.
func droppedSources(old []*routeState, fresh []routeState) []*gwapiv1.HTTPRoute {
	var out []*gwapiv1.HTTPRoute
	for _, rs := range old {
		if !slices.ContainsFunc(fresh, func(f routeState) bool { return f.src == rs.src }) {
			out = append(out, rs.src)
		}
	}
	return out
}

// restamp carries the positions of stamped routes over, writing the
// carried ones' status again when the time is not the last translation's.
func (t *translator) restamp(prev *translator, changed []int) {
	fresh := t.stamped
	t.stamped = make([]int, 0, len(prev.stamped)+len(fresh))
	for _, i := range prev.stamped {
		if _, found := slices.BinarySearch(changed, i); found {
			continue
		}
		if t.now.Equal(&prev.now) {
			t.stamped = append(t.stamped, i)
		} else {
			t.writeStatusOf(t.http[i])
		}
	}
	t.stamped = append(t.stamped, fresh...)
}

// detachFresh points the fresh routes' parents at stand-ins for this
// translation's Gateways and listeners, holding only what later
// translations read of them (the Gateway's name, the listener's slot):
// carried on, a route would otherwise keep its translation's Gateway
// states, copies and all, for as long as it is not changed again.
func (t *translator) detachFresh() {
	gws := map[*gatewayState]*gatewayState{}
	ls := map[*listenerState]*listenerState{}
	stub := func(g *gatewayState) *gatewayState {
		if g == nil {
			return nil
		}
		s := gws[g]
		if s == nil {
			k := keyOf(g.obj)
			s = &gatewayState{obj: &gwapiv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name}}}
			gws[g] = s
		}
		return s
	}
	for i := range t.fresh {
		for _, p := range t.fresh[i].parents {
			p.gw, p.set = stub(p.gw), nil
			for j, a := range p.attachments {
				s := ls[a.l]
				if s == nil {
					s = &listenerState{gw: stub(a.l.gw), slot: a.l.slot}
					ls[a.l] = s
				}
				p.attachments[j].l = s
			}
		}
	}
}
