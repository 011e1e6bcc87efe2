package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewReferenceGrantResource is envoygateway_reference_grant.
func NewReferenceGrantResource() resource.Resource {
	return newObjectResource(loadKind("reference_grant", "ReferenceGrant", "A ReferenceGrant (gateway.networking.k8s.io/v1): lets objects of one namespace refer to objects of another."))
}
