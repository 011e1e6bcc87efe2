package server

import (
	"time"

	"github.com/envoygateway/terraform-provider-envoygateway/controlplane/gatewayapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// sameRouteStatus reports whether a and b encode to the same JSON, which
// is what the status writer compared before it stopped encoding every
// route of every translation.
func sameRouteStatus(a, b *gwapiv1.RouteStatus) bool {
	// parents has no omitempty: nil is null, empty is [].
	if (a.Parents == nil) != (b.Parents == nil) || len(a.Parents) != len(b.Parents) {
		return false
	}
	for i := range a.Parents {
		p, q := &a.Parents[i], &b.Parents[i]
		if p.ControllerName != q.ControllerName || !gatewayapi.SameParentRefExactly(&p.ParentRef, &q.ParentRef) || len(p.Conditions) != len(q.Conditions) {
			return false
		}
		for j := range p.Conditions {
			if !sameCondition(&p.Conditions[j], &q.Conditions[j]) {
				return false
			}
		}
	}
	return true
}

func sameCondition(a, b *metav1.Condition) bool {
	return a.Type == b.Type && a.Status == b.Status && a.ObservedGeneration == b.ObservedGeneration &&
		a.Reason == b.Reason && a.Message == b.Message && sameJSONTime(a.LastTransitionTime, b.LastTransitionTime)
}

// sameJSONTime: metav1.Time encodes as null when zero, otherwise as RFC
// 3339 in UTC to the second.
func sameJSONTime(a, b metav1.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	return a.UTC().Truncate(time.Second).Equal(b.UTC().Truncate(time.Second))
}
