package gatewayapi

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// slicePort finds the EndpointSlice port serving Service port sp: slices
// name their ports after the Service's, and carry the target port number.
func slicePort(ports []discoveryv1.EndpointPort, sp corev1.ServicePort) (uint32, bool) {
	want := sp.Protocol
	if want == "" {
		want = corev1.ProtocolTCP
	}
	for _, p := range ports {
		name, proto := "", corev1.ProtocolTCP
		if p.Name != nil {
			name = *p.Name
		}
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		if name == sp.Name && proto == want && p.Port != nil && *p.Port > 0 && *p.Port <= 65535 {
			return uint32(*p.Port), true
		}
	}
	return 0, false
}
