package server

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

func gk(group, kind string) schema.GroupKind { return schema.GroupKind{Group: group, Kind: kind} }

// typedKinds are the kinds resource.Resources holds, which are the ones the
// translator reads; TestTypedKindsCoverResources keeps this table in step
// with Resources. Other kinds are stored and served but not published.
var typedKinds = map[schema.GroupKind]func() resource.Object{
	gk(resource.GroupGatewayAPI, resource.KindGatewayClass):     func() resource.Object { return &gwapiv1.GatewayClass{} },
	gk(resource.GroupGatewayAPI, resource.KindGateway):          func() resource.Object { return &gwapiv1.Gateway{} },
	gk(resource.GroupGatewayAPI, resource.KindHTTPRoute):        func() resource.Object { return &gwapiv1.HTTPRoute{} },
	gk(resource.GroupGatewayAPI, resource.KindGRPCRoute):        func() resource.Object { return &gwapiv1.GRPCRoute{} },
	gk(resource.GroupGatewayAPI, resource.KindTLSRoute):         func() resource.Object { return &gwapiv1.TLSRoute{} },
	gk(resource.GroupGatewayAPI, resource.KindTCPRoute):         func() resource.Object { return &gwapiv1.TCPRoute{} },
	gk(resource.GroupGatewayAPI, resource.KindUDPRoute):         func() resource.Object { return &gwapiv1.UDPRoute{} },
	gk(resource.GroupGatewayAPI, resource.KindReferenceGrant):   func() resource.Object { return &gwapiv1.ReferenceGrant{} },
	gk(resource.GroupGatewayAPI, resource.KindBackendTLSPolicy): func() resource.Object { return &gwapiv1.BackendTLSPolicy{} },
	gk(resource.GroupGatewayAPI, resource.KindListenerSet):      func() resource.Object { return &gwapiv1.ListenerSet{} },
	gk(resource.GroupCore, resource.KindConfigMap):              func() resource.Object { return &corev1.ConfigMap{} },
	gk(resource.GroupCore, resource.KindNamespace):              func() resource.Object { return &corev1.Namespace{} },
	gk(resource.GroupCore, resource.KindService):                func() resource.Object { return &corev1.Service{} },
	gk(resource.GroupCore, resource.KindSecret):                 func() resource.Object { return &corev1.Secret{} },
	gk(resource.GroupDiscovery, resource.KindEndpointSlice):     func() resource.Object { return &discoveryv1.EndpointSlice{} },
	gk(resource.Group, resource.KindBackend):                    func() resource.Object { return &resource.Backend{} },
	gk(resource.Group, resource.KindEnvoyFleet):                 func() resource.Object { return &resource.EnvoyFleet{} },
}

// decodeTyped decodes a stored value of a kind the translator reads; ok is
// false for other kinds.
func decodeTyped(kind schema.GroupKind, data []byte) (obj resource.Object, ok bool, err error) {
	newObj, ok := typedKinds[kind]
	if !ok {
		return nil, false, nil
	}
	obj = newObj()
	return obj, true, json.Unmarshal(data, obj)
}
