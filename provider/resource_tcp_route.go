package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewTCPRouteResource is envoygateway_tcp_route.
func NewTCPRouteResource() resource.Resource {
	return newObjectResource(loadKind("tcp_route", "TCPRoute", "A TCPRoute (gateway.networking.k8s.io/v1): routes TCP connections of a listener."))
}
