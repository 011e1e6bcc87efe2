package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewUDPRouteResource is envoygateway_udp_route.
func NewUDPRouteResource() resource.Resource {
	return newObjectResource(loadKind("udp_route", "UDPRoute", "A UDPRoute (gateway.networking.k8s.io/v1): routes UDP datagrams of a listener."))
}
