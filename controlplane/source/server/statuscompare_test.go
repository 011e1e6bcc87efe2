package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// sameRouteStatus must agree with comparing the encodings, which is what
// it replaces in the status writer.
func TestSameRouteStatusAgreesWithEncoding(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cond := func(mod func(*metav1.Condition)) metav1.Condition {
		c := metav1.Condition{Type: "Accepted", Status: metav1.ConditionTrue, ObservedGeneration: 2,
			LastTransitionTime: metav1.NewTime(t0), Reason: "Accepted", Message: "ok"}
		mod(&c)
		return c
	}
	parent := func(mod func(*gwapiv1.RouteParentStatus)) gwapiv1.RouteParentStatus {
		p := gwapiv1.RouteParentStatus{
			ParentRef:      gwapiv1.ParentReference{Name: "gw", Namespace: ptr.To(gwapiv1.Namespace("ns"))},
			ControllerName: "example.com/c",
			Conditions:     []metav1.Condition{cond(func(*metav1.Condition) {})},
		}
		mod(&p)
		return p
	}
	one := func(mod func(*gwapiv1.RouteParentStatus)) gwapiv1.RouteStatus {
		return gwapiv1.RouteStatus{Parents: []gwapiv1.RouteParentStatus{parent(mod)}}
	}
	same := func(*gwapiv1.RouteParentStatus) {}
	withCond := func(mod func(*metav1.Condition)) func(*gwapiv1.RouteParentStatus) {
		return func(p *gwapiv1.RouteParentStatus) { p.Conditions = []metav1.Condition{cond(mod)} }
	}
	statuses := []gwapiv1.RouteStatus{
		{}, {Parents: []gwapiv1.RouteParentStatus{}},
		one(same),
		{Parents: []gwapiv1.RouteParentStatus{parent(same), parent(same)}},
		one(func(p *gwapiv1.RouteParentStatus) { p.ControllerName = "other/c" }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Name = "gw2" }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Namespace = nil }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Namespace = ptr.To(gwapiv1.Namespace("")) }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.SectionName = ptr.To(gwapiv1.SectionName("http")) }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Port = ptr.To(gwapiv1.PortNumber(80)) }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Port = ptr.To(gwapiv1.PortNumber(81)) }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Group = ptr.To(gwapiv1.Group("")) }),
		one(func(p *gwapiv1.RouteParentStatus) { p.ParentRef.Kind = ptr.To(gwapiv1.Kind("Gateway")) }),
		one(func(p *gwapiv1.RouteParentStatus) { p.Conditions = nil }),
		one(func(p *gwapiv1.RouteParentStatus) { p.Conditions = []metav1.Condition{} }),
		one(withCond(func(c *metav1.Condition) { c.Status = metav1.ConditionFalse })),
		one(withCond(func(c *metav1.Condition) { c.Type = "ResolvedRefs" })),
		one(withCond(func(c *metav1.Condition) { c.ObservedGeneration = 3 })),
		one(withCond(func(c *metav1.Condition) { c.Reason = "NotAllowed" })),
		one(withCond(func(c *metav1.Condition) { c.Message = "" })),
		one(withCond(func(c *metav1.Condition) { c.LastTransitionTime = metav1.NewTime(t0.Add(300 * time.Millisecond)) })),
		one(withCond(func(c *metav1.Condition) { c.LastTransitionTime = metav1.NewTime(t0.Add(time.Second)) })),
		one(withCond(func(c *metav1.Condition) { c.LastTransitionTime = metav1.NewTime(t0.In(time.FixedZone("x", 3600))) })),
		one(withCond(func(c *metav1.Condition) { c.LastTransitionTime = metav1.Time{} })),
	}
	for i := range statuses {
		for j := range statuses {
			a, b := &statuses[i], &statuses[j]
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if want := bytes.Equal(ja, jb); sameRouteStatus(a, b) != want {
				t.Errorf("sameRouteStatus(%s, %s) = %v, want %v", ja, jb, !want, want)
			}
		}
	}
}
