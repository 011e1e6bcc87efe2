package resource

import (
	"cmp"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// Object is what every resource kind implements: Kubernetes object metadata
// plus runtime.Object (type metadata and deep copy). It is the shape of
// controller-runtime's client.Object, without importing it.
type Object interface {
	metav1.Object
	runtime.Object
}

// API groups of the upstream kinds.
const (
	GroupGatewayAPI = "gateway.networking.k8s.io"
	GroupCore       = ""
	GroupDiscovery  = "discovery.k8s.io"
)

// kindInfo is everything the decoder and the Resources helpers need to know
// about one kind. Entries are built by register, which binds the Go type and
// the Resources slice once, so that adding a kind touches only the kinds table
// below and one field of Resources.
type kindInfo struct {
	group string
	kind  string
	// versions accepted on input; the first is canonical and is written back
	// into decoded objects (older versions with identical schemas convert by
	// plain re-labelling).
	versions   []string
	namespaced bool
	// nameRule picks the metadata.name validation Kubernetes applies to the kind.
	nameRule nameRule
	// check holds semantic checks specific to the kind (nil: none).
	check func(Object) field.ErrorList

	newObject func() Object
	add       func(*Resources, Object)
	each      func(*Resources, func(Object) bool)
	retain    func(*Resources, func(Object) bool)
	sort      func(*Resources)
	count     func(*Resources) int
}

// kinds is the one place to add a kind: one register call here plus one slice
// in Resources. Order is the order Resources are walked (and errors reported).
var kinds = []kindInfo{
	register(GroupGatewayAPI, KindGatewayClass, false, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.GatewayClass { return &r.GatewayClasses }, "v1", "v1beta1"),
	register(GroupGatewayAPI, KindGateway, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.Gateway { return &r.Gateways }, "v1", "v1beta1"),
	register(GroupGatewayAPI, KindHTTPRoute, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.HTTPRoute { return &r.HTTPRoutes }, "v1", "v1beta1"),
	register(GroupGatewayAPI, KindReferenceGrant, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.ReferenceGrant { return &r.ReferenceGrants }, "v1", "v1beta1"),
	register(GroupCore, KindNamespace, false, nameLabel, nil,
		func(r *Resources) *[]*corev1.Namespace { return &r.Namespaces }, "v1"),
	register(GroupCore, KindService, true, nameLabel1035, nil,
		func(r *Resources) *[]*corev1.Service { return &r.Services }, "v1"),
	register(GroupDiscovery, KindEndpointSlice, true, nameSubdomain, nil,
		func(r *Resources) *[]*discoveryv1.EndpointSlice { return &r.EndpointSlices }, "v1"),
	register(Group, KindBackend, true, nameSubdomain, checkBackend,
		func(r *Resources) *[]*Backend { return &r.Backends }, Version),
	register(GroupCore, KindSecret, true, nameSubdomain, checkSecret,
		func(r *Resources) *[]*corev1.Secret { return &r.Secrets }, "v1"),
	register(GroupGatewayAPI, KindGRPCRoute, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.GRPCRoute { return &r.GRPCRoutes }, "v1"),
	register(GroupGatewayAPI, KindTLSRoute, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.TLSRoute { return &r.TLSRoutes }, "v1", "v1alpha2", "v1alpha3"),
	register(GroupGatewayAPI, KindTCPRoute, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.TCPRoute { return &r.TCPRoutes }, "v1", "v1alpha2"),
	register(GroupGatewayAPI, KindUDPRoute, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.UDPRoute { return &r.UDPRoutes }, "v1", "v1alpha2"),
	register(Group, KindEnvoyFleet, false, nameSubdomain, checkEnvoyFleet,
		func(r *Resources) *[]*EnvoyFleet { return &r.EnvoyFleets }, Version),
	register(GroupGatewayAPI, KindBackendTLSPolicy, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.BackendTLSPolicy { return &r.BackendTLSPolicies }, "v1", "v1alpha3"),
	register(GroupCore, KindConfigMap, true, nameSubdomain, nil,
		func(r *Resources) *[]*corev1.ConfigMap { return &r.ConfigMaps }, "v1"),
	register(GroupGatewayAPI, KindListenerSet, true, nameSubdomain, nil,
		func(r *Resources) *[]*gwapiv1.ListenerSet { return &r.ListenerSets }, "v1"),
}

// register binds kind metadata to the Go type T and its slice in Resources.
func register[T any, P interface {
	*T
	Object
}](group, kind string, namespaced bool, rule nameRule, check func(Object) field.ErrorList,
	slice func(*Resources) *[]P, versions ...string) kindInfo {
	return kindInfo{
		group: group, kind: kind, versions: versions, namespaced: namespaced,
		nameRule: rule, check: check,
		newObject: func() Object { return P(new(T)) },
		add: func(r *Resources, o Object) {
			s := slice(r)
			*s = append(*s, o.(P))
		},
		each: func(r *Resources, fn func(Object) bool) {
			for _, o := range *slice(r) {
				if !fn(o) {
					return
				}
			}
		},
		retain: func(r *Resources, keep func(Object) bool) {
			s := slice(r)
			*s = slices.DeleteFunc(*s, func(o P) bool { return !keep(o) })
		},
		sort: func(r *Resources) {
			slices.SortStableFunc(*slice(r), func(a, b P) int {
				return cmp.Or(cmp.Compare(a.GetNamespace(), b.GetNamespace()), cmp.Compare(a.GetName(), b.GetName()))
			})
		},
		count: func(r *Resources) int { return len(*slice(r)) },
	}
}

// lookupKind finds a kind by API group and kind name.
func lookupKind(group, kind string) *kindInfo {
	for i := range kinds {
		if kinds[i].group == group && kinds[i].kind == kind {
			return &kinds[i]
		}
	}
	return nil
}

// apiVersion returns the canonical apiVersion of the kind.
func (k *kindInfo) apiVersion() string {
	if k.group == "" {
		return k.versions[0]
	}
	return k.group + "/" + k.versions[0]
}

// acceptsVersion reports whether version is one the decoder accepts.
func (k *kindInfo) acceptsVersion(version string) bool {
	return slices.Contains(k.versions, version)
}

// apiVersions lists the accepted apiVersions, canonical first.
func (k *kindInfo) apiVersions() []string {
	out := make([]string, len(k.versions))
	for i, v := range k.versions {
		out[i] = v
		if k.group != "" {
			out[i] = k.group + "/" + v
		}
	}
	return out
}
