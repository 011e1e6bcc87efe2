package gatewayapi

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// nsName identifies a namespaced object; cluster-scoped ones have Namespace "".
type nsName struct {
	Namespace string
	Name      string
}

func (n nsName) String() string {
	if n.Namespace == "" {
		return n.Name
	}
	return n.Namespace + "/" + n.Name
}

func keyOf(o metav1.Object) nsName {
	return nsName{Namespace: o.GetNamespace(), Name: o.GetName()}
}

// index is the input sorted and keyed for lookups. Status-bearing objects
// are deep copies, so the translator can fill their status in place, but
// for HTTPRoutes: those are copied when their status is written
// (routeOutput), as most of them are then as they were last time.
type index struct {
	classes  []*gwapiv1.GatewayClass
	gateways []*gwapiv1.Gateway
	// routeSrc are the input HTTPRoutes, sorted; the object identifies a
	// route across translations (incremental.go).
	routeSrc []*gwapiv1.HTTPRoute
	grpc     []*gwapiv1.GRPCRoute
	tls      []*gwapiv1.TLSRoute
	tcp      []*gwapiv1.TCPRoute
	udp      []*gwapiv1.UDPRoute
	// gatewaySet holds every Gateway, ours or not.
	gatewaySet map[nsName]bool

	grants   map[string][]*gwapiv1.ReferenceGrant // by namespace
	nsLabels map[string]map[string]string
	services map[nsName]*corev1.Service
	// slices are keyed by the Service they belong to.
	slices   map[nsName][]*discoveryv1.EndpointSlice
	backends map[nsName]*resource.Backend
	secrets  map[nsName]*corev1.Secret
}

func newIndex(res *resource.Resources) *index {
	return newIndexFrom(res, nil, nil)
}

// newIndexFrom builds the index of res. world, when not nil, is the index
// of a translation whose non-route objects were the very same (see Cache):
// its lookup maps are read-only, so they are taken as they are. order, when
// not nil, gives res.HTTPRoutes in sorted order.
func newIndexFrom(res *resource.Resources, world *index, order func([]*gwapiv1.HTTPRoute) []*gwapiv1.HTTPRoute) *index {
	idx := &index{
		classes:  sortedCopies(res.GatewayClasses),
		gateways: sortedCopies(res.Gateways),
		grpc:     sortedCopies(res.GRPCRoutes),
		tls:      sortedCopies(res.TLSRoutes),
		tcp:      sortedCopies(res.TCPRoutes),
		udp:      sortedCopies(res.UDPRoutes),
	}
	if order != nil {
		idx.routeSrc = order(res.HTTPRoutes)
	} else {
		idx.routeSrc = sortedRefs(res.HTTPRoutes)
	}
	if world != nil {
		idx.gatewaySet, idx.grants, idx.nsLabels = world.gatewaySet, world.grants, world.nsLabels
		idx.services, idx.slices, idx.backends, idx.secrets = world.services, world.slices, world.backends, world.secrets
		return idx
	}
	idx.indexWorld(res)
	return idx
}

// indexWorld keys the objects that are not routes.
func (idx *index) indexWorld(res *resource.Resources) {
	idx.grants = map[string][]*gwapiv1.ReferenceGrant{}
	idx.nsLabels = map[string]map[string]string{}
	idx.services = map[nsName]*corev1.Service{}
	idx.slices = map[nsName][]*discoveryv1.EndpointSlice{}
	idx.backends = map[nsName]*resource.Backend{}
	idx.secrets = map[nsName]*corev1.Secret{}
	idx.gatewaySet = make(map[nsName]bool, len(idx.gateways))
	for _, g := range idx.gateways {
		idx.gatewaySet[keyOf(g)] = true
	}
	for _, g := range sortedRefs(res.ReferenceGrants) {
		idx.grants[g.Namespace] = append(idx.grants[g.Namespace], g)
	}
	for _, ns := range sortedRefs(res.Namespaces) {
		idx.nsLabels[ns.Name] = namespaceLabels(ns)
	}
	for _, s := range sortedRefs(res.Services) {
		idx.services[keyOf(s)] = s
	}
	for _, es := range sortedRefs(res.EndpointSlices) {
		svc := es.Labels[discoveryv1.LabelServiceName]
		if svc == "" {
			continue
		}
		k := nsName{Namespace: es.Namespace, Name: svc}
		idx.slices[k] = append(idx.slices[k], es)
	}
	for _, s := range sortedRefs(res.Secrets) {
		idx.secrets[keyOf(s)] = s
	}
	for _, b := range sortedRefs(res.Backends) {
		idx.backends[keyOf(b)] = b
	}
}

func (idx *index) hasGateway(k nsName) bool { return idx.gatewaySet[k] }

// namespaceLabels adds the label the Kubernetes API server puts on every
// namespace, so selectors written for a cluster behave the same here.
func namespaceLabels(ns *corev1.Namespace) map[string]string {
	out := make(map[string]string, len(ns.Labels)+1)
	for k, v := range ns.Labels {
		out[k] = v
	}
	out[corev1.LabelMetadataName] = ns.Name
	return out
}

// object is what every input kind has in common.
type object interface {
	comparable
	metav1.Object
}

// sortedRefs drops nils and duplicates (the first of a namespace/name wins)
// and sorts by namespace/name, so later lookups never depend on input order.
func sortedRefs[T object](in []T) []T {
	var zero T
	out := make([]T, 0, len(in))
	for _, o := range in {
		if o != zero {
			out = append(out, o)
		}
	}
	byKey := func(a, b T) int { return compareKeys(keyOf(a), keyOf(b)) }
	// Sources usually hand objects over sorted already; checking is
	// linear, sorting ten thousand routes is not.
	if !slices.IsSortedFunc(out, byKey) {
		slices.SortStableFunc(out, byKey)
	}
	return slices.CompactFunc(out, func(a, b T) bool { return keyOf(a) == keyOf(b) })
}

func compareKeys(a, b nsName) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

// deepCopier is a generated Kubernetes DeepCopy method.
type deepCopier[T any] interface {
	object
	DeepCopy() T
}

func sortedCopies[T deepCopier[T]](in []T) []T {
	refs := sortedRefs(in)
	out := make([]T, len(refs))
	for i, o := range refs {
		out[i] = o.DeepCopy()
	}
	return out
}

// olderFirst orders objects by creationTimestamp, then namespace/name: the
// Gateway API's tie-breaker for conflicts and route precedence.
func olderFirst(a, b metav1.Object) int {
	ta, tb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		if ta.Before(&tb) {
			return -1
		}
		return 1
	}
	return compareKeys(keyOf(a), keyOf(b))
}

// statusCopy copies an HTTPRoute with its status parents replaced.
// Spec and metadata are shared with the input, which neither the
// translator nor the Result's consumers modify. Deep-copying ten
// thousand routes' specs for every change cost more than translating the
// one that changed.
func statusCopy(r *gwapiv1.HTTPRoute, parents []gwapiv1.RouteParentStatus) *gwapiv1.HTTPRoute {
	c := *r
	c.Status.Parents = parents
	return &c
}
