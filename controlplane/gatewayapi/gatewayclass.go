package gatewayapi

import (
	"slices"

	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/ir"
)

// classState is a GatewayClass whose controllerName is ours.
type classState struct {
	obj *gwapiv1.GatewayClass
	// accepted classes become fleets; their Gateways are translated.
	accepted bool
	// params come from the EnvoyFleet of parametersRef (fleet.go).
	params *ir.InfraParams
	// gateways of this class, oldest first.
	gateways []*gatewayState
}

func (t *translator) processClasses() {
	for _, c := range t.idx.classes {
		if c.Spec.ControllerName != t.opts.ControllerName {
			continue
		}
		params, problem := t.classParams(c)
		cs := &classState{obj: c, accepted: problem == "", params: params}
		want := []cond{condTrue(string(gwapiv1.GatewayClassConditionStatusAccepted),
			string(gwapiv1.GatewayClassReasonAccepted), "GatewayClass is accepted by "+string(t.opts.ControllerName))}
		if problem != "" {
			want = []cond{condFalse(string(gwapiv1.GatewayClassConditionStatusAccepted),
				string(gwapiv1.GatewayClassReasonInvalidParameters), problem)}
		}
		c.Status.Conditions = t.stampKeeping(c.Generation, c.Status.Conditions, want,
			string(gwapiv1.GatewayClassConditionStatusAccepted))
		c.Status.SupportedFeatures = nil
		if cs.accepted {
			c.Status.SupportedFeatures = slices.Clone(SupportedFeatures)
		}
		t.classes[c.Name] = cs
	}
}
