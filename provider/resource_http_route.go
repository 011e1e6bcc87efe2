package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewHTTPRouteResource is envoygateway_http_route.
func NewHTTPRouteResource() resource.Resource {
	return newObjectResource(loadKind("http_route", "HTTPRoute", "An HTTPRoute (gateway.networking.k8s.io/v1): HTTP routing rules attached to Gateway listeners."))
}
