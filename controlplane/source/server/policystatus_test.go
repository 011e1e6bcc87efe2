package server

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwapiv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func TestPolicyStatusKeepsOthersAndTransitionTimes(t *testing.T) {
	const ours, theirs gwapiv1.GatewayController = "gateway.envoyproxy.io/gatewayclass-controller", "example.com/other"
	old := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.NewTime(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	gw := gwapiv1.ParentReference{Name: "eg"}
	stored := gwapiv1.PolicyStatus{Ancestors: []gwapiv1.PolicyAncestorStatus{
		{AncestorRef: gw, ControllerName: theirs, Conditions: []metav1.Condition{{Type: "Accepted", Status: "False", LastTransitionTime: old}}},
		{AncestorRef: gw, ControllerName: ours, Conditions: []metav1.Condition{{Type: "Accepted", Status: "True", LastTransitionTime: old}}},
	}}
	computed := gwapiv1.PolicyStatus{Ancestors: []gwapiv1.PolicyAncestorStatus{
		{AncestorRef: gw, ControllerName: ours, Conditions: []metav1.Condition{{Type: "Accepted", Status: "True", LastTransitionTime: now}}},
	}}
	got := policyStatus(ours, computed, stored)
	if len(got.Ancestors) != 2 || got.Ancestors[0].ControllerName != theirs {
		t.Fatalf("ancestors %+v: the other controller's entry must stay first and unchanged", got.Ancestors)
	}
	if lt := got.Ancestors[1].Conditions[0].LastTransitionTime; !lt.Equal(&old) {
		t.Errorf("unchanged Accepted moved its transition time to %v", lt)
	}
	if w := policyStatus(ours, gwapiv1.PolicyStatus{}, stored); len(w.Ancestors) != 1 || w.Ancestors[0].ControllerName != theirs {
		t.Errorf("withdrawing ours left %+v", w.Ancestors)
	}
}
