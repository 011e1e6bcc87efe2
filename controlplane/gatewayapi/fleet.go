package gatewayapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/resource"
)

// fleetsByName indexes the EnvoyFleets (cluster-scoped) by name.
func fleetsByName(res *resource.Resources) map[string]*resource.EnvoyFleet {
	out := make(map[string]*resource.EnvoyFleet, len(res.EnvoyFleets))
	for _, f := range res.EnvoyFleets {
		if f != nil {
			if _, dup := out[f.Name]; !dup {
				out[f.Name] = f
			}
		}
	}
	return out
}

// classParams resolves c's parametersRef to the EnvoyFleet it names. A
// non-empty problem means the class must not be accepted (InvalidParameters);
// it names the field at fault. A missing ref is a problem only when the
// provisioner needs one (Options.RequireParametersRef): without provisioning
// a class is a fleet of proxies someone else runs.
func (t *translator) classParams(c *gwapiv1.GatewayClass) (params *ir.InfraParams, problem string) {
	ref := c.Spec.ParametersRef
	if ref == nil {
		if t.opts.RequireParametersRef {
			return nil, fmt.Sprintf("spec.parametersRef: missing; the provisioner needs group %s, kind %s naming the class's fleet",
				resource.Group, resource.KindEnvoyFleet)
		}
		return nil, ""
	}
	if string(ref.Group) != resource.Group || string(ref.Kind) != resource.KindEnvoyFleet {
		return nil, fmt.Sprintf("spec.parametersRef: group %q kind %q is not supported: want group %s, kind %s",
			ref.Group, ref.Kind, resource.Group, resource.KindEnvoyFleet)
	}
	if ref.Namespace != nil && *ref.Namespace != "" {
		return nil, fmt.Sprintf("spec.parametersRef.namespace: %s is cluster-scoped; leave namespace unset (got %q)",
			resource.KindEnvoyFleet, *ref.Namespace)
	}
	f := t.fleets[ref.Name]
	if f == nil {
		return nil, fmt.Sprintf("spec.parametersRef.name: %s %q not found", resource.KindEnvoyFleet, ref.Name)
	}
	return infraParams(f), ""
}

func infraParams(f *resource.EnvoyFleet) *ir.InfraParams {
	f = f.DeepCopy()
	p := &ir.InfraParams{
		EnvoyFleet:    f.Name,
		ModuleSource:  f.Spec.Module.Source,
		ModuleVersion: f.Spec.Module.Version,
		Variables:     f.Spec.Variables,
		Replicas:      f.Spec.ReplicasOrDefault(),
		EnvoyVersion:  f.Spec.EnvoyVersion,
	}
	if b := f.Spec.Backend; b != nil {
		p.Backend = &ir.InfraBackend{Type: b.Type, Config: b.Config}
	}
	return p
}

// buildInfra is the provisioner's view of an accepted class: the ports its
// fleet's listeners bind and the Gateways whose status the fleet feeds.
func buildInfra(cs *classState, x *ir.Xds) *ir.Infra {
	out := &ir.Infra{Fleet: cs.obj.Name, Params: cs.params}
	ports := map[uint32]bool{}
	for _, l := range x.Listeners {
		ports[l.Port] = true
	}
	out.Ports = slices.Sorted(maps.Keys(ports))
	for _, g := range cs.gateways {
		out.Gateways = append(out.Gateways, keyOf(g.obj).String())
		if gi := gatewayInfra(g); gi != nil {
			out.GatewayInfra = append(out.GatewayInfra, *gi)
		}
	}
	slices.Sort(out.Gateways)
	slices.SortFunc(out.GatewayInfra, func(a, b ir.GatewayInfra) int { return strings.Compare(a.Gateway, b.Gateway) })
	return out
}
