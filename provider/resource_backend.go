package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewBackendResource is envoygateway_backend.
func NewBackendResource() resource.Resource {
	return newObjectResource(loadKind("backend", "Backend", "A Backend (envoygateway.dev/v1alpha1): endpoints by address, for backends that are not Kubernetes Services."))
}
