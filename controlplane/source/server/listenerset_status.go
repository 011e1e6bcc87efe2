package server

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// listenerSetStatus is gatewayStatus for a ListenerSet: the translator's
// status with conditions merged and listener transition times kept.
func listenerSetStatus(computed, stored gwapiv1.ListenerSetStatus) gwapiv1.ListenerSetStatus {
	out := computed
	out.Conditions = unionConditions(computed.Conditions, stored.Conditions)
	out.Listeners = listenersKeepTimes(computed.Listeners, stored.Listeners,
		func(l *gwapiv1.ListenerEntryStatus) (gwapiv1.SectionName, *[]metav1.Condition) {
			return l.Name, &l.Conditions
		})
	return out
}
