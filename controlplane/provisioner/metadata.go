package provisioner

import (
	"maps"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// Metadata is the module contract's optional "infrastructure" input: the
// labels and annotations of the fleet's Gateways (spec.infrastructure,
// GatewayInfrastructure), for everything the module creates.
type Metadata struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// FleetMetadata merges the fleet's Gateways' spec.infrastructure labels and
// annotations: a fleet is shared by the Gateways of its class, and so are
// the resources its module creates. On a key two Gateways set differently
// the first Gateway by namespace/name wins, so the result does not depend
// on input order. nil when no Gateway asks for any, so that modules
// written before this input existed keep working.
func FleetMetadata(x *ir.Infra) *Metadata {
	m := &Metadata{Labels: map[string]string{}, Annotations: map[string]string{}}
	for _, gi := range x.GatewayInfra {
		addMissing(m.Labels, gi.Labels)
		addMissing(m.Annotations, gi.Annotations)
	}
	if len(m.Labels) == 0 && len(m.Annotations) == 0 {
		return nil
	}
	return m
}

func addMissing(dst, src map[string]string) {
	for k, v := range maps.All(src) {
		if _, set := dst[k]; !set {
			dst[k] = v
		}
	}
}
