package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewGatewayResource is envoygateway_gateway.
func NewGatewayResource() resource.Resource {
	return newObjectResource(loadKind("gateway", "Gateway", "A Gateway (gateway.networking.k8s.io/v1): listeners of an Envoy fleet. Its status holds the conditions, the listeners' status and the addresses."))
}
