package gatewayapi

import (
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// classState is a GatewayClass whose controllerName is ours.
type classState struct {
	obj *gwapiv1.GatewayClass
	// accepted classes become fleets; their Gateways are translated.
	accepted bool
	// gateways of this class, oldest first.
	gateways []*gatewayState
}

func (t *translator) processClasses() {
	for _, c := range t.idx.classes {
		if c.Spec.ControllerName != t.opts.ControllerName {
			continue
		}
		// Every class we own is accepted for now; validating parametersRef
		// (the EnvoyFleet kind) will be the place to reject one.
		cs := &classState{obj: c, accepted: true}
		want := []cond{condTrue(string(gwapiv1.GatewayClassConditionStatusAccepted),
			string(gwapiv1.GatewayClassReasonAccepted), "GatewayClass is accepted by "+string(t.opts.ControllerName))}
		c.Status.Conditions = t.stampKeeping(c.Generation, c.Status.Conditions, want,
			string(gwapiv1.GatewayClassConditionStatusAccepted))
		t.classes[c.Name] = cs
	}
}
