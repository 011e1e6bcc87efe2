package gatewayapi

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// StatusObjects lists every status-bearing object of the Result, classes
// first, then Gateways, then routes by kind, then BackendTLSPolicies and ListenerSets, each with apiVersion and kind
// set. Consumers that write status back (the CLI, the Config Server) use it
// so that a new route kind needs no change on their side.
func (r *Result) StatusObjects() []resource.Object {
	var out []resource.Object
	add := func(kind string, o resource.Object) {
		o.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Group: gwapiv1.GroupName, Version: "v1", Kind: kind})
		out = append(out, o)
	}
	for _, o := range r.GatewayClasses {
		add(resource.KindGatewayClass, o)
	}
	for _, o := range r.Gateways {
		add(resource.KindGateway, o)
	}
	for _, o := range r.HTTPRoutes {
		add(resource.KindHTTPRoute, o)
	}
	for _, o := range r.GRPCRoutes {
		add(resource.KindGRPCRoute, o)
	}
	for _, o := range r.TLSRoutes {
		add("TLSRoute", o)
	}
	for _, o := range r.TCPRoutes {
		add("TCPRoute", o)
	}
	for _, o := range r.UDPRoutes {
		add("UDPRoute", o)
	}
	for _, o := range r.BackendTLSPolicies {
		add(resource.KindBackendTLSPolicy, o)
	}
	for _, o := range r.ListenerSets {
		add(resource.KindListenerSet, o)
	}
	return out
}
