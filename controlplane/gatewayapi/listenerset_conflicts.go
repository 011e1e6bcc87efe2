package gatewayapi

import (
	"fmt"
	"slices"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// resolveSetConflicts settles the listeners of gs's ListenerSets after the
// Gateway's own have claimed their ports. The GEP's precedence is the
// Gateway first, then its sets oldest first, then by namespace/name: a set
// listener that conflicts with one claimed before it is refused, and never
// takes a port away from the Gateway or an older set. Among the set's
// listeners that pass that, as within one Gateway, no listener of a
// conflicting pair wins.
func resolveSetConflicts(gs *gatewayState, claims map[int32]*portClaim) {
	if len(gs.sets) == 0 {
		return
	}
	if gw := gatewayConditions(gs)[0]; gw.Status != "True" {
		dropSetListeners(gs, "Gateway "+keyOf(gs.obj).String()+" is not accepted: "+gw.Message)
		return
	}
	for _, st := range gs.sets {
		if st.refusal != nil {
			continue
		}
		for _, l := range st.listeners {
			if !l.accepted() {
				continue
			}
			c := claims[l.port()]
			switch {
			case c == nil:
			case !compatible(c.protocol, l.spec.Protocol):
				l.setConflict(gwapiv1.ListenerReasonProtocolConflict, fmt.Sprintf(
					"Port %d is used with protocol %s by listeners that take precedence (the Gateway's, an older Gateway's of the fleet, or an older ListenerSet's)",
					l.port(), c.protocol))
			case c.owner[l.hostname] != nil:
				l.setConflict(gwapiv1.ListenerReasonHostnameConflict, fmt.Sprintf(
					"Port %d with %s is used by %s, which takes precedence", l.port(), describeHostname(l.hostname), describeListener(c.owner[l.hostname])))
			}
		}
		markInternalConflicts(st.listeners, "this ListenerSet")
		claimPorts(claims, st.listeners)
	}
}

// dropSetListeners refuses every set of a Gateway that is not accepted, so
// none of their listeners reaches the fleet.
func dropSetListeners(gs *gatewayState, msg string) {
	for _, st := range gs.sets {
		if st.refusal == nil {
			st.refuse(string(gwapiv1.ListenerSetReasonParentNotAccepted), msg)
		}
		st.listeners = nil
	}
	gs.listeners = slices.DeleteFunc(gs.listeners, func(l *listenerState) bool { return l.set != nil })
}

func describeListener(l *listenerState) string {
	if l.set != nil {
		return fmt.Sprintf("listener %s of ListenerSet %s", l.name(), keyOf(l.set.obj))
	}
	return fmt.Sprintf("listener %s of Gateway %s", l.name(), keyOf(l.gw.obj))
}

// describeOwnListener names a listener of a Gateway, through its
// ListenerSet if it has one.
func describeOwnListener(l *listenerState) string {
	if l.set != nil {
		return fmt.Sprintf("listener %s of ListenerSet %s", l.name(), keyOf(l.set.obj))
	}
	return fmt.Sprintf("listener %s", l.name())
}
