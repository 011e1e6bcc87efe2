package server

import (
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// listenerSetStatus is gatewayStatus for a ListenerSet: the translator's
// status with conditions merged and listener transition times kept.
func listenerSetStatus(computed, stored gwapiv1.ListenerSetStatus) gwapiv1.ListenerSetStatus {
	out := computed
	out.Conditions = unionConditions(computed.Conditions, stored.Conditions)
	out.Listeners = make([]gwapiv1.ListenerEntryStatus, len(computed.Listeners))
	for i, l := range computed.Listeners {
		for _, s := range stored.Listeners {
			if s.Name == l.Name {
				l.Conditions = keepTimes(l.Conditions, s.Conditions)
			}
		}
		out.Listeners[i] = l
	}
	return out
}
