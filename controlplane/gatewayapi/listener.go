package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

const (
	kindHTTPRoute gwapiv1.Kind = "HTTPRoute"
	kindGRPCRoute gwapiv1.Kind = "GRPCRoute"
	kindTLSRoute  gwapiv1.Kind = "TLSRoute"
	kindTCPRoute  gwapiv1.Kind = "TCPRoute"
	kindUDPRoute  gwapiv1.Kind = "UDPRoute"
)

// protocolSpec describes a listener protocol this translator can program;
// listeners of any other protocol are refused as UnsupportedProtocol.
type protocolSpec struct {
	ir    ir.Protocol
	kinds []gwapiv1.RouteGroupKind
}

var protocols = map[gwapiv1.ProtocolType]protocolSpec{
	gwapiv1.HTTPProtocolType:  {ir: ir.ProtocolHTTP, kinds: []gwapiv1.RouteGroupKind{routeKind(kindHTTPRoute), routeKind(kindGRPCRoute)}},
	gwapiv1.HTTPSProtocolType: {ir: ir.ProtocolTLS, kinds: []gwapiv1.RouteGroupKind{routeKind(kindHTTPRoute), routeKind(kindGRPCRoute)}},
	gwapiv1.TLSProtocolType:   {ir: ir.ProtocolTLS, kinds: []gwapiv1.RouteGroupKind{routeKind(kindTLSRoute)}},
	gwapiv1.TCPProtocolType:   {ir: ir.ProtocolTCP, kinds: []gwapiv1.RouteGroupKind{routeKind(kindTCPRoute)}},
	gwapiv1.UDPProtocolType:   {ir: ir.ProtocolUDP, kinds: []gwapiv1.RouteGroupKind{routeKind(kindUDPRoute)}},
}

func routeKind(k gwapiv1.Kind) gwapiv1.RouteGroupKind {
	return gwapiv1.RouteGroupKind{Group: new(gwapiv1.Group(gwapiv1.GroupName)), Kind: k}
}

// listenerState is one listener of a Gateway we translate.
type listenerState struct {
	gw       *gatewayState
	index    int
	spec     *gwapiv1.Listener
	hostname string // "" matches any host

	// kinds is status.supportedKinds: the allowed kinds that the protocol
	// can carry. badKinds are the requested ones it cannot.
	kinds    []gwapiv1.RouteGroupKind
	badKinds []string
	// nsSelector is set for allowedRoutes "Selector".
	nsSelector labels.Selector

	// refused is the reason Accepted is False, other than a conflict.
	refused *cond
	// certErr is the first invalid certificateRef; certs are the valid
	// ones, as names of IR secrets.
	certErr *cond
	certs   []string
	// clientCA is the Gateway's client certificate validation for this
	// HTTPS listener (frontend_tls.go), nil when it asks for none.
	clientCA    *ir.ClientValidation
	conflict    gwapiv1.ListenerConditionReason
	conflictMsg string

	// attached counts accepted routes, once each however many parentRefs
	// lead them here; lastAttached is the last one counted (commit).
	attached     int
	lastAttached routeKey
	// contribs are the hostnames accepted routes serve on this listener.
	contribs []contribution
	// httpAttached and httpContribs are attached and len(contribs) once
	// the HTTPRoutes are committed, which come first (cache_routes.go).
	httpAttached, httpContribs int
	// slot is the listener's position in its Gateway's listeners, which
	// names it across translations of the same objects.
	slot int
	// set is the ListenerSet the listener comes from; nil for the
	// Gateway's own listeners (listenerset.go).
	set *listenerSetState
}

// routeKey tells routes of different kinds with one name apart.
type routeKey struct {
	kind gwapiv1.Kind
	nsName
}

func (l *listenerState) name() gwapiv1.SectionName { return l.spec.Name }
func (l *listenerState) port() int32               { return l.spec.Port }

func (l *listenerState) field(path string) string {
	return fmt.Sprintf("spec.listeners[%d]%s", l.index, path)
}

// accepted is the listener's Accepted condition.
func (l *listenerState) accepted() bool { return l.refused == nil && l.conflict == "" }

// programmed listeners end up in the fleet's IR. A listener that must
// terminate TLS needs at least one valid certificate.
func (l *listenerState) programmed() bool {
	return l.accepted() && len(l.kinds) > 0 && (!l.terminates() || len(l.certs) > 0)
}

func (l *listenerState) allowsKind(k gwapiv1.Kind) bool { return containsKind(l.kinds, k) }

func (t *translator) newListener(gw *gatewayState, i int) *listenerState {
	return t.setUpListener(&listenerState{gw: gw, index: i, spec: &gw.obj.Spec.Listeners[i]})
}

// setUpListener validates a listener of a Gateway or of a ListenerSet.
func (t *translator) setUpListener(l *listenerState) *listenerState {
	if l.spec.Hostname != nil {
		l.hostname = string(*l.spec.Hostname)
	}
	proto, ok := protocols[l.spec.Protocol]
	switch {
	case !ok:
		l.refused = new(condFalse(string(gwapiv1.ListenerConditionAccepted), string(gwapiv1.ListenerReasonUnsupportedProtocol),
			fmt.Sprintf("%s: protocol %q is not supported; supported: %s", l.field(".protocol"), l.spec.Protocol, supportedProtocols())))
		return l
	case l.spec.Port < 1 || l.spec.Port > 65535:
		l.refused = new(condFalse(string(gwapiv1.ListenerConditionAccepted), string(gwapiv1.ListenerReasonPortUnavailable),
			fmt.Sprintf("%s: port %d is outside 1-65535", l.field(".port"), l.spec.Port)))
	case l.hostname != "":
		if err := validateHostname(l.hostname); err != nil {
			l.refused = new(condFalse(string(gwapiv1.ListenerConditionAccepted), string(gwapiv1.ListenerReasonUnsupportedValue),
				fmt.Sprintf("%s: %v", l.field(".hostname"), err)))
		}
	}
	l.resolveKinds(proto)
	t.resolveTLS(l)
	if err := l.parseNamespaces(); err != nil && l.refused == nil {
		l.refused = new(condFalse(string(gwapiv1.ListenerConditionAccepted), string(gwapiv1.ListenerReasonUnsupportedValue), err.Error()))
	}
	return l
}

func supportedProtocols() string {
	var out []string
	for p := range protocols {
		out = append(out, string(p))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// resolveKinds intersects allowedRoutes.kinds with what the protocol
// carries; an empty list means every kind the protocol carries.
func (l *listenerState) resolveKinds(proto protocolSpec) {
	var wanted []gwapiv1.RouteGroupKind
	if ar := l.spec.AllowedRoutes; ar != nil {
		wanted = ar.Kinds
	}
	if len(wanted) == 0 {
		l.kinds = append(l.kinds, proto.kinds...)
		return
	}
	for _, w := range wanted {
		group := gwapiv1.Group(gwapiv1.GroupName)
		if w.Group != nil {
			group = *w.Group
		}
		ok := group == gwapiv1.GroupName && containsKind(proto.kinds, w.Kind)
		switch {
		case !ok:
			l.badKinds = append(l.badKinds, fmt.Sprintf("%s/%s", group, w.Kind))
		case !l.allowsKind(w.Kind):
			l.kinds = append(l.kinds, routeKind(w.Kind))
		}
	}
}

func containsKind(kinds []gwapiv1.RouteGroupKind, k gwapiv1.Kind) bool {
	for _, rk := range kinds {
		if rk.Kind == k {
			return true
		}
	}
	return false
}

func (l *listenerState) parseNamespaces() error {
	ar := l.spec.AllowedRoutes
	if ar == nil || ar.Namespaces == nil || ar.Namespaces.From == nil || *ar.Namespaces.From != gwapiv1.NamespacesFromSelector {
		return nil
	}
	if ar.Namespaces.Selector == nil {
		l.nsSelector = labels.Nothing()
		return fmt.Errorf("%s: required when from is Selector", l.field(".allowedRoutes.namespaces.selector"))
	}
	sel, err := metav1.LabelSelectorAsSelector(ar.Namespaces.Selector)
	if err != nil {
		l.nsSelector = labels.Nothing()
		return fmt.Errorf("%s: %v", l.field(".allowedRoutes.namespaces.selector"), err)
	}
	l.nsSelector = sel
	return nil
}

// allowsNamespace applies allowedRoutes.namespaces; the CRD default is Same.
func (l *listenerState) allowsNamespace(ns string, nsLabels map[string]map[string]string) bool {
	from := gwapiv1.NamespacesFromSame
	if ar := l.spec.AllowedRoutes; ar != nil && ar.Namespaces != nil && ar.Namespaces.From != nil {
		from = *ar.Namespaces.From
	}
	switch from {
	case gwapiv1.NamespacesFromAll:
		return true
	case gwapiv1.NamespacesFromSame:
		return ns == l.namespace()
	case gwapiv1.NamespacesFromSelector:
		// A namespace without a Namespace object has no labels.
		return l.nsSelector != nil && l.nsSelector.Matches(labels.Set(nsLabels[ns]))
	}
	return false
}
