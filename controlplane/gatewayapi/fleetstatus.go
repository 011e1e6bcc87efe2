package gatewayapi

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/message"
)

// PublishInfra follows the translator's Results and keeps infra, keyed by
// fleet, equal to their Infra: it stores only the fleets that changed and
// deletes the ones that vanished, so the provisioner sees a deleted class
// as a deletion and nothing else. It returns when ctx ends or the topic
// closes.
func PublishInfra(ctx context.Context, results *message.Topic[*Result], infra *message.Map[string, *ir.Infra]) {
	prev := maps.Clone(infra.Load())
	for u := range results.Subscribe(ctx) {
		if u.Value == nil {
			continue
		}
		next := u.Value.Infra
		for _, fleet := range slices.Sorted(maps.Keys(next)) {
			if old, ok := prev[fleet]; !ok || !reflect.DeepEqual(old, next[fleet]) {
				infra.Store(fleet, next[fleet])
			}
		}
		for fleet := range prev {
			if _, ok := next[fleet]; !ok {
				infra.Delete(fleet)
			}
		}
		prev = maps.Clone(next)
	}
}

// FleetStatusMerger turns the translator's Results into the Results whose
// status is written back, adding what only the running system knows: each
// Gateway's addresses from its fleet's provisioning, and Programmed=True
// only once that fleet is applied and at least one of its proxies is
// connected to xDS. It is used when the provisioner runs; without it the
// translator's Programmed (translated and served) is the whole truth.
type FleetStatusMerger struct {
	In     *message.Topic[*Result]
	Fleets *message.Map[string, *ir.FleetState]
	// Connected is the number of proxies connected to xDS, per fleet.
	Connected *message.Map[string, int]
	Out       *message.Topic[*Result]
	// Now stamps transition times; nil means time.Now.
	Now func() time.Time
}

// Run merges until ctx ends or an input closes.
func (m *FleetStatusMerger) Run(ctx context.Context) error {
	now := m.Now
	if now == nil {
		now = time.Now
	}
	results := m.In.Subscribe(ctx)
	fleets := m.Fleets.Subscribe(ctx)
	connected := m.Connected.Subscribe(ctx)
	var (
		res     *Result
		fs      map[string]*ir.FleetState
		conn    map[string]int
		last    *Result
		changed bool
	)
	for {
		select {
		case <-ctx.Done():
			return nil
		case u, ok := <-results:
			if !ok {
				return nil
			}
			res, changed = u.Value, true
		case u, ok := <-fleets:
			if !ok {
				return nil
			}
			fs, changed = u.State, true
		case u, ok := <-connected:
			if !ok {
				return nil
			}
			conn, changed = u.State, true
		}
		if res == nil || !changed {
			continue
		}
		merged := MergeFleetStatus(res, last, fs, conn, now())
		if last == nil || !reflect.DeepEqual(statusOf(last), statusOf(merged)) {
			m.Out.Publish(merged)
		}
		last, changed = merged, false
	}
}

func statusOf(r *Result) []gwapiv1.GatewayStatus {
	out := make([]gwapiv1.GatewayStatus, len(r.Gateways))
	for i, g := range r.Gateways {
		out[i] = g.Status
	}
	return append(out, gwapiv1.GatewayStatus{Conditions: classConds(r)})
}

func classConds(r *Result) []metav1.Condition {
	var out []metav1.Condition
	for _, c := range r.GatewayClasses {
		out = append(out, c.Status.Conditions...)
	}
	return out
}

// MergeFleetStatus returns a copy of res whose Gateways carry their fleet's
// addresses and Programmed condition. prev (may be nil) is the last merged
// Result: a condition whose status did not change keeps its transition
// time from there. res is not modified.
func MergeFleetStatus(res, prev *Result, fleets map[string]*ir.FleetState, connected map[string]int, now time.Time) *Result {
	out := *res
	out.Gateways = make([]*gwapiv1.Gateway, len(res.Gateways))
	t := &translator{now: metav1.NewTime(now)}
	for i, g := range res.Gateways {
		g = g.DeepCopy()
		out.Gateways[i] = g
		class := string(g.Spec.GatewayClassName)
		if _, ours := res.IR[class]; !ours {
			continue
		}
		mergeGateway(t, g, previous(prev, g), fleets[class], connected[class])
	}
	return &out
}

func previous(prev *Result, g *gwapiv1.Gateway) []metav1.Condition {
	if prev == nil {
		return nil
	}
	for _, p := range prev.Gateways {
		if p.Namespace == g.Namespace && p.Name == g.Name {
			return p.Status.Conditions
		}
	}
	return nil
}

func mergeGateway(t *translator, g *gwapiv1.Gateway, prev []metav1.Condition, st *ir.FleetState, connected int) {
	const programmed = string(gwapiv1.GatewayConditionProgrammed)
	// Static addresses are the Gateway's own; the fleet's outputs stand in
	// for Gateways that asked for none, and for addresses asked for
	// without a value.
	var unassigned string
	if st != nil {
		g.Status.Addresses, unassigned = withFleetAddresses(g, g.Status.Addresses, gatewayAddresses(st.Addresses))
	}
	cur := findCondition(g.Status.Conditions, programmed)
	if cur == nil || cur.Status != metav1.ConditionTrue {
		// The translator already says why it is not programmed.
		return
	}
	want := fleetProgrammed(string(g.Spec.GatewayClassName), st, connected)
	if unassigned != "" && want.Status == metav1.ConditionTrue {
		want = condFalse(programmed, string(gwapiv1.GatewayReasonAddressNotAssigned), unassigned)
	}
	stamped := t.stamp(g.Generation, prev, []cond{want})[0]
	if stamped.Status == cur.Status && (prev == nil || findCondition(prev, programmed) == nil) {
		stamped.LastTransitionTime = cur.LastTransitionTime
	}
	*cur = stamped
}

// fleetProgrammed is the Gateway's Programmed condition as the fleet's
// provisioning and its proxies' connections make it.
func fleetProgrammed(fleet string, st *ir.FleetState, connected int) cond {
	const programmed = string(gwapiv1.GatewayConditionProgrammed)
	pending := string(gwapiv1.GatewayReasonPending)
	switch {
	case st == nil:
		return condFalse(programmed, pending, fmt.Sprintf("fleet %s: waiting for the provisioner", fleet))
	case st.Phase == ir.FleetFailed:
		msg := fmt.Sprintf("fleet %s: terraform run failed (attempt %d): %s", fleet, st.Attempts, st.Error)
		if !st.NextRetry.IsZero() {
			msg += "; retrying at " + st.NextRetry.UTC().Format(time.RFC3339)
		}
		return condFalse(programmed, string(gwapiv1.GatewayReasonNoResources), msg)
	case !st.Applied:
		return condFalse(programmed, pending, fmt.Sprintf("fleet %s: %s", fleet, strings.ToLower(string(st.Phase))))
	case connected == 0:
		return condFalse(programmed, pending, fmt.Sprintf("fleet %s: applied; no proxy is connected to xDS yet", fleet))
	}
	return condTrue(programmed, string(gwapiv1.GatewayReasonProgrammed),
		fmt.Sprintf("fleet %s: applied; %d proxies connected to xDS", fleet, connected))
}

func gatewayAddresses(addrs []string) []gwapiv1.GatewayStatusAddress {
	var out []gwapiv1.GatewayStatusAddress
	for _, a := range addrs {
		typ := gwapiv1.HostnameAddressType
		if _, err := netip.ParseAddr(a); err == nil {
			typ = gwapiv1.IPAddressType
		}
		out = append(out, gwapiv1.GatewayStatusAddress{Type: &typ, Value: a})
	}
	return out
}

// withFleetAddresses is a Gateway's status.addresses: its static ones
// (static), then the fleet's addresses of each type asked for without a
// value, or all of them when spec.addresses is empty. unassigned names a
// type asked for that the fleet has no address of.
func withFleetAddresses(g *gwapiv1.Gateway, static, fleet []gwapiv1.GatewayStatusAddress) (out []gwapiv1.GatewayStatusAddress, unassigned string) {
	if len(g.Spec.Addresses) == 0 {
		return fleet, ""
	}
	out = slices.Clone(static)
	for i, a := range g.Spec.Addresses {
		if a.Value != "" {
			continue
		}
		typ := gwapiv1.IPAddressType
		if a.Type != nil {
			typ = *a.Type
		}
		found := false
		for _, f := range fleet {
			if *f.Type == typ {
				found = true
				if !slices.ContainsFunc(out, func(o gwapiv1.GatewayStatusAddress) bool { return o.Value == f.Value }) {
					out = append(out, f)
				}
			}
		}
		if !found && unassigned == "" {
			unassigned = fmt.Sprintf("spec.addresses[%d]: the fleet has no %s address to assign", i, typ)
		}
	}
	return out, unassigned
}
