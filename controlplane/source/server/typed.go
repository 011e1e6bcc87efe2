package server

import (
	"encoding/json"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// typedKinds are the kinds resource.Resources holds, which are the ones the
// translator reads. Other kinds (GRPCRoute, Secret, ...) are stored and
// served but not published until the translator handles them.
var typedKinds = map[schema.GroupKind]func() resource.Object{
	{Group: resource.GroupGatewayAPI, Kind: resource.KindGatewayClass}:   func() resource.Object { return &gwapiv1.GatewayClass{} },
	{Group: resource.GroupGatewayAPI, Kind: resource.KindGateway}:        func() resource.Object { return &gwapiv1.Gateway{} },
	{Group: resource.GroupGatewayAPI, Kind: resource.KindHTTPRoute}:      func() resource.Object { return &gwapiv1.HTTPRoute{} },
	{Group: resource.GroupGatewayAPI, Kind: resource.KindReferenceGrant}: func() resource.Object { return &gwapiv1.ReferenceGrant{} },
	{Group: resource.GroupCore, Kind: resource.KindNamespace}:            func() resource.Object { return &corev1.Namespace{} },
	{Group: resource.GroupCore, Kind: resource.KindService}:              func() resource.Object { return &corev1.Service{} },
	{Group: resource.GroupDiscovery, Kind: resource.KindEndpointSlice}:   func() resource.Object { return &discoveryv1.EndpointSlice{} },
	{Group: resource.Group, Kind: resource.KindBackend}:                  func() resource.Object { return &resource.Backend{} },
}

// decodeTyped decodes a stored value of a kind the translator reads; ok is
// false for other kinds.
func decodeTyped(gk schema.GroupKind, data []byte) (obj resource.Object, ok bool, err error) {
	newObj, ok := typedKinds[gk]
	if !ok {
		return nil, false, nil
	}
	obj = newObj()
	return obj, true, json.Unmarshal(data, obj)
}

// addTyped appends obj to its kind's slice of r.
func addTyped(r *resource.Resources, obj resource.Object) {
	switch o := obj.(type) {
	case *gwapiv1.GatewayClass:
		r.GatewayClasses = append(r.GatewayClasses, o)
	case *gwapiv1.Gateway:
		r.Gateways = append(r.Gateways, o)
	case *gwapiv1.HTTPRoute:
		r.HTTPRoutes = append(r.HTTPRoutes, o)
	case *gwapiv1.ReferenceGrant:
		r.ReferenceGrants = append(r.ReferenceGrants, o)
	case *corev1.Namespace:
		r.Namespaces = append(r.Namespaces, o)
	case *corev1.Service:
		r.Services = append(r.Services, o)
	case *discoveryv1.EndpointSlice:
		r.EndpointSlices = append(r.EndpointSlices, o)
	case *resource.Backend:
		r.Backends = append(r.Backends, o)
	}
}

// mergeSources joins every source's snapshot in source-name order, as the
// translator's runner does, so a dry-run sees what the translator would.
func mergeSources(state map[string]*resource.Resources) *resource.Resources {
	out := &resource.Resources{}
	for _, src := range slices.Sorted(maps.Keys(state)) {
		s := state[src]
		if s == nil {
			continue
		}
		s.Walk(func(_ resource.Key, o resource.Object) bool {
			addTyped(out, o)
			return true
		})
	}
	return out
}
