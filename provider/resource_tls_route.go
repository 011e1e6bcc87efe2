package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewTLSRouteResource is envoygateway_tls_route.
func NewTLSRouteResource() resource.Resource {
	return newObjectResource(loadKind("tls_route", "TLSRoute", "A TLSRoute (gateway.networking.k8s.io/v1): routes TLS connections by SNI."))
}
