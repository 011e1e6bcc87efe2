package gatewayapi

import (
	"fmt"
	"maps"
	"net/netip"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// gatewayAddresses checks spec.addresses (GatewayStaticAddresses): a type
// other than IPAddress or Hostname, or a value that is not of its type,
// makes the Gateway UnsupportedAddress (not accepted); an address the
// operator's pool does not hold is AddressNotUsable (accepted, not
// programmed). The usable ones go to the provisioner and to status. An
// address without a value (GatewayAddressEmpty) asks for one of its type
// from the fleet: MergeFleetStatus fills it in from the fleet's addresses.
func (t *translator) gatewayAddresses(gs *gatewayState) {
	g := gs.obj
	if inf := g.Spec.Infrastructure; inf != nil && inf.ParametersRef != nil {
		// No kind of Gateway parameters exists here (a class's fleet is
		// its EnvoyFleet), so any reference is one the spec says to
		// refuse: InvalidParameters, not accepted.
		ref := inf.ParametersRef
		gs.invalidParams = fmt.Sprintf("spec.infrastructure.parametersRef: group %q kind %q is not supported; this implementation takes no Gateway parameters (a fleet is configured by its GatewayClass's EnvoyFleet)",
			ref.Group, ref.Kind)
		return
	}
	for i, a := range g.Spec.Addresses {
		field := fmt.Sprintf("spec.addresses[%d]", i)
		typ := gwapiv1.IPAddressType
		if a.Type != nil {
			typ = *a.Type
		}
		switch {
		case typ != gwapiv1.IPAddressType && typ != gwapiv1.HostnameAddressType:
			gs.addrUnsupported = fmt.Sprintf("%s.type: %q is not supported (IPAddress or Hostname)", field, typ)
			return
		case a.Value == "":
			continue
		}
		if _, err := netip.ParseAddr(a.Value); typ == gwapiv1.IPAddressType && err != nil {
			gs.addrUnsupported = fmt.Sprintf("%s.value: %q is not an IP address", field, a.Value)
			return
		}
		if t.opts.AddressUsable != nil && !t.opts.AddressUsable(string(typ), a.Value) {
			if gs.addrUnusable == "" {
				gs.addrUnusable = fmt.Sprintf("%s: %s %q is not usable by this control plane's fleets", field, typ, a.Value)
			}
			continue
		}
		gs.addresses = append(gs.addresses, ir.InfraAddress{Type: string(typ), Value: a.Value})
	}
}

// statusAddresses are the usable static addresses as status reports them.
func statusAddresses(addrs []ir.InfraAddress) []gwapiv1.GatewayStatusAddress {
	var out []gwapiv1.GatewayStatusAddress
	for _, a := range addrs {
		typ := gwapiv1.AddressType(a.Type)
		out = append(out, gwapiv1.GatewayStatusAddress{Type: &typ, Value: a.Value})
	}
	return out
}

// gatewayInfra is what the Gateway asks of the provisioner, nil when it asks
// nothing (GatewayInfrastructurePropagation for labels and annotations).
func gatewayInfra(gs *gatewayState) *ir.GatewayInfra {
	out := ir.GatewayInfra{Gateway: keyOf(gs.obj).String(), Addresses: gs.addresses}
	if inf := gs.obj.Spec.Infrastructure; inf != nil {
		out.Labels = stringMap(inf.Labels)
		out.Annotations = stringMap(inf.Annotations)
	}
	if len(out.Addresses) == 0 && out.Labels == nil && out.Annotations == nil {
		return nil
	}
	return &out
}

func stringMap[K, V ~string](m map[K]V) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range maps.All(m) {
		out[string(k)] = string(v)
	}
	return out
}

// notAccepted is why the Gateway is not accepted, "" when it is.
func (gs *gatewayState) notAccepted() string {
	if gs.invalidParams != "" {
		return gs.invalidParams
	}
	return gs.addrUnsupported
}
