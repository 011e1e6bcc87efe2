package gatewayapi

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// accepted sets count in the Gateway's status.attachedListenerSets.
func (st *listenerSetState) accepted() bool {
	return st.conditions()[0].Status == metav1.ConditionTrue
}

// conditions follow the Gateway's: a set with some valid listeners is
// accepted and programmed (reason ListenersNotValid when others are not);
// one with none is neither.
func (st *listenerSetState) conditions() []cond {
	const (
		accepted   = string(gwapiv1.ListenerSetConditionAccepted)
		programmed = string(gwapiv1.ListenerSetConditionProgrammed)
		notValid   = string(gwapiv1.ListenerSetReasonListenersNotValid)
	)
	if r := st.refusal; r != nil {
		return []cond{*r, condFalse(programmed, r.Reason, r.Message)}
	}
	var invalid []string
	live := 0
	for _, l := range st.listeners {
		if !l.valid() {
			invalid = append(invalid, string(l.name()))
		}
		if l.programmed() {
			live++
		}
	}
	switch {
	case len(st.listeners) == 0:
		msg := "spec.listeners: the ListenerSet has no listeners"
		return []cond{condFalse(accepted, notValid, msg), condFalse(programmed, notValid, msg)}
	case live == 0:
		msg := "No listener is valid: " + strings.Join(invalid, ", ")
		return []cond{condFalse(accepted, notValid, msg), condFalse(programmed, notValid, msg)}
	}
	prog := condTrue(programmed, string(gwapiv1.ListenerSetReasonProgrammed), "ListenerSet is translated into its Gateway's fleet configuration")
	if len(invalid) > 0 {
		return []cond{condTrue(accepted, notValid, "Listeners not valid: "+strings.Join(invalid, ", ")), prog}
	}
	return []cond{condTrue(accepted, string(gwapiv1.ListenerSetReasonAccepted), "ListenerSet is accepted by Gateway "+keyOf(st.gw.obj).String()), prog}
}

// listenerSetResult fills in the status of every set whose parent is one
// of our Gateways, sorted by namespace/name; it runs after routes are
// attached, since attachedRoutes is part of listener status.
func (t *translator) listenerSetResult() []*gwapiv1.ListenerSet {
	var out []*gwapiv1.ListenerSet
	for _, ls := range sortedRefs(t.sets.all) {
		if st := t.sets.byKey[keyOf(ls)]; st != nil {
			t.finishListenerSetStatus(st)
			out = append(out, ls)
		}
	}
	return out
}

func (t *translator) finishListenerSetStatus(st *listenerSetState) {
	ls := st.obj
	old := make([]gwapiv1.ListenerStatus, len(ls.Status.Listeners))
	for i, o := range ls.Status.Listeners {
		old[i] = gwapiv1.ListenerStatus(o)
	}
	ls.Status.Listeners = make([]gwapiv1.ListenerEntryStatus, 0, len(st.listeners))
	for _, l := range st.listeners {
		ls.Status.Listeners = append(ls.Status.Listeners, gwapiv1.ListenerEntryStatus(t.listenerStatus(ls.Generation, old, l)))
	}
	ls.Status.Conditions = t.stampKeeping(ls.Generation, ls.Status.Conditions, st.conditions(),
		string(gwapiv1.ListenerSetConditionAccepted), string(gwapiv1.ListenerSetConditionProgrammed))
}
