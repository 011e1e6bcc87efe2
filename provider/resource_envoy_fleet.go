package provider

import "github.com/hashicorp/terraform-plugin-framework/resource"

// NewEnvoyFleetResource is envoygateway_envoy_fleet.
func NewEnvoyFleetResource() resource.Resource {
	return newObjectResource(loadKind("envoy_fleet", "EnvoyFleet", "An EnvoyFleet (envoygateway.dev/v1alpha1): the GatewayClass parameters the provisioner uses to run a fleet of Envoy proxies with a Terraform module."))
}
