package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// gatewayState is a Gateway of a class we own and accept.
type gatewayState struct {
	obj       *gwapiv1.Gateway
	class     *classState
	listeners []*listenerState
	// addresses are the usable spec.addresses; addrUnsupported and
	// addrUnusable say why others were refused (see addresses.go).
	addresses       []ir.InfraAddress
	addrUnsupported string
	addrUnusable    string
	// invalidParams says why spec.infrastructure.parametersRef is refused.
	invalidParams string
	// sets are the ListenerSets naming this Gateway, in precedence order;
	// the listeners of those it admits follow its own in listeners.
	sets []*listenerSetState
}

func (t *translator) processGateways() {
	for _, g := range t.idx.gateways {
		cs := t.classes[string(g.Spec.GatewayClassName)]
		if cs == nil || !cs.accepted {
			continue
		}
		gs := &gatewayState{obj: g, class: cs}
		t.gatewayAddresses(gs)
		// A Gateway that is not accepted carries no listener into xDS.
		for i := range g.Spec.Listeners {
			if gs.notAccepted() != "" {
				break
			}
			gs.listeners = append(gs.listeners, t.newListener(gs, i))
		}
		t.addListenerSets(gs)
		for i, l := range gs.listeners {
			l.slot = i
		}
		t.gateways[keyOf(g)] = gs
		cs.gateways = append(cs.gateways, gs)
	}
	for _, cs := range t.classes {
		slices.SortFunc(cs.gateways, func(a, b *gatewayState) int { return olderFirst(a.obj, b.obj) })
		resolveConflicts(cs.gateways)
	}
}

// finishGatewayStatus writes listener and Gateway conditions; it runs after
// routes are attached, because attachedRoutes is part of listener status.
func (t *translator) finishGatewayStatus(gs *gatewayState) {
	g := gs.obj
	old := g.Status.Listeners
	own := gs.ownListeners()
	g.Status.Listeners = make([]gwapiv1.ListenerStatus, 0, len(own))
	for _, l := range own {
		g.Status.Listeners = append(g.Status.Listeners, t.listenerStatus(g.Generation, old, l))
	}
	if len(g.Spec.Addresses) > 0 {
		g.Status.Addresses = statusAddresses(gs.addresses)
	}
	g.Status.AttachedListenerSets = gs.attachedListenerSets()
	g.Status.Conditions = t.stampKeeping(g.Generation, g.Status.Conditions, append(gatewayConditions(gs), t.gatewayTLSConditions(gs)...),
		append([]string{string(gwapiv1.GatewayConditionAccepted), string(gwapiv1.GatewayConditionProgrammed)}, gatewayTLSConditionTypes...)...)
}

// listenerStatus is l's status entry, keeping the transition times of the
// conditions stored under its name in old. A ListenerSet's entries have the
// same fields (gwapiv1.ListenerEntryStatus converts from it).
func (t *translator) listenerStatus(gen int64, old []gwapiv1.ListenerStatus, l *listenerState) gwapiv1.ListenerStatus {
	var prev []metav1.Condition
	for _, o := range old {
		if o.Name == l.name() {
			prev = o.Conditions
		}
	}
	return gwapiv1.ListenerStatus{
		Name:           l.name(),
		SupportedKinds: append([]gwapiv1.RouteGroupKind{}, l.kinds...),
		AttachedRoutes: int32(l.attached),
		Conditions:     t.stamp(gen, prev, l.conditions()),
	}
}

func (l *listenerState) conditions() []cond {
	const (
		accepted   = string(gwapiv1.ListenerConditionAccepted)
		programmed = string(gwapiv1.ListenerConditionProgrammed)
		resolved   = string(gwapiv1.ListenerConditionResolvedRefs)
		conflicted = string(gwapiv1.ListenerConditionConflicted)
	)
	var out []cond
	switch {
	case l.refused != nil:
		out = append(out, *l.refused)
	case l.conflict != "":
		out = append(out, condFalse(accepted, string(l.conflict), l.conflictMsg))
	default:
		out = append(out, condTrue(accepted, string(gwapiv1.ListenerReasonAccepted), "Listener is accepted"))
	}
	switch {
	case l.programmed():
		out = append(out, condTrue(programmed, string(gwapiv1.ListenerReasonProgrammed), "Listener is programmed"))
	case l.conflict != "":
		out = append(out, condFalse(programmed, string(l.conflict), l.conflictMsg))
	case l.refused != nil:
		out = append(out, condFalse(programmed, string(gwapiv1.ListenerReasonInvalid), "Listener is not accepted: "+l.refused.Message))
	case l.terminates() && len(l.certs) == 0:
		out = append(out, condFalse(programmed, string(gwapiv1.ListenerReasonInvalid), "Listener has no valid certificate: "+l.certErr.Message))
	default:
		out = append(out, condFalse(programmed, string(gwapiv1.ListenerReasonInvalid), "Listener allows no route kind it can carry"))
	}
	switch {
	case l.certErr != nil:
		out = append(out, *l.certErr)
	case len(l.badKinds) > 0:
		out = append(out, condFalse(resolved, string(gwapiv1.ListenerReasonInvalidRouteKinds), fmt.Sprintf(
			"%s: %s not supported on a %s listener", l.field(".allowedRoutes.kinds"), strings.Join(l.badKinds, ", "), l.spec.Protocol)))
	default:
		out = append(out, condTrue(resolved, string(gwapiv1.ListenerReasonResolvedRefs), "All references are resolved"))
	}
	if l.conflict != "" {
		out = append(out, condTrue(conflicted, string(l.conflict), l.conflictMsg))
	} else {
		out = append(out, condFalse(conflicted, string(gwapiv1.ListenerReasonNoConflicts), "No conflicts"))
	}
	return out
}

// valid listeners are accepted, programmed and fully resolved; any other
// makes the Gateway report ListenersNotValid.
func (l *listenerState) valid() bool {
	return l.programmed() && len(l.badKinds) == 0 && l.certErr == nil
}

func gatewayConditions(gs *gatewayState) []cond {
	const (
		accepted   = string(gwapiv1.GatewayConditionAccepted)
		programmed = string(gwapiv1.GatewayConditionProgrammed)
		notValid   = string(gwapiv1.GatewayReasonListenersNotValid)
	)
	if gs.invalidParams != "" {
		return []cond{condFalse(accepted, string(gwapiv1.GatewayReasonInvalidParameters), gs.invalidParams),
			condFalse(programmed, string(gwapiv1.GatewayReasonInvalid), "Gateway is not accepted: "+gs.invalidParams)}
	}
	if gs.addrUnsupported != "" {
		return []cond{condFalse(accepted, string(gwapiv1.GatewayReasonUnsupportedAddress), gs.addrUnsupported),
			condFalse(programmed, string(gwapiv1.GatewayReasonInvalid), "Gateway is not accepted: "+gs.addrUnsupported)}
	}
	var invalid []string
	live := 0
	own := gs.ownListeners()
	for _, l := range own {
		if !l.valid() {
			invalid = append(invalid, string(l.name()))
		}
		if l.programmed() {
			live++
		}
	}
	switch {
	case len(own) == 0:
		msg := "spec.listeners: the Gateway has no listeners"
		return []cond{condFalse(accepted, notValid, msg), condFalse(programmed, string(gwapiv1.GatewayReasonInvalid), msg)}
	case live == 0:
		msg := "No listener is valid: " + strings.Join(invalid, ", ")
		return []cond{condFalse(accepted, notValid, msg), condFalse(programmed, string(gwapiv1.GatewayReasonInvalid), msg)}
	}
	prog := condTrue(programmed, string(gwapiv1.GatewayReasonProgrammed), "Gateway is translated into its fleet's configuration")
	if gs.addrUnusable != "" {
		prog = condFalse(programmed, string(gwapiv1.GatewayReasonAddressNotUsable), gs.addrUnusable)
	}
	if len(invalid) > 0 {
		return []cond{condTrue(accepted, notValid, "Listeners not valid: "+strings.Join(invalid, ", ")), prog}
	}
	return []cond{condTrue(accepted, string(gwapiv1.GatewayReasonAccepted), "Gateway is accepted"), prog}
}
