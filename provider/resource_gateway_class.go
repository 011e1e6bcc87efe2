package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewGatewayClassResource is envoygateway_gateway_class.
func NewGatewayClassResource() resource.Resource {
	return newObjectResource(loadKind("gateway_class", "GatewayClass", "A GatewayClass (gateway.networking.k8s.io/v1): a class of Gateways, served by one Envoy fleet. Its status says whether this control plane accepts it."))
}
