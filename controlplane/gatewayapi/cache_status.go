package gatewayapi

import (
	"slices"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// A route's output object is its input with new status parents. With the
// Cache, when the input is the same object as last time and the status
// parents equal last time's, the last output is returned as it is: copying ten
// thousand routes for every change was most of the garbage of a
// one-route change, and the Result's consumers read HTTPRoutes only.

// routeOutput returns rs's output object with status parents ps, which
// are scratch space (writeRouteStatus): our entries, the last
// len(rs.parents), have their conditions copied.
func (t *translator) routeOutput(rs *routeState, ps []gwapiv1.RouteParentStatus) *gwapiv1.HTTPRoute {
	e := rs.entry
	if e != nil && e.out != nil && sameRouteParents(e.out.Status.Parents, ps) {
		return e.out
	}
	owned := make([]gwapiv1.RouteParentStatus, len(ps))
	copy(owned, ps)
	for i := len(ps) - len(rs.parents); i < len(ps); i++ {
		owned[i].Conditions = slices.Clone(owned[i].Conditions)
	}
	out := statusCopy(rs.http, owned)
	if e != nil {
		e.out = out
	}
	return out
}

// sameRouteParents is reflect.DeepEqual for status parents, without
// reflection.
func sameRouteParents(a, b []gwapiv1.RouteParentStatus) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.ControllerName != y.ControllerName || !SameParentRefExactly(&x.ParentRef, &y.ParentRef) ||
			len(x.Conditions) != len(y.Conditions) || (x.Conditions == nil) != (y.Conditions == nil) {
			return false
		}
		for j := range x.Conditions {
			c, d := &x.Conditions[j], &y.Conditions[j]
			if c.Type != d.Type || c.Status != d.Status || c.ObservedGeneration != d.ObservedGeneration ||
				c.Reason != d.Reason || c.Message != d.Message || c.LastTransitionTime != d.LastTransitionTime {
				return false
			}
		}
	}
	return true
}

// SameParentRefExactly compares as written: a field left nil differs from
// one set to its default (as omitempty encodes them). The Config Server's
// status comparison uses it too.
func SameParentRefExactly(a, b *gwapiv1.ParentReference) bool {
	return a.Name == b.Name && samePtr(a.Group, b.Group) && samePtr(a.Kind, b.Kind) &&
		samePtr(a.Namespace, b.Namespace) && samePtr(a.SectionName, b.SectionName) && samePtr(a.Port, b.Port)
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// lastParents returns the status parents of rs's route in the last
// translation's Result, when rs's input is that route unchanged: the same
// object, or one with the same uid and generation. Treated as the
// existing status of a route whose input carries none of ours, it keeps
// an unchanged condition's lastTransitionTime, and the route's output
// object, when the clock moves: the output is then Translate's for inputs
// that carry the last Result's statuses, as if they had been written back.
func (t *translator) lastParents(rs *routeState) []gwapiv1.RouteParentStatus {
	if t.cache == nil || t.cache.superseded == nil || rs.http == nil {
		return nil
	}
	last := t.cache.superseded.http
	i := rs.pos
	if i >= len(last) || last[i].key != rs.key {
		var found bool
		i, found = slices.BinarySearchFunc(last, rs.key, func(s *routeState, k nsName) int { return compareKeys(s.key, k) })
		if !found {
			return nil
		}
	}
	prev := last[i]
	if !prev.writeStatus || prev.out == nil {
		return nil
	}
	if prev.http != rs.http && (prev.gen != rs.gen || prev.http.UID != rs.http.UID) {
		return nil
	}
	return prev.out.Status.Parents
}
