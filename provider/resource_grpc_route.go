package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewGRPCRouteResource is envoygateway_grpc_route.
func NewGRPCRouteResource() resource.Resource {
	return newObjectResource(loadKind("grpc_route", "GRPCRoute", "A GRPCRoute (gateway.networking.k8s.io/v1): gRPC routing rules attached to Gateway listeners."))
}
