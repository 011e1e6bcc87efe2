package gatewayapi

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

const kindListenerSet gwapiv1.Kind = resource.KindListenerSet

// listenerSets are the input ListenerSets (GEP-1713): listeners that join
// a Gateway's own when its spec.allowedListeners admits them.
type listenerSets struct {
	// all are deep copies, oldest first then namespace/name: the order in
	// which the sets of one Gateway claim ports after the Gateway itself.
	all []*gwapiv1.ListenerSet
	// byParent holds the sets naming each Gateway, in the order of all.
	byParent map[nsName][]*gwapiv1.ListenerSet
	// byKey holds every set whose parent is a Gateway we translate.
	byKey map[nsName]*listenerSetState
	// exists holds every set, ours or not.
	exists map[nsName]bool
}

// listenerSetState is a ListenerSet whose parentRef names one of our
// Gateways. Its status is ours to write.
type listenerSetState struct {
	obj *gwapiv1.ListenerSet
	gw  *gatewayState
	// refusal is why the Gateway does not take the set (NotAllowed,
	// ParentNotAccepted); a refused set has no listeners.
	refusal   *cond
	listeners []*listenerState
	// specs are the set's listeners in the Gateway's Listener type, which
	// has the same fields, so the Gateway's listener code applies as is.
	specs []gwapiv1.Listener
}

func newListenerSets(res *resource.Resources) *listenerSets {
	all := sortedCopies(res.ListenerSets)
	slices.SortStableFunc(all, func(a, b *gwapiv1.ListenerSet) int { return olderFirst(a, b) })
	s := &listenerSets{all: all, byParent: map[nsName][]*gwapiv1.ListenerSet{}, byKey: map[nsName]*listenerSetState{}, exists: map[nsName]bool{}}
	for _, ls := range all {
		s.exists[keyOf(ls)] = true
		if target, ok := parentOf(ls); ok {
			s.byParent[target] = append(s.byParent[target], ls)
		}
	}
	return s
}

// parentOf is the Gateway a set names; ok is false for parents of other
// kinds, which are not ours to interpret.
func parentOf(ls *gwapiv1.ListenerSet) (nsName, bool) {
	ref := ls.Spec.ParentRef
	if (ref.Group != nil && *ref.Group != gwapiv1.GroupName) || (ref.Kind != nil && *ref.Kind != kindGateway) {
		return nsName{}, false
	}
	target := nsName{Namespace: ls.Namespace, Name: string(ref.Name)}
	if ref.Namespace != nil && *ref.Namespace != "" {
		target.Namespace = string(*ref.Namespace)
	}
	return target, true
}

// addListenerSets appends the listeners of the sets gs admits to
// gs.listeners, after the Gateway's own, in the GEP's precedence order.
func (t *translator) addListenerSets(gs *gatewayState) {
	for _, ls := range t.sets.byParent[keyOf(gs.obj)] {
		st := &listenerSetState{obj: ls, gw: gs}
		t.sets.byKey[keyOf(ls)] = st
		gs.sets = append(gs.sets, st)
		if msg := t.admits(gs, ls); msg != "" {
			st.refuse(string(gwapiv1.ListenerSetReasonNotAllowed), msg)
			continue
		}
		if gs.notAccepted() != "" {
			st.refuse(string(gwapiv1.ListenerSetReasonParentNotAccepted), "Gateway "+keyOf(gs.obj).String()+" is not accepted: "+gs.notAccepted())
			continue
		}
		st.specs = make([]gwapiv1.Listener, len(ls.Spec.Listeners))
		for i, e := range ls.Spec.Listeners {
			st.specs[i] = gwapiv1.Listener{Name: e.Name, Hostname: e.Hostname, Port: e.Port, Protocol: e.Protocol, TLS: e.TLS, AllowedRoutes: e.AllowedRoutes}
			l := &listenerState{gw: gs, index: i, spec: &st.specs[i], set: st}
			st.listeners = append(st.listeners, t.setUpListener(l))
		}
		gs.listeners = append(gs.listeners, st.listeners...)
	}
}

func (st *listenerSetState) refuse(reason, msg string) {
	st.refusal = new(condFalse(string(gwapiv1.ListenerSetConditionAccepted), reason, msg))
}

// admits applies spec.allowedListeners, whose default is None; the
// returned message says why a set is not allowed, "" when it is.
func (t *translator) admits(gs *gatewayState, ls *gwapiv1.ListenerSet) string {
	from := gwapiv1.NamespacesFromNone
	var selector *metav1.LabelSelector
	if al := gs.obj.Spec.AllowedListeners; al != nil && al.Namespaces != nil {
		if al.Namespaces.From != nil {
			from = *al.Namespaces.From
		}
		selector = al.Namespaces.Selector
	}
	gw := keyOf(gs.obj).String()
	switch from {
	case gwapiv1.NamespacesFromAll:
		return ""
	case gwapiv1.NamespacesFromSame:
		if ls.Namespace == gs.obj.Namespace {
			return ""
		}
		return fmt.Sprintf("Gateway %s allows ListenerSets from its own namespace only (spec.allowedListeners.namespaces.from: Same)", gw)
	case gwapiv1.NamespacesFromSelector:
		if selector == nil {
			return fmt.Sprintf("Gateway %s: spec.allowedListeners.namespaces.selector is required when from is Selector", gw)
		}
		sel, err := metav1.LabelSelectorAsSelector(selector)
		if err != nil {
			return fmt.Sprintf("Gateway %s: spec.allowedListeners.namespaces.selector: %v", gw, err)
		}
		if sel.Matches(labels.Set(t.idx.nsLabels[ls.Namespace])) {
			return ""
		}
		return fmt.Sprintf("Gateway %s does not select namespace %q (spec.allowedListeners.namespaces.selector)", gw, ls.Namespace)
	}
	return fmt.Sprintf("Gateway %s allows no ListenerSets (spec.allowedListeners.namespaces.from: %s)", gw, from)
}

// allowsListenerSets says whether the Gateway takes any ListenerSet, and
// so reports how many it took.
func (gs *gatewayState) allowsListenerSets() bool {
	al := gs.obj.Spec.AllowedListeners
	return al != nil && al.Namespaces != nil && al.Namespaces.From != nil && *al.Namespaces.From != gwapiv1.NamespacesFromNone
}

// attachedListenerSets is status.attachedListenerSets: the accepted sets.
func (gs *gatewayState) attachedListenerSets() *int32 {
	var n int32
	for _, st := range gs.sets {
		if st.accepted() {
			n++
		}
	}
	if n == 0 && !gs.allowsListenerSets() {
		return nil
	}
	return &n
}

// ownListeners are the listeners of the Gateway's spec, without those of
// its ListenerSets: the ones its own status reports.
func (gs *gatewayState) ownListeners() []*listenerState {
	if len(gs.sets) == 0 {
		return gs.listeners
	}
	var out []*listenerState
	for _, l := range gs.listeners {
		if l.set == nil {
			out = append(out, l)
		}
	}
	return out
}

// namespace is where the listener is defined: the namespace "Same" means
// in allowedRoutes, and the one certificate references start from.
func (l *listenerState) namespace() string {
	if l.set != nil {
		return l.set.obj.Namespace
	}
	return l.gw.obj.Namespace
}

// ownerKind is the kind ReferenceGrants must name for the listener's refs.
func (l *listenerState) ownerKind() gwapiv1.Kind {
	if l.set != nil {
		return kindListenerSet
	}
	return kindGateway
}

// listenerSetParent resolves a route's parentRef of kind ListenerSet. ok is
// false when the set belongs to no Gateway of ours (another controller's,
// or its Gateway is missing), which is not ours to report on.
func (t *translator) listenerSetParent(ref gwapiv1.ParentReference, target nsName) (*parentState, bool) {
	p := &parentState{ref: ref}
	st := t.sets.byKey[target]
	switch {
	case st != nil:
		p.gw, p.set = st.gw, st
		if st.refusal != nil {
			p.refusal = new(condFalse(string(gwapiv1.RouteConditionAccepted), string(gwapiv1.RouteReasonNoMatchingParent),
				fmt.Sprintf("ListenerSet %s is not accepted: %s", target, st.refusal.Message)))
		}
		return p, true
	case t.sets.exists[target]:
		return nil, false
	}
	p.refusal = new(condFalse(string(gwapiv1.RouteConditionAccepted), string(gwapiv1.RouteReasonNoMatchingParent),
		fmt.Sprintf("ListenerSet %s not found", target)))
	return p, true
}
