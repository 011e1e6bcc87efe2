package gatewayapi

import (
	"fmt"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// portClaim is what earlier (older) Gateways of the fleet hold on a port.
type portClaim struct {
	protocol gwapiv1.ProtocolType
	owner    map[string]*listenerState // by hostname
}

// resolveConflicts marks listeners that are not distinct. All Gateways of a
// class share one fleet and so one set of addresses: a listener conflicts
// with another on the same port of the fleet when the protocols differ or
// the hostnames are equal.
//
// Within one Gateway no listener wins: every listener of a conflicting set
// is refused, as the spec requires. Across Gateways the older Gateway
// (creationTimestamp, then namespace/name) keeps its listener, so adding a
// Gateway never breaks one that already works. gws must be oldest first.
func resolveConflicts(gws []*gatewayState) {
	claims := map[int32]*portClaim{}
	for _, gs := range gws {
		markInternalConflicts(gs.ownListeners(), "this Gateway")
		for _, l := range gs.ownListeners() {
			if !l.accepted() {
				continue
			}
			c := claims[l.port()]
			switch {
			case c == nil:
				continue
			case !compatible(c.protocol, l.spec.Protocol):
				l.setConflict(gwapiv1.ListenerReasonProtocolConflict, fmt.Sprintf(
					"Port %d is used with protocol %s by an older Gateway of the fleet", l.port(), c.protocol))
			case c.owner[l.hostname] != nil:
				o := c.owner[l.hostname]
				l.setConflict(gwapiv1.ListenerReasonHostnameConflict, fmt.Sprintf(
					"Port %d with %s is used by %s of the older Gateway %s", l.port(),
					describeHostname(l.hostname), describeOwnListener(o), keyOf(o.gw.obj)))
			}
		}
		claimPorts(claims, gs.ownListeners())
		resolveSetConflicts(gs, claims)
	}
}

// claimPorts records the accepted listeners of ls on their ports.
func claimPorts(claims map[int32]*portClaim, ls []*listenerState) {
	for _, l := range ls {
		if !l.accepted() {
			continue
		}
		c := claims[l.port()]
		if c == nil {
			c = &portClaim{protocol: l.spec.Protocol, owner: map[string]*listenerState{}}
			claims[l.port()] = c
		}
		c.owner[l.hostname] = l
	}
}

// markInternalConflicts refuses every listener of a conflicting set among
// the listeners of one object (owner names it in messages).
func markInternalConflicts(ls []*listenerState, owner string) {
	byPort := map[int32][]*listenerState{}
	for _, l := range ls {
		if l.accepted() {
			byPort[l.port()] = append(byPort[l.port()], l)
		}
	}
	for port, ls := range byPort {
		protos := map[ir.Protocol]bool{}
		hosts := map[string]int{}
		for _, l := range ls {
			protos[protocols[l.spec.Protocol].ir] = true
			hosts[l.hostname]++
		}
		for _, l := range ls {
			switch {
			case len(protos) > 1:
				l.setConflict(gwapiv1.ListenerReasonProtocolConflict,
					fmt.Sprintf("Listeners of %s use port %d with different protocols", owner, port))
			case hosts[l.hostname] > 1:
				l.setConflict(gwapiv1.ListenerReasonHostnameConflict,
					fmt.Sprintf("Listeners of %s use port %d with the same %s", owner, port, describeHostname(l.hostname)))
			}
		}
	}
}

// compatible protocols share a port: HTTPS and TLS listeners are both told
// apart by SNI on one TLS port, as the spec's listener grouping allows.
func compatible(a, b gwapiv1.ProtocolType) bool {
	return protocols[a].ir == protocols[b].ir
}

func (l *listenerState) setConflict(reason gwapiv1.ListenerConditionReason, msg string) {
	l.conflict = reason
	l.conflictMsg = msg
}

func describeHostname(h string) string {
	if h == "" {
		return "empty hostname"
	}
	return fmt.Sprintf("hostname %q", h)
}
