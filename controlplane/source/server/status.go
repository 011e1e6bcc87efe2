package server

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// The translator computes status from the snapshot it was given, which may
// be older than what is stored (status-only writes are not republished).
// These merges put its verdict onto the stored status so that what it does
// not own survives and timestamps do not churn.

// keepTimes carries lastTransitionTime over from stored for every condition
// whose status did not change, as apimachinery's meta.SetStatusCondition
// does, so re-translating an unchanged world writes nothing.
func keepTimes(computed, stored []metav1.Condition) []metav1.Condition {
	out := slices.Clone(computed)
	for i := range out {
		for _, s := range stored {
			if s.Type == out[i].Type && s.Status == out[i].Status {
				out[i].LastTransitionTime = s.LastTransitionTime
			}
		}
	}
	return out
}

// unionConditions is keepTimes plus the stored conditions of types the
// translator did not compute: another controller's, or the provisioner's.
func unionConditions(computed, stored []metav1.Condition) []metav1.Condition {
	out := keepTimes(computed, stored)
	for _, s := range stored {
		if !slices.ContainsFunc(out, func(c metav1.Condition) bool { return c.Type == s.Type }) {
			out = append(out, s)
		}
	}
	return out
}

// gatewayClassStatus is the translator's status with conditions merged.
func gatewayClassStatus(computed, stored gwapiv1.GatewayClassStatus) gwapiv1.GatewayClassStatus {
	out := computed
	out.Conditions = unionConditions(computed.Conditions, stored.Conditions)
	return out
}

// gatewayStatus is the translator's status (which, where a provisioner
// runs, carries the fleet's addresses) with conditions merged and listener
// transition times kept.
func gatewayStatus(computed, stored gwapiv1.GatewayStatus) gwapiv1.GatewayStatus {
	out := computed
	out.Conditions = unionConditions(computed.Conditions, stored.Conditions)
	out.Listeners = listenersKeepTimes(computed.Listeners, stored.Listeners,
		func(l *gwapiv1.ListenerStatus) (gwapiv1.SectionName, *[]metav1.Condition) {
			return l.Name, &l.Conditions
		})
	return out
}

// listenersKeepTimes copies computed listener statuses, each keeping the
// transition times of the stored listener of the same name, so that a
// re-translation does not move lastTransitionTime of unchanged conditions.
func listenersKeepTimes[L any](computed, stored []L, fields func(*L) (gwapiv1.SectionName, *[]metav1.Condition)) []L {
	out := make([]L, len(computed))
	for i := range computed {
		out[i] = computed[i]
		name, conds := fields(&out[i])
		for j := range stored {
			sname, sconds := fields(&stored[j])
			if sname == name {
				*conds = keepTimes(*conds, *sconds)
			}
		}
	}
	return out
}

// routeStatus replaces our controller's entries of status.parents with the
// translator's and keeps every other controller's.
func routeStatus(controller gwapiv1.GatewayController, computed, stored gwapiv1.RouteStatus) gwapiv1.RouteStatus {
	out := gwapiv1.RouteStatus{Parents: []gwapiv1.RouteParentStatus{}}
	for _, s := range stored.Parents {
		if s.ControllerName != controller {
			out.Parents = append(out.Parents, s)
		}
	}
	for _, p := range computed.Parents {
		if p.ControllerName != controller {
			continue
		}
		for _, s := range stored.Parents {
			if s.ControllerName == controller && sameParent(s.ParentRef, p.ParentRef) {
				p.Conditions = keepTimes(p.Conditions, s.Conditions)
			}
		}
		out.Parents = append(out.Parents, p)
	}
	return out
}

// policyStatus is routeStatus for a policy's ancestors: other controllers'
// entries are kept, ours replaced, and a condition whose status holds keeps
// its lastTransitionTime.
func policyStatus(controller gwapiv1.GatewayController, computed, stored gwapiv1.PolicyStatus) gwapiv1.PolicyStatus {
	out := gwapiv1.PolicyStatus{Ancestors: []gwapiv1.PolicyAncestorStatus{}}
	for _, s := range stored.Ancestors {
		if s.ControllerName != controller {
			out.Ancestors = append(out.Ancestors, s)
		}
	}
	for _, a := range computed.Ancestors {
		if a.ControllerName != controller {
			continue
		}
		for _, s := range stored.Ancestors {
			if s.ControllerName == controller && sameParent(s.AncestorRef, a.AncestorRef) {
				a.Conditions = keepTimes(a.Conditions, s.Conditions)
			}
		}
		out.Ancestors = append(out.Ancestors, a)
	}
	return out
}

// withoutController drops controller's entries: the route is no longer ours.
func withoutController(controller gwapiv1.GatewayController, stored gwapiv1.RouteStatus) gwapiv1.RouteStatus {
	return routeStatus(controller, gwapiv1.RouteStatus{}, stored)
}

func sameParent(a, b gwapiv1.ParentReference) bool {
	return deref(a.Group, gwapiv1.GroupName) == deref(b.Group, gwapiv1.GroupName) &&
		deref(a.Kind, "Gateway") == deref(b.Kind, "Gateway") &&
		deref(a.Namespace, "") == deref(b.Namespace, "") &&
		a.Name == b.Name &&
		deref(a.SectionName, "") == deref(b.SectionName, "") &&
		deref(a.Port, 0) == deref(b.Port, 0)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
